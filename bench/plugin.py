#!/usr/bin/env python3
"""What the Python package costs a test suite, and how it compares with moto.

    python3 bench/plugin.py [--dist dist] [--tests 500] [--rounds 3] [--starts 50]

Needs the wheel in dist/ (scripts/release.sh builds it). Makes two virtualenvs under
target/bench-venvs/: one with the wheel, pytest and the Huawei SDK; one with moto, boto3
and pytest. Prints:

- start: from ``CsmsEmulator()`` to a healthy server, median and p95 of --starts starts;
- per test: the cost of ``csms_project`` + ``csms_client`` against an empty test, from two
  suites of --tests tests each (wall time of pytest, median of --rounds runs);
- against moto: --tests tests that each create a secret, read its value and delete it,
  through the official SDK and the plugin's fixtures, and through boto3 on moto's
  ``mock_aws`` with one backend per test as moto's documentation recommends.
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / "target" / "bench-venvs"
CSMS_PACKAGES = ["pytest==8.3.5", "huaweicloudsdkcsms==3.1.219", "huaweicloudsdkcore==3.1.219"]
MOTO_PACKAGES = ["pytest==8.3.5", "moto[secretsmanager]==5.2.6", "boto3==1.44.18"]

EMPTY_SUITE = """
import pytest

@pytest.mark.parametrize("n", range({tests}))
def test_empty(n):
    pass
"""

FIXTURE_SUITE = """
import pytest

@pytest.mark.parametrize("n", range({tests}))
def test_fixtures_only(n, csms_project, csms_client):
    pass
"""

CSMS_SUITE = """
import pytest
from huaweicloudsdkcsms.v1 import (
    CreateSecretRequest, CreateSecretRequestBody, DeleteSecretRequest, ShowSecretVersionRequest,
)

@pytest.mark.parametrize("n", range({tests}))
def test_secret_lifecycle(n, csms_client):
    body = CreateSecretRequestBody(name="db-password", secret_string="s3cr3t")
    csms_client.create_secret(CreateSecretRequest(body=body))
    read = csms_client.show_secret_version(
        ShowSecretVersionRequest(secret_name="db-password", version_id="latest"))
    assert read.version.secret_string == "s3cr3t"
    csms_client.delete_secret(DeleteSecretRequest(secret_name="db-password"))
"""

# moto's documented pytest pattern: fake credentials, and a fixture that yields a client
# inside `mock_aws`, so every test has a backend of its own.
MOTO_SUITE = """
import os
import boto3
import pytest
from moto import mock_aws

@pytest.fixture
def aws_credentials():
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    os.environ["AWS_SECURITY_TOKEN"] = "testing"
    os.environ["AWS_SESSION_TOKEN"] = "testing"
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"

@pytest.fixture
def secretsmanager(aws_credentials):
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")

@pytest.mark.parametrize("n", range({tests}))
def test_secret_lifecycle(n, secretsmanager):
    secretsmanager.create_secret(Name="db-password", SecretString="s3cr3t")
    read = secretsmanager.get_secret_value(SecretId="db-password")
    assert read["SecretString"] == "s3cr3t"
    secretsmanager.delete_secret(SecretId="db-password", ForceDeleteWithoutRecovery=True)
"""

START = """
import statistics, sys, time
from csms_emulator import CsmsEmulator
times = []
for _ in range({starts}):
    started = time.perf_counter()
    emulator = CsmsEmulator()
    times.append((time.perf_counter() - started) * 1000)
    emulator.stop()
times.sort()
print(statistics.median(times), times[max(0, round(len(times) * 0.95) - 1)])
"""


def venv(name: str, packages: list[str], wheel: str | None = None) -> Path:
    path = VENVS / name
    python = path / "bin" / "python"
    stamp = path / "installed.txt"
    wanted = "\n".join(packages + [os.path.basename(wheel) if wheel else ""])
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        if wheel:
            subprocess.run(pip + ["--force-reinstall", "--no-deps", wheel], check=True)
        subprocess.run(pip + packages, check=True)
        stamp.write_text(wanted)
    return python


def pytest_seconds(python: Path, source: str, rounds: int) -> float:
    """Median wall time of `pytest -q` on `source`, over `rounds` runs."""
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "test_suite.py").write_text(textwrap.dedent(source))
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            result = subprocess.run(
                [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_suite.py"],
                cwd=directory,
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - started)
            if result.returncode != 0:
                sys.exit(f"the suite failed:\n{result.stdout}\n{result.stderr}")
        return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    parser.add_argument("--tests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--starts", type=int, default=50)
    args = parser.parse_args()
    wheels = glob.glob(os.path.join(args.dist, "csms_emulator-*x86_64*.whl"))
    if not wheels:
        sys.exit(f"no x86_64 wheel in {args.dist}: run scripts/release.sh first")
    csms = venv("csms", CSMS_PACKAGES, wheels[0])
    moto = venv("moto", MOTO_PACKAGES)

    out = subprocess.run(
        [str(csms), "-c", START.format(starts=args.starts)], check=True, capture_output=True, text=True
    ).stdout.split()
    median_start, p95_start = float(out[0]), float(out[1])

    n = args.tests
    empty = pytest_seconds(csms, EMPTY_SUITE.format(tests=n), args.rounds)
    fixtures = pytest_seconds(csms, FIXTURE_SUITE.format(tests=n), args.rounds)
    csms_suite = pytest_seconds(csms, CSMS_SUITE.format(tests=n), args.rounds)
    moto_suite = pytest_seconds(moto, MOTO_SUITE.format(tests=n), args.rounds)

    per_test_ms = (fixtures - empty) / n * 1000
    print(f"| measure ({n} tests, median of {args.rounds} runs) | result |")
    print("|---|---|")
    print(f"| start, `CsmsEmulator()` to healthy ({args.starts} starts) | median {median_start:.1f} ms, p95 {p95_start:.1f} ms |")
    print(f"| empty suite | {empty:.2f} s |")
    print(f"| `csms_project` + `csms_client`, nothing else | {fixtures:.2f} s |")
    print(f"| cost per test of the fixtures | {per_test_ms:.2f} ms |")
    print(f"| create, read, delete: csms-emulator (SDK, plugin fixtures) | {csms_suite:.2f} s |")
    print(f"| create, read, delete: moto `mock_aws` (boto3), one backend per test | {moto_suite:.2f} s |")
    print(f"| csms-emulator is faster by | {moto_suite / csms_suite:.1f}x |")


if __name__ == "__main__":
    main()
