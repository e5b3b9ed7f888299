#!/usr/bin/env bash
# Throughput and latency of csms-emulator against a logic-free axum ceiling, plus start time
# and memory. Loopback only; every load is bounded in time.
#
# Usage: bench/run.sh [DURATION=10s] [CONNECTIONS=32] [WRK_THREADS=1]
# Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
CONNECTIONS=${2:-32}
THREADS=${3:-1}
EMU_PORT=18080
CEIL_PORT=18081
PROJECT=0123456789abcdef0123456789abcdef

cargo build --release --bins --quiet
RUST_LOG=warn target/release/csms-emulator --listen 127.0.0.1:$EMU_PORT &
EMU_PID=$!
target/release/bench-ceiling 127.0.0.1:$CEIL_PORT >/dev/null &
CEIL_PID=$!
trap 'kill $EMU_PID $CEIL_PID 2>/dev/null || true' EXIT
sleep 0.3
curl -sf -XPOST "http://127.0.0.1:$EMU_PORT/v1/$PROJECT/secrets" \
  -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"secret_string\":\"$(printf '0%.0s' {1..100})\"}" >/dev/null

measure() { # script port
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "bench/$1.lua" "http://127.0.0.1:$2" \
    | grep '^RESULT' | sed 's/^RESULT //'
}

printf '%-16s %-40s %-40s %s\n' scenario emulator ceiling ratio
for scenario in show_version create_version create_secret; do
  emu=$(measure "$scenario" $EMU_PORT)
  ceil=$(measure "$scenario" $CEIL_PORT)
  e=$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$emu")
  c=$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$ceil")
  printf '%-16s %-40s %-40s %s%%\n' "$scenario" "$emu" "$ceil" "$((100 * e / c))"
done
kill $EMU_PID $CEIL_PID 2>/dev/null || true
wait 2>/dev/null || true
python3 bench/footprint.py target/release/csms-emulator
