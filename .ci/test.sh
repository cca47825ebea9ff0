#!/usr/bin/env bash
# Runs every test: the dependency audit, rustfmt and clippy, the Rust suites, then the example site in a real browser
# (and under `realist serve`) and the HTML checker.
# Needs what .ci/run installs (chromium, java, tests/browser/node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/audit.sh

echo "== cargo fmt --check and cargo clippy (warnings are errors)"
cargo fmt --check
cargo clippy --release --all-targets -q -- -D warnings

echo "== cargo test"
cargo test --release

echo "== building the example site under a sub-path, with warnings as errors"
cargo build --release -q
rm -rf target/site-ci target/.site-ci.prev
./target/release/realist build --base-url https://www.example.ac.uk/research/hsca12/ --out target/site-ci --deny-warnings

echo "== browser (axe-core, keyboard, network) and HTML validity (vnu) tests"
cd tests/browser
SITE_DIR=../../target/site-ci BASE_PATH=/research/hsca12/ node --test
