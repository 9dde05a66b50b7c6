#!/usr/bin/env python3
"""The busfit benchmark: generates the corpora (gen_corpus.py: services, monorepo, charts),
then for each runs the floor (`rg -c --no-ignore --hidden . ./` with standard input from
/dev/null, which reads every file once), `busfit check . --format json` and a one-file
pre-commit run, interleaved, and prints medians, the ratio to the floor and peak memory.
Where installed, also times yamllint and checkov on the same corpora.

Usage: bench/run.py [--shape services|monorepo|charts|all] [--repo DIR[:ONE_FILE]]...
                    [--runs R] [--others] [--other-runs N]
Needs: ripgrep (`apt-get install ripgrep`) and GNU time (/usr/bin/time, for peak memory);
builds busfit with `cargo build --release`."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the one file a pre-commit hook would pass, per generated shape
ONE = {
    "services": "services/svc0001/docker-compose.yml",
    "monorepo": "teams/team-01/svc0001/docker-compose.yml",
    "charts": "bitnami/kafka/values.yaml",
}


def run(cmd, cwd):
    """Wall time (s) of one run."""
    start = time.perf_counter()
    # stdin from /dev/null: `rg` with no path searches standard input when it is a pipe
    subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def peak(cmd, cwd):
    """Peak resident memory (KiB) of one run, from GNU time: a forked Python's own pages
    would count in wait4's ru_maxrss."""
    if not os.path.exists("/usr/bin/time"):
        return float("nan")
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(p.stderr.strip().splitlines()[-1])


def corpus(shape):
    """Generates a shape's corpus once (deterministic), under target/."""
    d = os.path.join(ROOT, "target", f"bench-corpus-{shape}")
    marker = os.path.join(d, ".generated-v2")
    if not os.path.exists(marker):
        shutil.rmtree(d, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_corpus.py"), d, "--shape", shape], check=True)
        open(marker, "w").close()
    return d


def bench(name, d, one, busfit, runs):
    files = sum(len(f) for _, _, f in os.walk(d))
    # the path `./` given, so that the floor reads the corpus and not standard input
    floor_cmd = ["rg", "-c", "--no-ignore", "--hidden", ".", "./"]
    check_cmd = [busfit, "check", ".", "--format", "json"]
    one_cmd = [busfit, "check", one, "--format", "json"] if one else None
    cmds = [c for c in (floor_cmd, check_cmd, one_cmd) if c]
    for cmd in cmds:  # warm the page cache
        run(cmd, d)
    floor, check, ones = [], [], []
    for _ in range(runs):  # interleaved, so drift hits all alike
        floor.append(run(floor_cmd, d))
        check.append(run(check_cmd, d))
    # a pre-commit run comes alone on a warm machine, not between two full checks that
    # take the caches: timed in a loop of its own, more runs as each is short
    for _ in range(max(runs, 21) if one_cmd else 0):
        ones.append(run(one_cmd, d))
    mem = [peak(check_cmd, d) for _ in range(3)]
    f, c = statistics.median(floor), statistics.median(check)
    out = subprocess.run(check_cmd, cwd=d, capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout
    findings = out.count('"code":')
    one_ms = f"{statistics.median(ones) * 1000:.1f} ms" if ones else "-"
    print(f"| {name} ({files:,} files, {findings:,} findings) | {f * 1000:.1f} ms | {c * 1000:.1f} ms | "
          f"**{c / f:.2f}x** | {max(mem) / 1024:.1f} MiB | {one_ms} |", flush=True)
    return f


def others(name, d, floor, n):
    for tool, cmd in (("yamllint", ["yamllint", "-f", "parsable", "."]),
                      ("checkov", ["checkov", "-d", ".", "--quiet", "--compact", "-o", "json"])):
        if not shutil.which(cmd[0]):
            print(f"{tool}: not installed (pip install {tool})")
            continue
        t = statistics.median(run(cmd, d) for _ in range(n))
        rss = peak(cmd, d)
        print(f"| {name}: `{' '.join(cmd)}` | | {t * 1000:.1f} ms | {t / floor:.1f}x | {rss / 1024:.1f} MiB | |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="all", choices=["services", "monorepo", "charts", "all"])
    ap.add_argument("--repo", action="append", default=[], help="a real repository DIR[:ONE_FILE] to time too")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--others", action="store_true", help="also time yamllint and checkov if installed")
    ap.add_argument("--other-runs", type=int, default=1, help="runs of each of the others (they are slow)")
    a = ap.parse_args()

    if not shutil.which("rg"):
        sys.exit("ripgrep (rg) is needed for the floor: apt-get install ripgrep")
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    busfit = os.path.join(ROOT, "target", "release", "busfit")
    shapes = ["services", "monorepo", "charts"] if a.shape == "all" else [a.shape]
    targets = [(s, corpus(s), ONE[s]) for s in shapes]
    for r in a.repo:
        d, _, one = r.partition(":")
        targets.append((os.path.basename(os.path.normpath(d)), d, one or None))
    print(f"machine: {os.cpu_count()} cores; runs: {a.runs}, interleaved, medians")
    # what starting any process costs this harness (fork and exec from Python): part of
    # every figure below, printed so that the one-file times can be read net of it
    spawn = statistics.median(run(["true"], ROOT) for _ in range(21))
    print(f"harness: starting a process (`true`) takes {spawn * 1000:.1f} ms, included in every time below")
    print("| corpus | floor | `busfit check --format json` | vs floor | peak memory | one file |")
    print("|---|---:|---:|---:|---:|---:|")
    floors = {}
    for name, d, one in targets:
        floors[name] = bench(name, d, one, busfit, a.runs)
    if a.others:
        for name, d, _ in targets:
            others(name, d, floors[name], a.other_runs)


if __name__ == "__main__":
    main()
