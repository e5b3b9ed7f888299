#!/usr/bin/env bash
# Makes .venv-e2e hold the official SDK suite's requirements (e2e/requirements.txt), as
# `cargo test` (tests/e2e.rs) does with the same stamp file, so either may come first.
# Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-e2e
REQUIREMENTS=e2e/requirements.txt
STAMP=$VENV/requirements.installed

if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQUIREMENTS" "$STAMP" 2> /dev/null; then
    "${CSMS_PYTHON:-python3}" -m venv "$VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2
    cp "$REQUIREMENTS" "$STAMP"
fi
echo "$PWD/$VENV/bin/python"
