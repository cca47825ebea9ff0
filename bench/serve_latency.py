#!/usr/bin/env python3
"""Save-to-reload latency of `realist serve`, against the full-build time.

Generates the benchmark corpus (../shared/bench/gen_corpus.py), times `realist build --drafts` on
it, then starts `realist serve --port 0`, listens to its event stream like a browser tab does, and
saves one report at a time (a new sentence appended to its body). For each save it measures the
time from just before the write to the arrival of the `reload` event that names the report's page.
The reload event is sent only after every file of the update is written.

    cargo build --release
    python3 bench/serve_latency.py                 # N=1000, 20 edits
    python3 bench/serve_latency.py --n 200 --edits 10

Targets (DESIGN.md): median latency at most 50 ms and at most 1/20 of a full build. Not run in CI.
Standard library only.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent


def events(url):
    """Yields (event, data) from the server's event stream."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    path = parts.path + "__realist/events"
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(65536)
    head, buf = buf.split(b"\r\n\r\n", 1)
    if b" 200 " not in head.split(b"\r\n")[0]:
        raise SystemExit(f"event stream refused: {head!r}")
    while True:
        while b"\n\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                return
            buf += chunk
        block, buf = buf.split(b"\n\n", 1)
        event, data = "message", []
        for line in block.decode().split("\n"):
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        if data:
            yield event, json.loads("\n".join(data))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="reports in the corpus")
    ap.add_argument("--edits", type=int, default=20, help="saves to time")
    ap.add_argument("--builds", type=int, default=3, help="full builds to time (median)")
    ap.add_argument("--binary", default=str(REPO / "target" / "release" / "realist"))
    ap.add_argument("--gen", default=str(REPO.parent / "shared" / "bench" / "gen_corpus.py"))
    ap.add_argument("--corpus", help="use this corpus instead of generating one")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="realist-serve-bench-"))
    server = None
    try:
        corpus = Path(args.corpus) if args.corpus else tmp / "site"
        if not args.corpus:
            subprocess.run(
                [sys.executable, args.gen, "--n", str(args.n), "--seed", "1", "--flavor", "realist", "--out", str(corpus)],
                check=True,
                stdout=subprocess.DEVNULL,
            )

        builds = []
        for i in range(args.builds):
            out = tmp / f"out-{i}"
            started = time.perf_counter()
            subprocess.run(
                [args.binary, "build", "--root", str(corpus), "--out", str(out), "--drafts"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            builds.append(time.perf_counter() - started)
            shutil.rmtree(out, ignore_errors=True)
        full = statistics.median(builds)

        env = dict(os.environ, TMPDIR=str(tmp))
        server = subprocess.Popen(
            [args.binary, "serve", "--root", str(corpus), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        url = None
        for line in server.stdout:
            if line.startswith("Serving "):
                url = line.split(" at ")[-1].strip()
                break
        if not url:
            raise SystemExit("realist serve did not print its URL")
        stream = events(url)
        event, hello = next(stream)
        assert event == "hello" and hello["ok"], (event, hello)

        reports = sorted((corpus / "content" / "reports").glob("*.md"))
        latencies = []
        for i in range(args.edits):
            report = reports[(i * 37) % len(reports)]
            page = f"reports/{report.stem}/index.html"
            text = report.read_text(encoding="utf-8")
            text += f"\nEdited for the latency benchmark, save {i}.\n"
            started = time.perf_counter()
            report.write_text(text, encoding="utf-8")
            for event, data in stream:
                if event == "reload" and page in data.get("paths", []):
                    latencies.append(time.perf_counter() - started)
                    break
                if event == "errors":
                    raise SystemExit(f"the edit broke the build: {data}")
            time.sleep(0.05)

        median = statistics.median(latencies)
        print(f"corpus: N={args.n} reports")
        print(f"full build (realist build --drafts, median of {len(builds)}): {full * 1000:.0f} ms")
        print(
            f"save to reload (median of {len(latencies)}): {median * 1000:.1f} ms "
            f"(min {min(latencies) * 1000:.1f}, max {max(latencies) * 1000:.1f})"
        )
        print(f"ratio: 1/{full / median:.0f} of a full build")
        ok = median <= 0.050 and median <= full / 20
        print("target (<= 50 ms and <= 1/20 of a full build):", "met" if ok else "NOT met")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
