#!/usr/bin/env bash
# The web console's browser test: headless Chromium driven by selenium against the built
# binary. Installs Debian's chromium and chromium-driver when missing, and a virtualenv
# (.venv-console) from e2e/console/requirements.txt. Screenshots land in
# target/ui-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-console
REQUIREMENTS=e2e/console/requirements.txt
BINARY=${CARGO_TARGET_DIR:-target}/debug/csms-emulator

if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
    echo "== installing chromium and chromium-driver"
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get install -y --no-install-recommends chromium chromium-driver > /dev/null \
        || { "${sudo[@]}" apt-get update > /dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends chromium chromium-driver > /dev/null; }
fi
if ! cmp -s "$REQUIREMENTS" "$VENV/requirements.txt" 2> /dev/null; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$VENV/requirements.txt"
fi
[ -x "$BINARY" ] || cargo build --locked --bin csms-emulator
CSMS_BIN="$BINARY" "$VENV/bin/python" -m pytest -q -rA -p no:cacheprovider e2e/console
