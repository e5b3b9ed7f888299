#!/usr/bin/env bash
# Throughput and latency of csms-emulator against a logic-free axum ceiling, plus start time
# and memory. Loopback only; every load is bounded in time.
#
# Usage: bench/run.sh [DURATION=10s] [CONNECTIONS=32] [WRK_THREADS=1] [ROUNDS=3]
# Each scenario runs ROUNDS times against each server, alternating; the table gives the
# median round, with each server's CPU time a request in it, and after the table the
# ratio of those CPU times, which the machine's load moves less than the rates, and the
# median of each round's ratio to the ceiling round run right after it: a round pair
# shares the machine's load of its moment, which the medians of separate rounds do not.
# The emulator runs at its default log level (info: one line per request).
# Both servers run a runtime worker per core, or CSMS_WORKERS workers each when it is set.
# Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
CONNECTIONS=${2:-32}
THREADS=${3:-1}
ROUNDS=${4:-3}
EMU_PORT=18080
CEIL_PORT=18081
PROJECT=0123456789abcdef0123456789abcdef

cargo build --release --bin csms-emulator --example bench-ceiling --quiet
target/release/csms-emulator --listen 127.0.0.1:$EMU_PORT >/dev/null &
EMU_PID=$!
target/release/examples/bench-ceiling 127.0.0.1:$CEIL_PORT >/dev/null &
CEIL_PID=$!
trap 'kill $EMU_PID $CEIL_PID 2>/dev/null || true' EXIT
sleep 0.3
curl -sf -XPOST "http://127.0.0.1:$EMU_PORT/v1/$PROJECT/secrets" \
  -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"secret_string\":\"$(printf '0%.0s' {1..100})\"}" >/dev/null

# The server's CPU time (user + system) so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
SECONDS_RUN=$(python3 -c "import sys; d=sys.argv[1]; print(float(d[:-1]) * {'s': 1, 'm': 60, 'h': 3600}[d[-1]])" "$DURATION")
TICK=$(getconf CLK_TCK)

# One round: wrk's result, then the server's CPU time a request in µs (user + system, from
# /proc), which moves less with the machine's load than the rate does.
measure() { # script port pid
  local before after result rps
  before=$(cpu_ticks "$3")
  result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "bench/$1.lua" "http://127.0.0.1:$2" \
    | grep '^RESULT' | sed 's/^RESULT //')
  after=$(cpu_ticks "$3")
  rps=$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$result")
  echo "$result cpu_us=$(python3 -c "print(f'{($after - $before) / $TICK * 1e6 / max(1, $rps * $SECONDS_RUN):.1f}')")"
}

rps() { sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$1"; }
# The median of the rounds' results, by requests a second.
median() { sort -t= -k1,1n <(for r in "$@"; do echo "$(rps "$r")=$r"; done) | sed -n "$(( ($# + 1) / 2 ))p" | cut -d= -f2-; }

printf '%-16s %-52s %-52s %s\n' scenario emulator ceiling ratio
cpu_ratios=() paired_ratios=()
for scenario in show_version create_version create_secret; do
  emus=() ceils=()
  for _ in $(seq "$ROUNDS"); do
    emus+=("$(measure "$scenario" $EMU_PORT $EMU_PID)")
    ceils+=("$(measure "$scenario" $CEIL_PORT $CEIL_PID)")
  done
  emu=$(median "${emus[@]}")
  ceil=$(median "${ceils[@]}")
  printf '%-16s %-52s %-52s %s%%\n' "$scenario" "$emu" "$ceil" "$((100 * $(rps "$emu") / $(rps "$ceil")))"
  paired_ratios+=("$scenario $(python3 -c "import statistics as s, sys; r = sorted(e / c for e, c in zip(map(float, sys.argv[1].split()), map(float, sys.argv[2].split()))); print(f'{s.median(r):.0%} (rounds {r[0]:.0%}-{r[-1]:.0%})')" \
    "$(for r in "${emus[@]}"; do rps "$r"; done)" "$(for r in "${ceils[@]}"; do rps "$r"; done)")")
  # The same comparison by CPU a request, each server's median round by that measure.
  cpu_ratios+=("$scenario $(python3 -c "import statistics as s, sys; e, c = sys.argv[1].split(), sys.argv[2].split(); print(f'{s.median(map(float, c)) / s.median(map(float, e)):.0%}')" \
    "$(for r in "${emus[@]}"; do sed 's/.*cpu_us=\([0-9.]*\).*/\1/' <<<"$r"; done)" \
    "$(for r in "${ceils[@]}"; do sed 's/.*cpu_us=\([0-9.]*\).*/\1/' <<<"$r"; done)")")
done
echo "ceiling's CPU a request over the emulator's (medians of the rounds; 100% = as cheap):"
printf '  %s\n' "${cpu_ratios[@]}"
echo "each round's rate over the ceiling round after it (median of the pairs):"
printf '  %s\n' "${paired_ratios[@]}"
kill $EMU_PID $CEIL_PID 2>/dev/null || true
wait 2>/dev/null || true
python3 bench/footprint.py target/release/csms-emulator
