#!/usr/bin/env bash
# A bounded schemathesis run against the built binary, described by its own
# /_emulator/openapi.json: once in memory with auth off, once with --auth enforce (an
# unbound token opens every route). Fails on any 5xx, any answer the document does not
# describe, any panic in the emulator's log, and any operation that refused every request
# the document calls valid ("mostly rejected"). The emulator starts with
# the fixture scripts/fuzz/prepare.py writes, and scripts/fuzz/schemathesis.toml draws
# names, ids and backup blobs from it, so requests reach the operations' logic.
#   scripts/fuzz.sh [EXAMPLES_PER_OPERATION]   (default 50)
# The seed is fixed and no example database is kept, so a run is the same on every
# machine; set FUZZ_SEED to explore other inputs, and FUZZ_ARGS to pass schemathesis more
# options (for example `--report har`).
set -euo pipefail
cd "$(dirname "$0")/.."

EXAMPLES=${1:-50}
SEED=${FUZZ_SEED:-20261201}
VENV=.venv-fuzz
BINARY=${CARGO_TARGET_DIR:-target}/debug/csms-emulator
PORT=${CSMS_FUZZ_PORT:-18181}
WORK=$(mktemp -d -t csms-fuzz-XXXXXX)
LOG=$WORK/emulator.log

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
trap 'stop_server; rm -rf "$WORK"' EXIT

cp scripts/fuzz/schemathesis.toml "$WORK/"
python3 scripts/fuzz/prepare.py seed "$WORK"

# schemathesis OPTIONS…: one run against the emulator on $PORT, with $headers.
schemathesis() {
    "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" \
        run "http://127.0.0.1:$PORT/_emulator/openapi.json" \
        "${headers[@]}" \
        --max-examples "$EXAMPLES" --seed "$SEED" --no-shrink --generation-database none \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --request-timeout 10 "$@" ${FUZZ_ARGS:-}
}

# fuzz LABEL TOKEN [-H HEADER] -- EMULATOR_FLAGS…
fuzz() {
    local label=$1 token=$2
    shift 2
    headers=()
    while [ "$1" != -- ]; do
        headers+=("$1")
        shift
    done
    shift
    echo "== schemathesis: $label ($EXAMPLES examples per operation, seed $SEED)"
    "$BINARY" --listen "127.0.0.1:$PORT" --sweep-interval-ms 50 \
        --seed "$WORK/seed.json" "$@" > "$LOG" 2>&1 &
    SERVER=$!
    local tries=0
    until "$BINARY" healthcheck --url "http://127.0.0.1:$PORT/_emulator/ready" 2> /dev/null; do
        tries=$((tries + 1))
        ((tries < 200)) || { cat "$LOG" >&2; echo "FAILED: the emulator did not start" >&2; exit 1; }
        sleep 0.05
    done
    python3 scripts/fuzz/prepare.py blobs "$WORK" "http://127.0.0.1:$PORT" "$token"
    # Fault rules are left out: injecting 5xx answers is what they are for. Moving the
    # clock and resetting change the whole emulator (a clock moved 30 days ends every
    # scheduled deletion), so they run after the rest, not under it.
    local whole=(EmulatorSetClock EmulatorReset)
    schemathesis --exclude-operation-id EmulatorAddFault "${whole[@]/#/--exclude-operation-id=}"
    schemathesis "${whole[@]/#/--include-operation-id=}"
    stop_server
    if grep -q "panicked" "$LOG"; then
        grep -B2 -A5 "panicked" "$LOG" >&2
        echo "FAILED: the emulator panicked ($label)" >&2
        exit 1
    fi
}

fuzz "in memory, auth off" none --
fuzz "auth enforce" fuzz-token -H "X-Auth-Token: fuzz-token" -- --auth enforce --token fuzz-token
