#!/bin/sh
# Benchmark realist against Hugo 0.168.0 on the shared synthetic corpus. See bench/README.md.
#   bench/compare.sh [--sizes 1000,10000] [--pairs 5] [--only-realist] [--no-build] [--check]
# Env: SHARED=DIR (holds bench/gen_corpus.py; default ../shared), BENCH_WORK=DIR (default target/bench).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
exec "${PYTHON:-python3}" bench/compare.py "$@"
