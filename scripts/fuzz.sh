#!/usr/bin/env bash
# A bounded schemathesis run against the built binary, described by its own
# /_emulator/openapi.json: once in memory with auth off, once with --auth enforce (an
# unbound token opens every route). Fails on any 5xx, any answer the document does not
# describe, and any panic in the emulator's log.
#   scripts/fuzz.sh [EXAMPLES_PER_OPERATION]   (default 50)
# The seed is fixed, so a run is reproducible; set FUZZ_SEED to explore other inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

EXAMPLES=${1:-50}
SEED=${FUZZ_SEED:-20261201}
VENV=.venv-fuzz
BINARY=${CARGO_TARGET_DIR:-target}/debug/csms-emulator
PORT=${CSMS_FUZZ_PORT:-18181}
LOG=$(mktemp -t csms-fuzz-XXXXXX.log)

if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==4.32.5"
fi
[ -x "$BINARY" ] || cargo build --locked --bin csms-emulator

SERVER=
stop_server() {
    if [ -n "$SERVER" ]; then
        kill "$SERVER" 2> /dev/null || true
        wait "$SERVER" 2> /dev/null || true
        SERVER=
    fi
}
trap stop_server EXIT

# fuzz LABEL [-H HEADER] -- EMULATOR_FLAGS…
fuzz() {
    local label=$1
    shift
    local headers=()
    while [ "$1" != -- ]; do
        headers+=("$1")
        shift
    done
    shift
    echo "== schemathesis: $label ($EXAMPLES examples per operation, seed $SEED)"
    "$BINARY" --listen "127.0.0.1:$PORT" --sweep-interval-ms 50 "$@" > "$LOG" 2>&1 &
    SERVER=$!
    local tries=0
    until "$BINARY" healthcheck --url "http://127.0.0.1:$PORT/_emulator/ready" 2> /dev/null; do
        tries=$((tries + 1))
        ((tries < 200)) || { cat "$LOG" >&2; echo "FAILED: the emulator did not start" >&2; exit 1; }
        sleep 0.05
    done
    # Fault rules are left out: injecting 5xx answers is what they are for.
    "$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/_emulator/openapi.json" \
        "${headers[@]}" \
        --max-examples "$EXAMPLES" --seed "$SEED" --no-shrink \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --exclude-operation-id EmulatorAddFault \
        --request-timeout 10 --warnings off
    stop_server
    if grep -q "panicked" "$LOG"; then
        grep -B2 -A5 "panicked" "$LOG" >&2
        echo "FAILED: the emulator panicked ($label)" >&2
        exit 1
    fi
}

fuzz "in memory, auth off" --
fuzz "auth enforce" -H "X-Auth-Token: fuzz-token" -- --auth enforce --token fuzz-token
rm -f "$LOG"
