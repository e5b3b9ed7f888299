#!/usr/bin/env bash
# Instructions the emulator executes per request, counted by valgrind's
# callgrind: unlike requests a second, the count does not move with the machine's load,
# so it shows what a change to the request path costs or saves. The emulator runs at its
# default log level; the count covers every thread (the log writer's too).
#
# Usage: bench/instructions.sh [BINARY=target/release/csms-emulator] [REQUESTS=2000]
# SCENARIO picks the request: show-version (the default) shows the latest version of one
# secret; create-secret creates a secret of a new name each time.
# EMULATOR_ARGS adds flags (for example "--request-log errors"); RUST_LOG passes through.
# It runs the binary twice, with 500 and 500 + REQUESTS requests on one keep-alive
# connection, and divides the difference, so start-up and shutdown cancel out.
# Needs valgrind (apt-get install valgrind) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=${1:-target/release/csms-emulator}
REQUESTS=${2:-2000}
PORT=18097
SCENARIO=${SCENARIO:-show-version}
case "$SCENARIO" in
  show-version | create-secret) ;;
  *) echo "SCENARIO must be show-version or create-secret, not $SCENARIO" >&2; exit 2 ;;
esac
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# Instructions for one run of the binary answering $1 requests of the scenario.
count() {
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.%p" \
    "$BINARY" --listen 127.0.0.1:$PORT ${EMULATOR_ARGS:-} >/dev/null 2>"$OUT/valgrind.log" &
  local pid=$!
  for _ in $(seq 150); do
    curl -sf "http://127.0.0.1:$PORT/_emulator/ready" >/dev/null 2>&1 && break
    sleep 0.2
  done
  python3 - "$1" "$PORT" "$SCENARIO" <<'PY'
import http.client, json, sys
n, port, scenario = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
project = "0123456789abcdef0123456789abcdef"
c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
c.request("POST", f"/v1/{project}/secrets", headers={"Content-Type": "application/json"},
          body=json.dumps({"name": "bench", "secret_string": "0" * 100}))
c.getresponse().read()
for i in range(n):
    if scenario == "create-secret":
        # Names of one length, so every request costs the same.
        c.request("POST", f"/v1/{project}/secrets",
                  headers={"Content-Type": "application/json"},
                  body=json.dumps({"name": f"bench-{i:08}", "secret_string": "0" * 100}))
    else:
        c.request("GET", f"/v1/{project}/secrets/bench/versions/latest",
                  headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
PY
  kill -TERM $pid
  wait $pid || true
  grep -o 'Collected : [0-9]*' "$OUT/valgrind.log" | awk '{print $3}'
}

base=$(count 500)
more=$(count $((500 + REQUESTS)))
echo "instructions per $SCENARIO request: $(( (more - base) / REQUESTS ))"
