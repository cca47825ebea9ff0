#!/usr/bin/env bash
# Installs the real clients that the publishing tests feed realist's output to, into a virtual
# environment at target/ci-tools/clients: pandoc 3 (pypandoc-binary; Debian's pandoc is 2.17),
# extruct (the metadata extractor used to read pages as Google Scholar and schema.org readers do),
# check-jsonschema and openpyxl. Versions are pinned in .ci/clients-requirements.txt.
# Safe to run again: it does nothing when the pinned set is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/ci-tools/clients
stamp="$venv/.requirements"
if [ -x "$venv/bin/python" ] && cmp -s .ci/clients-requirements.txt "$stamp"; then
  exit 0
fi
echo "== installing the publishing clients (pip, pinned in .ci/clients-requirements.txt)"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r .ci/clients-requirements.txt
cp .ci/clients-requirements.txt "$stamp"
