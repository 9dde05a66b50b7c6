#!/usr/bin/env python3
"""The busfit benchmark: generates the corpus (gen_corpus.py), then runs the floor
(`rg -c --no-ignore --hidden . ./` with standard input from /dev/null, which reads every file once) and `busfit check`
interleaved, and prints medians, the ratio to the floor and peak memory. Also times a
one-file pre-commit run, and, where installed, yamllint and checkov on the same corpus.

Usage: bench/run.py [--services N] [--runs R] [--corpus DIR] [--others]
Needs: ripgrep (`apt-get install ripgrep`), a release build (`cargo build --release`)."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, cwd):
    """Wall time (s) and peak RSS (KiB) of one run."""
    start = time.perf_counter()
    # stdin from /dev/null: `rg` with no path searches standard input when it is a pipe
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(p.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "target", "bench-corpus"))
    ap.add_argument("--others", action="store_true", help="also time yamllint and checkov if installed")
    ap.add_argument("--other-runs", type=int, default=3, help="runs of each of the others (they are slow)")
    a = ap.parse_args()

    if not shutil.which("rg"):
        sys.exit("ripgrep (rg) is needed for the floor: apt-get install ripgrep")
    marker = os.path.join(a.corpus, f".services-{a.services}")
    if not os.path.exists(marker):
        shutil.rmtree(a.corpus, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_corpus.py"), a.corpus, str(a.services)], check=True)
        open(marker, "w").close()
    files = sum(len(f) for _, _, f in os.walk(a.corpus))
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    busfit = os.path.join(ROOT, "target", "release", "busfit")

    # the path `./` given, so that the floor reads the corpus and not standard input
    floor_cmd = ["rg", "-c", "--no-ignore", "--hidden", ".", "./"]
    check_cmd = [busfit, "check", ".", "--format", "json"]
    one_cmd = [busfit, "check", "services/svc0001/docker-compose.yml", "--format", "json"]
    for cmd in (floor_cmd, check_cmd, one_cmd):  # warm the page cache
        run(cmd, a.corpus)
    floor, check, one, mem = [], [], [], []
    for _ in range(a.runs):  # interleaved, so drift hits both alike
        t, _ = run(floor_cmd, a.corpus)
        floor.append(t)
        t, rss = run(check_cmd, a.corpus)
        check.append(t)
        mem.append(rss)
        t, _ = run(one_cmd, a.corpus)
        one.append(t)
    f, c, o = statistics.median(floor), statistics.median(check), statistics.median(one)
    print(f"corpus: {a.services} services, {files} files ({a.corpus})")
    print(f"machine: {os.cpu_count()} cores; runs: {a.runs}, interleaved, medians")
    print(f"floor   rg -c --no-ignore --hidden . ./  {f * 1000:8.1f} ms")
    print(f"busfit  check . --format json           {c * 1000:8.1f} ms   ratio {c / f:.2f}x   peak RSS {max(mem) / 1024:.1f} MiB")
    print(f"busfit  check <one compose file>        {o * 1000:8.1f} ms")
    if a.others:
        for name, cmd in (("yamllint", ["yamllint", "-f", "parsable", "."]), ("checkov", ["checkov", "-d", ".", "--quiet", "--compact", "-o", "json"])):
            if shutil.which(cmd[0]):
                results = [run(cmd, a.corpus) for _ in range(a.other_runs)]
                t = statistics.median(r[0] for r in results)
                rss = max(r[1] for r in results)
                print(f"{name:<7} {' '.join(cmd[1:]):<32} {t * 1000:8.1f} ms   ratio {t / f:.2f}x   peak RSS {rss / 1024:.1f} MiB")
            else:
                print(f"{name}: not installed (pip install {name})")


if __name__ == "__main__":
    main()
