#!/usr/bin/env python3
"""The slowest single creates while a project grows through a size: N secrets are loaded
by batch import, then M secrets are created one at a time on one connection, and the six
slowest are printed with where they fell. A stall of the whole store (an index growing
under its lock) shows as one create far slower than the rest at the same count each run.

Usage: bench/growth.py BINARY [--preload N] [--creates M] [--port P]
  The defaults cross 917,504 secrets, where a 2^20-bucket hash table outgrows its 7/8 load:
    bench/growth.py target/release/csms-emulator
"""

import argparse
import http.client
import json
import subprocess
import time

PROJECT = "0123456789abcdef0123456789abcdef"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--preload", type=int, default=880_000)
    parser.add_argument("--creates", type=int, default=60_000)
    parser.add_argument("--port", type=int, default=18490)
    args = parser.parse_args()
    proc = subprocess.Popen(
        [args.binary, "--listen", f"127.0.0.1:{args.port}", "--request-log", "errors"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(500):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
                probe.request("GET", "/_emulator/ready")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.01)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)

        def post(path, body):
            conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 200, answer.status

        loaded = 0
        while loaded < args.preload:
            batch = min(5_000, args.preload - loaded)
            items = [{"name": f"x{loaded + i:08d}", "secret_string": "v"} for i in range(batch)]
            post(f"/v1/{PROJECT}/secrets/batch-import", {"secrets": items})
            loaded += batch
        took = []
        for i in range(args.creates):
            began = time.perf_counter()
            post(f"/v1/{PROJECT}/secrets", {"name": f"y{i:08d}", "secret_string": "v"})
            took.append((time.perf_counter() - began) * 1000)
        slowest = sorted(range(len(took)), key=lambda i: -took[i])[:6]
        median = sorted(took)[len(took) // 2]
        print(f"median {median:.2f} ms; slowest: " + ", ".join(
            f"{took[i]:.1f} ms at secret {args.preload + i + 1:,}" for i in slowest))
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
