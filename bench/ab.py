#!/usr/bin/env python3
"""A/B two realist binaries on one corpus: alternate them, and compare wall and CPU time.

    python3 bench/ab.py OLD_BINARY NEW_BINARY SITE_ROOT RUNS

Each run builds SITE_ROOT into /dev/shm/ab-out (removed first) with one binary, then the other; the
order alternates between runs. CPU time is the child's user + system time (RUSAGE_CHILDREN deltas).
Prints each binary's medians and the median of the per-pair ratios NEW/OLD: a paired comparison that
machine-wide noise affects less than two separate benchmark runs. Use a corpus made by
bench/compare.sh (e.g. /dev/shm/bench/site-realist-1000 with BENCH_WORK=/dev/shm/bench).
"""
import resource
import shutil
import statistics
import subprocess
import sys
import time


def run(binary, site, out):
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([binary, "build", "--root", site, "--out", out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    old, new, site, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    results = {old: [], new: []}
    for i in range(runs):
        for binary in ((old, new) if i % 2 == 0 else (new, old)):
            results[binary].append(run(binary, site, "/dev/shm/ab-out"))
    for label, binary in (("old", old), ("new", new)):
        wall = statistics.median(r[0] for r in results[binary])
        cpu = statistics.median(r[1] for r in results[binary])
        print(f"{label} {binary}: wall median {wall:.3f} s, cpu median {cpu:.3f} s over {runs}")
    pairs = list(zip(results[old], results[new]))
    wall_ratio = statistics.median(n[0] / o[0] for o, n in pairs)
    cpu_ratio = statistics.median(n[1] / o[1] for o, n in pairs)
    print(f"new/old wall ratio median {wall_ratio:.3f}, cpu ratio median {cpu_ratio:.3f}")


if __name__ == "__main__":
    main()
