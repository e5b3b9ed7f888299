#!/usr/bin/env python3
"""How fast the web console's secret list answers with 10,000 secrets in a project.

Loads 10,000 secrets (batch import, 1,000 a request), then times the route the console's
list page reads: the first page (50 rows), a name-filtered page and the last page, each
200 times on one keep-alive connection; prints the median and p99 in milliseconds, server
time plus loopback.
Usage: cargo build --release && bench/console.py target/release/csms-emulator [PORT]
"""

import http.client
import json
import statistics
import subprocess
import sys
import time
import urllib.request

BINARY = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 18091
PROJECT = "0123456789abcdef0123456789abcdef"
SECRETS = 10_000


def main():
    proc = subprocess.Popen([BINARY, "--listen", f"127.0.0.1:{PORT}"], env={"RUST_LOG": "warn"})
    try:
        for _ in range(1000):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/_emulator/ready", timeout=1)
                break
            except OSError:
                time.sleep(0.01)
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        for start in range(0, SECRETS, 1000):
            items = [{"name": f"secret-{i:05}", "secret_string": "v" * 100} for i in range(start, start + 1000)]
            conn.request("POST", f"/v1/{PROJECT}/secrets/batch-import", json.dumps({"secrets": items}), {"Content-Type": "application/json"})
            assert conn.getresponse().read()
        listed = json.loads(get(conn, f"/_emulator/projects/{PROJECT}/secrets?limit=50"))
        assert listed["total"] == SECRETS, listed["total"]
        for label, query in [("first page", "limit=50"), ("name filter", "name=secret-09&limit=50"), ("last page", "offset=9950&limit=50")]:
            path = f"/_emulator/projects/{PROJECT}/secrets?{query}"
            times = []
            for _ in range(200):
                began = time.perf_counter()
                get(conn, path)
                times.append((time.perf_counter() - began) * 1000)
            times.sort()
            print(f"{label:12} median {statistics.median(times):6.2f} ms   p99 {times[int(len(times) * 0.99) - 1]:6.2f} ms")
    finally:
        proc.terminate()
        proc.wait()


def get(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, (response.status, body[:200])
    return body


if __name__ == "__main__":
    main()
