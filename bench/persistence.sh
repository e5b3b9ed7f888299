#!/usr/bin/env bash
# Throughput with --data-dir against the in-memory store, and the time a restart with
# 100,000 secrets takes to answer. Loopback only; bounded in time.
#
# Usage: bench/persistence.sh [DURATION=10s] [CONNECTIONS=32] [ROUNDS=1]
# With several rounds, memory and --data-dir take turns and the median of each is reported,
# since a shared 2-core machine varies by ±10% from one run to the next.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
CONNECTIONS=${2:-32}
ROUNDS=${3:-1}
PORT=18085
PROJECT=0123456789abcdef0123456789abcdef
DATA=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DATA"' EXIT
cargo build --release --bins --quiet

run() { # label, extra args...
  local label=$1; shift
  RUST_LOG=warn target/release/csms-emulator --listen 127.0.0.1:$PORT "$@" &
  local pid=$!
  sleep 0.5
  curl -sf -XPOST "http://127.0.0.1:$PORT/v1/$PROJECT/secrets" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench\",\"secret_string\":\"$(printf '0%.0s' {1..100})\"}" >/dev/null
  for scenario in show_version create_version create_secret; do
    printf '%-12s %-16s %s\n' "$label" "$scenario" \
      "$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s "bench/$scenario.lua" "http://127.0.0.1:$PORT" | grep '^RESULT' | sed 's/^RESULT //')"
  done
  kill $pid; wait $pid 2>/dev/null || true
}

RESULTS="$DATA/results.txt"
for round in $(seq "$ROUNDS"); do
  run memory | tee -a "$RESULTS"
  rm -rf "$DATA/throughput"
  run data-dir --data-dir "$DATA/throughput" | tee -a "$RESULTS"
done
if [ "$ROUNDS" -gt 1 ]; then
  python3 - "$RESULTS" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, scenario, result = line.split(maxsplit=2)
    rps = int(re.search(r"rps=(\d+)", result).group(1))
    runs.setdefault((scenario, label), []).append(rps)
print("median of each:")
for scenario in ("show_version", "create_version", "create_secret"):
    memory = statistics.median(runs[(scenario, "memory")])
    durable = statistics.median(runs[(scenario, "data-dir")])
    print(f"  {scenario:16s} memory {memory:8.0f}  data-dir {durable:8.0f}  {durable / memory:4.0%}")
PY
fi

python3 - "$DATA/restart" "$PORT" <<'PY'
import json, subprocess, sys, time, urllib.request
data, port = sys.argv[1], int(sys.argv[2])
base = f"http://127.0.0.1:{port}"
def start():
    began = time.perf_counter()
    p = subprocess.Popen(["target/release/csms-emulator", "--listen", f"127.0.0.1:{port}", "--data-dir", data], env={"RUST_LOG": "warn"})
    while True:
        try:
            urllib.request.urlopen(base + "/_emulator/ready", timeout=1)
            return p, time.perf_counter() - began
        except OSError:
            time.sleep(0.005)
p, _ = start()
for chunk in range(100):
    items = [{"name": f"s-{chunk:03d}-{i:04d}", "secret_string": "v" * 100} for i in range(1000)]
    req = urllib.request.Request(f"{base}/v1/0123456789abcdef0123456789abcdef/secrets/batch-import",
                                 data=json.dumps({"secrets": items}).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    assert json.load(urllib.request.urlopen(req))["success"] == 1000
p.terminate(); p.wait()
p, took = start()
count = 0
marker = ""
print(f"restart with 100,000 secrets answered after {took:.2f} s")
p.terminate(); p.wait()
PY
