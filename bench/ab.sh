#!/usr/bin/env bash
# Compares two builds of the emulator on one benchmark scenario (show version unless
# SCENARIO says otherwise): both serve at once, and wrk loads them in turn, round after
# round, so a busy machine slows both alike.
# Prints requests a second and the server's CPU time per request (from /proc, user +
# system) for each round, then the means. CPU per request is the steadier of the two.
#
# Usage: bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS=5] [DURATION_S=4] [RUST_LOG=info]
# For example: git worktree add /tmp/old HEAD~1 && (cd /tmp/old && cargo build --release)
#   then bench/ab.sh /tmp/old/target/release/csms-emulator target/release/csms-emulator
# OLD_ENV and NEW_ENV give one side settings of its own (VAR=value, space-separated), to
# weigh a setting with one build: for example what the request log line costs,
#   NEW_ENV=CSMS_REQUEST_LOG=errors bench/ab.sh B B 6   (B being the same binary twice)
# SCENARIO picks the load: show_version (the default), create_version or create_secret
# (bench/SCENARIO.lua). Creates grow both servers' stores alike, round by round.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1
NEW=$2
ROUNDS=${3:-5}
SECONDS_EACH=${4:-4}
LEVEL=${5:-info}
SCENARIO=${SCENARIO:-show_version}
[ -f "bench/$SCENARIO.lua" ] || { echo "no bench/$SCENARIO.lua" >&2; exit 2; }
PROJECT=0123456789abcdef0123456789abcdef
# Word splitting of the settings is meant: each VAR=value is one word for `env`.
# shellcheck disable=SC2086
env RUST_LOG="$LEVEL" ${OLD_ENV:-} "$OLD" --listen 127.0.0.1:18092 >/dev/null &
OLD_PID=$!
# shellcheck disable=SC2086
env RUST_LOG="$LEVEL" ${NEW_ENV:-} "$NEW" --listen 127.0.0.1:18093 >/dev/null &
NEW_PID=$!
trap 'kill $OLD_PID $NEW_PID 2>/dev/null || true' EXIT
sleep 0.4
for port in 18092 18093; do
  curl -sf -XPOST "http://127.0.0.1:$port/v1/$PROJECT/secrets" -H 'Content-Type: application/json' \
    -d '{"name":"bench","secret_string":"0000000000"}' >/dev/null
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick_hz=$(getconf CLK_TCK)
declare -A rps_sum=([old]=0 [new]=0) cpu_sum=([old]=0 [new]=0)
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  for build in old new; do
    if [ $build = old ]; then pid=$OLD_PID port=18092; else pid=$NEW_PID port=18093; fi
    before=$(ticks $pid)
    rps=$(wrk -t1 -c32 -d"${SECONDS_EACH}s" -s "bench/$SCENARIO.lua" "http://127.0.0.1:$port" \
      | grep '^RESULT' | sed 's/.*rps=\([0-9]*\).*/\1/')
    after=$(ticks $pid)
    # CPU nanoseconds per request.
    ns=$(( (after - before) * 1000000000 / tick_hz / (rps * SECONDS_EACH) ))
    line="$line  $build rps=$rps cpu_us=$((ns / 1000)).$(( ns % 1000 / 100 ))"
    rps_sum[$build]=$(( ${rps_sum[$build]} + rps ))
    cpu_sum[$build]=$(( ${cpu_sum[$build]} + ns ))
  done
  echo "$line"
done
for build in old new; do
  ns=$(( ${cpu_sum[$build]} / ROUNDS ))
  echo "mean $build: rps=$(( ${rps_sum[$build]} / ROUNDS )) cpu_us=$((ns / 1000)).$(( ns % 1000 / 100 ))"
done
