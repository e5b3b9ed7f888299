#!/usr/bin/env python3
"""Start time and memory of csms-emulator.

start: from spawning the process to its first 200 on /_emulator/ready (median of N runs).
memory: RSS after loading 100,000 secrets, each with one 100-byte version (batch import,
1,000 items a request).
Usage: bench/footprint.py BINARY [PORT]
"""

import json
import statistics
import subprocess
import sys
import time
import urllib.request

BINARY = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 18090
BASE = f"http://127.0.0.1:{PORT}"
PROJECT = "0123456789abcdef0123456789abcdef"


def start():
    began = time.perf_counter()
    proc = subprocess.Popen([BINARY, "--listen", f"127.0.0.1:{PORT}"], env={"RUST_LOG": "warn"})
    while True:
        try:
            with urllib.request.urlopen(BASE + "/_emulator/ready", timeout=1) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - began
        except OSError:
            time.sleep(0.0005)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    times = []
    for _ in range(10):
        proc, took = start()
        times.append(took * 1000)
        proc.terminate()
        proc.wait()
    print(f"start to first answer: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms (10 runs)")

    proc, _ = start()
    try:
        idle = rss_kib(proc.pid)
        value = "v" * 100
        for chunk in range(100):
            items = [{"name": f"s-{chunk:03d}-{i:04d}", "secret_string": value} for i in range(1000)]
            req = urllib.request.Request(
                f"{BASE}/v1/{PROJECT}/secrets/batch-import",
                data=json.dumps({"secrets": items}).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(req) as r:
                result = json.load(r)
                assert result["success"] == 1000, result
        loaded = rss_kib(proc.pid)
        print(f"RSS idle {idle / 1024:.1f} MiB; with 100,000 secrets of one 100-byte version: {loaded / 1024:.1f} MiB")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
