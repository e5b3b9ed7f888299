#!/usr/bin/env bash
# Create-version throughput with SMN deliveries (docs/behaviour.md §56): a secret
# subscribed to a SECRET_VERSION_CREATED event, measured
#   today — BASELINE_BIN (an emulator built before deliveries existed, such as main's
#           release binary), which records the notification and delivers nothing;
#   0 subs — this build, no subscription on the event's topic;
#   1 slow — this build, one subscriber that takes 500 ms to answer each delivery;
# each as a ratio to `today` (goal: at least 0.95). Without BASELINE_BIN, `0 subs` is the
# reference. Loopback only; every load is bounded in time; the median of ROUNDS rounds.
#
# Usage: bench/smn.sh [DURATION=10s] [CONNECTIONS=32] [ROUNDS=3] [BASELINE_BIN]
# Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
CONNECTIONS=${2:-32}
ROUNDS=${3:-3}
BASELINE=${4:-}
PORT=18090
HOOK_PORT=18091
PROJECT=0123456789abcdef0123456789abcdef
TOPIC="urn:smn:cn-north-4:$PROJECT:bench"
BASE="http://127.0.0.1:$PORT"

cargo build --release --bin csms-emulator --quiet
CURRENT=target/release/csms-emulator

# The slow subscriber: answers every POST after 500 ms, many at once.
python3 - "$HOOK_PORT" << 'EOF' &
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Slow(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(0.5)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Slow).serve_forever()
EOF
HOOK_PID=$!
EMU_PID=
trap 'kill $HOOK_PID ${EMU_PID:-} 2>/dev/null || true' EXIT

start() { # binary [flags…]
  "$@" --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
  EMU_PID=$!
  for _ in $(seq 200); do
    curl -sf "$BASE/_emulator/ready" >/dev/null && break
    sleep 0.05
  done
  curl -sf -XPOST "$BASE/v1/$PROJECT/csms/events" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench\",\"event_types\":[\"SECRET_VERSION_CREATED\"],\"state\":\"ENABLED\",\"notification\":{\"target_type\":\"SMN\",\"target_id\":\"$TOPIC\",\"target_name\":\"bench\"}}" >/dev/null
  curl -sf -XPOST "$BASE/v1/$PROJECT/secrets" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench\",\"secret_string\":\"$(printf '0%.0s' {1..100})\",\"event_subscriptions\":[\"bench\"]}" >/dev/null
}

stop() {
  kill "$EMU_PID" 2>/dev/null || true
  wait "$EMU_PID" 2>/dev/null || true
  EMU_PID=
}

rps() { # binary [flags…]: one round's create-version requests a second
  start "$@"
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s bench/create_version.lua "$BASE" \
    | grep '^RESULT' | sed 's/.*rps=\([0-9]*\).*/\1/'
  stop
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

today=() zero=() slow=()
for _ in $(seq "$ROUNDS"); do
  [ -z "$BASELINE" ] || today+=("$(rps "$BASELINE")")
  zero+=("$(rps "$CURRENT")")
  slow+=("$(rps "$CURRENT" --smn-subscription "$TOPIC=http://127.0.0.1:$HOOK_PORT/hook")")
done
zero=$(median "${zero[@]}")
slow=$(median "${slow[@]}")
if [ -n "$BASELINE" ]; then reference=$(median "${today[@]}"); label=today; else reference=$zero; label="0 subs"; fi
ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }
printf '%-10s %10s %8s\n' scenario rps "ratio to $label"
[ -z "$BASELINE" ] || printf '%-10s %10s %8s\n' today "$reference" 1.000
printf '%-10s %10s %8s\n' "0 subs" "$zero" "$(ratio "$zero" "$reference")"
printf '%-10s %10s %8s\n' "1 slow" "$slow" "$(ratio "$slow" "$reference")"
