#!/usr/bin/env bash
# Runs the whole `cargo test` N times in a row (default 20) while stress-ng keeps both
# cores busy, as CI's busy 2-core machine does; prints how many runs passed. Logs of each
# run go to target/flake-check/run-N.log.
#   scripts/flake-check.sh [RUNS]      (needs stress-ng: apt-get install stress-ng)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
LOGS=target/flake-check
mkdir -p "$LOGS"
cargo test --locked --no-run -q
stress-ng --cpu 2 --timeout 0 > /dev/null 2>&1 &
STRESS=$!
trap 'kill $STRESS 2> /dev/null || true' EXIT
passed=0
for i in $(seq 1 "$RUNS"); do
    if cargo test --locked -q > "$LOGS/run-$i.log" 2>&1; then
        passed=$((passed + 1))
        echo "run $i ok"
    else
        echo "run $i FAILED (see $LOGS/run-$i.log)"
    fi
done
echo "passed $passed of $RUNS"
[ "$passed" = "$RUNS" ]
