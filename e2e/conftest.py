"""Starts the csms-emulator binary for the end-to-end suite and builds SDK clients for it.

The binary comes from $CSMS_BIN (cargo's path to the built binary when `cargo test` runs
this suite). Each test module gets a fresh emulator on a free loopback port.
"""

import os
import socket
import subprocess
import time
import urllib.request

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcsms.v1 import CsmsClient

PROJECT_ID = "0123456789abcdef0123456789abcdef"
AK = "AKEXAMPLE"
SK = "SKEXAMPLE"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    def __init__(self, binary, *args):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, RUST_LOG="warn")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [binary, "--listen", f"127.0.0.1:{self.port}", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = started + 10
        while True:
            try:
                with urllib.request.urlopen(self.endpoint + "/_emulator/ready", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                out = self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""
                raise RuntimeError(f"emulator did not start: {out}")
            time.sleep(0.005)
        self.startup_seconds = time.monotonic() - started

    def client(self, project_id=PROJECT_ID, ak=AK, sk=SK):
        credentials = BasicCredentials(ak, sk, project_id)
        return CsmsClient.new_builder().with_credentials(credentials).with_endpoint(self.endpoint).build()

    def stop(self):
        self.process.terminate()
        try:
            return self.process.wait(timeout=10)
        finally:
            if self.process.stdout:
                self.process.stdout.close()


def start_emulator(*args):
    binary = os.environ.get("CSMS_BIN")
    if not binary:
        pytest.fail("CSMS_BIN must name the csms-emulator binary")
    return Emulator(binary, *args)


class RemoteEmulator:
    """An emulator started elsewhere (for example a container), reached at $CSMS_ENDPOINT."""

    def __init__(self, endpoint):
        self.endpoint = endpoint.rstrip("/")
        self.port = int(self.endpoint.rsplit(":", 1)[1])
        self.startup_seconds = 0.0
        self.process = None

    client = Emulator.client


@pytest.fixture(scope="module")
def emulator():
    endpoint = os.environ.get("CSMS_ENDPOINT")
    if endpoint:
        yield RemoteEmulator(endpoint)
        return
    emu = start_emulator()
    yield emu
    code = emu.stop()
    assert code == 0, f"the emulator exited with {code} on SIGTERM"


@pytest.fixture(scope="module")
def client(emulator):
    return emulator.client()
