#!/usr/bin/env bash
# Audits Cargo.lock against the pinned RustSec advisory database in .ci/advisory-db, offline.
# Fails on any vulnerability and on any unmaintained, unsound or yanked warning that
# .cargo/audit.toml does not list as a documented exception (docs/dependencies.md).
set -euo pipefail
cd "$(dirname "$0")/.."

tools=target/ci-tools
if ! "$tools/bin/cargo-audit" --version >/dev/null 2>&1; then
  echo "== installing cargo-audit (pip, pinned by hash)"
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check --require-hashes \
    -r .ci/audit-requirements.txt
fi
echo "== cargo audit (advisory database: .ci/advisory-db/SNAPSHOT.md)"
"$tools/bin/cargo-audit" audit --db .ci/advisory-db --no-fetch --deny warnings
