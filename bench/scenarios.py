#!/usr/bin/env python3
"""Prints docs/scenarios.md's table: `busfit recommend` on every folder of fixtures/scenarios,
its top three and the reasons it gives for the first. Re-run it after changing rules/:

    cargo build --release && python3 bench/scenarios.py > /tmp/t.md

tests/scenarios.rs checks that the table in docs/scenarios.md still matches what busfit says.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUSFIT = os.environ.get("BUSFIT", os.path.join(ROOT, "target", "release", "busfit"))


def requirements(path):
    """The `requires:` lines of a scenario's busfit.yaml, as `key: value` texts."""
    out, inside, about = [], False, ""
    for line in open(path, encoding="utf-8"):
        s = line.strip()
        if s.startswith("# "):
            about = s[2:]
        if s == "requires:":
            inside = True
            continue
        if inside and s:
            out.append(s)
    return about, out


def main():
    base = os.path.join(ROOT, "fixtures", "scenarios")
    print("| scenario | requires | busfit's top three | why the first | design |")
    print("|---|---|---|---|---|")
    for name in sorted(os.listdir(base)):
        folder = os.path.join(base, name)
        about, reqs = requirements(os.path.join(folder, "busfit.yaml"))
        run = subprocess.run(
            [BUSFIT, "recommend", f"fixtures/scenarios/{name}", "--format", "json"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )
        flow = json.loads(run.stdout)["flows"][0]
        top = flow["ranking"][:3]
        three = ", ".join(r["bus"] + ("" if r["fits"] else " (does not fit)") for r in top)
        why = "; ".join(w for w in top[0]["why"] if not w.startswith("ties with"))
        designs = ", ".join(d["name"] for d in flow["designs"]) or "—"
        cell = lambda t: t.replace("|", "\\|")
        print(f"| `{name}`: {cell(about)} | {cell(', '.join(reqs))} | {three} | {cell(why)} | {designs} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
