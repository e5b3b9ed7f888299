#!/usr/bin/env python3
"""How request costs grow with the data: one project holding N secrets (1% tagged
env=prod), loaded by batch import, then per-request medians on loopback.

Usage: bench/scale.py BINARY [SIZES] [--port P] [--rounds R] [--load-only]
  SIZES: comma-separated, default 1000,10000,100000 (add 1000000 for the full table)
  --load-only: only load each size and print the RSS after load (a quick memory check)

For each size it prints, as one markdown table:
  first page         GET …/secrets?limit=50
  marker near end    GET …/secrets?limit=50&marker=<the 100th name from the end>
  search, limit 10   POST …/csms/resource_instances/action  filter env=prod, limit 10
  count              the same search with action=count
  page through all   every secret, limit=100, following the markers (seconds)
  create-version p99 while another connection searches in a loop (ms)
  import per item    batch import of 100-item vs 5,000-item requests (µs per item)
  fixture start      spawn with --seed of N secrets to the first 200 from /_emulator/ready
  RSS after load     the process's resident memory once the batch import is done
  restart            with --data-dir holding the N secrets: spawn to first ready (seconds)
"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

PROJECT = "0123456789abcdef0123456789abcdef"
VALUE = "v" * 100


def name(i):
    return f"s-{i:07d}"


def secret(i):
    item = {"name": name(i), "secret_string": VALUE}
    return item


class Emulator:
    def __init__(self, binary, port, *extra):
        self.port = port
        began = time.perf_counter()
        self.proc = subprocess.Popen(
            [binary, "--listen", f"127.0.0.1:{port}", "--request-log", "errors", *extra],
            env={**os.environ, "RUST_LOG": "warn"},
            stdout=subprocess.DEVNULL,
        )
        while True:
            try:
                if self.call("GET", "/_emulator/ready")[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"the emulator exited with {self.proc.returncode}")
            time.sleep(0.002)
        self.started_in = time.perf_counter() - began

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def call(self, method, path, body=None, conn=None):
        own = conn is None
        conn = conn or self.connection()
        data = None if body is None else json.dumps(body)
        headers = {} if body is None else {"Content-Type": "application/json"}
        conn.request(method, path, body=data, headers=headers)
        answer = conn.getresponse()
        payload = answer.read()
        if own:
            conn.close()
        return answer.status, payload

    def rss_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def load(emulator, n, chunk=5000):
    conn = emulator.connection()
    for start in range(0, n, chunk):
        items = [secret(i) for i in range(start, min(n, start + chunk))]
        status, body = emulator.call(
            "POST", f"/v1/{PROJECT}/secrets/batch-import", {"secrets": items}, conn
        )
        assert status == 200, body[:200]
    # 1% tagged env=prod, spread over the names
    for i in range(0, n, 100):
        sid = json.loads(emulator.call("GET", f"/v1/{PROJECT}/secrets/{name(i)}", conn=conn)[1])[
            "secret"
        ]["id"]
        status, body = emulator.call(
            "POST", f"/v1/{PROJECT}/csms/{sid}/tags", {"tag": {"key": "env", "value": "prod"}}, conn
        )
        assert status == 204, body[:200]
    conn.close()


def median_ms(emulator, rounds, method, path, body=None):
    conn = emulator.connection()
    took = []
    for _ in range(rounds):
        began = time.perf_counter()
        status, payload = emulator.call(method, path, body, conn)
        took.append((time.perf_counter() - began) * 1000)
        assert status == 200, payload[:200]
    conn.close()
    return statistics.median(took)


def page_through(emulator):
    conn = emulator.connection()
    began = time.perf_counter()
    marker, seen = None, 0
    while True:
        path = f"/v1/{PROJECT}/secrets?limit=100" + (f"&marker={marker}" if marker else "")
        page = json.loads(emulator.call("GET", path, conn=conn)[1])
        seen += len(page["secrets"])
        marker = page["page_info"].get("next_marker")
        if not marker:
            break
    conn.close()
    return time.perf_counter() - began, seen


def search_body(action):
    return {"action": action, "limit": "10", "tags": [{"key": "env", "values": ["prod"]}]}


def writes_under_search(emulator, count=400):
    stop = threading.Event()

    def searching():
        conn = emulator.connection()
        path = f"/v1/{PROJECT}/csms/resource_instances/action"
        while not stop.is_set():
            emulator.call("POST", path, search_body("count"), conn)
        conn.close()

    searcher = threading.Thread(target=searching)
    searcher.start()
    conn = emulator.connection()
    took = []
    for i in range(count):
        began = time.perf_counter()
        status, _ = emulator.call(
            "POST", f"/v1/{PROJECT}/secrets/{name(1)}/versions", {"secret_string": f"v{i}"}, conn
        )
        took.append((time.perf_counter() - began) * 1000)
        assert status == 200
    stop.set()
    searcher.join()
    conn.close()
    took.sort()
    return took[int(len(took) * 0.99) - 1]


def import_cost(emulator, items_per_request, total=20000):
    conn = emulator.connection()
    began = time.perf_counter()
    for start in range(0, total, items_per_request):
        items = [
            {"name": f"imp-{items_per_request}-{i:07d}", "secret_string": VALUE}
            for i in range(start, start + items_per_request)
        ]
        status, body = emulator.call(
            "POST", f"/v1/{PROJECT}/secrets/batch-import", {"secrets": items}, conn
        )
        assert status == 200, body[:200]
    conn.close()
    return (time.perf_counter() - began) / total * 1e6


def fixture_start(binary, port, n):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fixture.json")
        secrets = [{"name": name(i), "versions": [{"secret_string": VALUE}]} for i in range(n)]
        with open(path, "w") as f:
            json.dump({"format": 1, "projects": [{"id": PROJECT, "secrets": secrets}]}, f)
        emulator = Emulator(binary, port, "--seed", path)
        emulator.stop()
        return emulator.started_in


def restart(binary, port, n):
    data = tempfile.mkdtemp(prefix="csms-scale-")
    try:
        emulator = Emulator(binary, port, "--data-dir", data)
        load(emulator, n)
        emulator.stop()
        emulator = Emulator(binary, port, "--data-dir", data)
        emulator.stop()
        return emulator.started_in
    finally:
        shutil.rmtree(data, ignore_errors=True)


def measure(binary, port, n, rounds, load_only=False):
    row = {}
    emulator = Emulator(binary, port)
    try:
        load(emulator, n)
        row["RSS after load (MiB)"] = f"{emulator.rss_mib():.0f}"
        if load_only:
            return row
        base = f"/v1/{PROJECT}/secrets"
        row["first page (ms)"] = f"{median_ms(emulator, rounds, 'GET', base + '?limit=50'):.2f}"
        marker = name(max(0, n - 100))
        row["marker near end (ms)"] = (
            f"{median_ms(emulator, rounds, 'GET', f'{base}?limit=50&marker={marker}'):.2f}"
        )
        search = f"/v1/{PROJECT}/csms/resource_instances/action"
        row["search, limit 10 (ms)"] = (
            f"{median_ms(emulator, rounds, 'POST', search, search_body('filter')):.2f}"
        )
        row["count (ms)"] = f"{median_ms(emulator, rounds, 'POST', search, search_body('count')):.2f}"
        took, seen = page_through(emulator)
        assert seen == n, (seen, n)
        row["page through all (s)"] = f"{took:.2f}"
        row["create-version p99 under search (ms)"] = f"{writes_under_search(emulator):.2f}"
        small, large = import_cost(emulator, 100), import_cost(emulator, 5000)
        row["import per item, 100 / 5,000 a request (µs)"] = f"{small:.0f} / {large:.0f}"
    finally:
        emulator.stop()
    row["fixture start (s)"] = f"{fixture_start(binary, port, n):.2f}"
    row["restart with --data-dir (s)"] = f"{restart(binary, port, n):.2f}"
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("sizes", nargs="?", default="1000,10000,100000")
    parser.add_argument("--port", type=int, default=18095)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--load-only", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = {}
    for n in sizes:
        rows[n] = measure(args.binary, args.port, n, args.rounds, args.load_only)
        print(f"# {n:,} secrets: {rows[n]}", flush=True)
    keys = list(rows[sizes[0]])
    print("\n| | " + " | ".join(f"{n:,}" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for key in keys:
        print(f"| {key} | " + " | ".join(rows[n][key] for n in sizes) + " |")


if __name__ == "__main__":
    main()
