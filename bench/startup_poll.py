#!/usr/bin/env python3
"""A restart on a data directory of 100,000 secrets, polled from the first moment.

    python3 bench/startup_poll.py BINARY [SECRETS=100000] [PORT=18093]

Fills a fresh data directory (batch import, 1,000 items a request), stops the emulator,
then starts it again and asks for a secret's value in a loop from the moment it is
spawned, one request per connection, until one is served. Prints how each request ended
(connection refused before the port is bound, 503 while loading, 200), the longest any
single request waited for its answer, and when the first 200 came. A request left waiting
while the state loads shows as a long wait; with the start-up gate every answer is
immediate (docs/behaviour.md §52).
"""

import collections
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import time

BINARY = sys.argv[1]
SECRETS = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 18093
PROJECT = "0123456789abcdef0123456789abcdef"


def request(method, path, body=None, timeout=60):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def spawn(data_dir):
    return subprocess.Popen(
        [BINARY, "--listen", f"127.0.0.1:{PORT}", "--data-dir", data_dir],
        env={"RUST_LOG": "warn"},
        stdout=subprocess.DEVNULL,
    )


def wait_ready():
    while True:
        try:
            if request("GET", "/_emulator/ready") == 200:
                return
        except OSError:
            pass
        time.sleep(0.01)


def main():
    data_dir = tempfile.mkdtemp(prefix="csms-startup-")
    try:
        process = spawn(data_dir)
        wait_ready()
        value = "v" * 100
        for chunk in range(SECRETS // 1000):
            items = [{"name": f"s-{chunk:04d}-{i:04d}", "secret_string": value} for i in range(1000)]
            status = request("POST", f"/v1/{PROJECT}/secrets/batch-import", {"secrets": items})
            assert status == 200, status
        process.terminate()
        process.wait()

        path = f"/v1/{PROJECT}/secrets/s-0000-0000/versions/latest"
        outcomes = collections.Counter()
        longest = 0.0
        began = time.perf_counter()
        process = spawn(data_dir)
        first_answer = first_ok = None
        while first_ok is None:
            sent = time.perf_counter()
            try:
                status = request("GET", path)
                outcome = str(status)
                if first_answer is None:
                    first_answer = sent - began
                if status == 200:
                    first_ok = time.perf_counter() - began
            except ConnectionRefusedError:
                outcome = "refused (not bound yet)"
            except OSError as err:
                outcome = f"failed: {type(err).__name__}"
            waited = time.perf_counter() - sent
            if outcome != "refused (not bound yet)":
                longest = max(longest, waited)
            outcomes[outcome] += 1
        process.terminate()
        process.wait()
        print(f"restart with {SECRETS:,} secrets, polled from spawn, one request per connection:")
        for outcome, count in sorted(outcomes.items()):
            print(f"  {outcome}: {count}")
        print(f"  first answer {first_answer * 1000:.1f} ms after spawn; first 200 after "
              f"{first_ok * 1000:.0f} ms; longest wait for one answer {longest * 1000:.1f} ms")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
