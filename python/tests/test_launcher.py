"""CsmsEmulator: start on a free port, options as flags, errors, stop, no leaked process."""

import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time
import urllib.request

import pytest

import csms_emulator
from csms_emulator import CsmsEmulator, EmulatorStartError, find_binary

# Generous bounds for waits on another process: reaching one is a failure, not slowness.
PATIENCE = 60


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=PATIENCE) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pid):
    deadline = time.monotonic() + PATIENCE
    while pid_alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return False
        time.sleep(0.01)
    return True


def test_the_bundled_binary_is_the_wheels_script_and_reports_its_version():
    binary = find_binary()
    scripts = os.path.realpath(sysconfig.get_path("scripts"))
    assert os.path.dirname(os.path.realpath(binary)) == scripts
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith(f"csms-emulator {csms_emulator.__version__} (commit ")


def test_python_dash_m_runs_the_binary():
    out = subprocess.run(
        [sys.executable, "-m", "csms_emulator", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("csms-emulator ")


def test_it_serves_on_a_free_loopback_port_and_exposes_endpoint_and_project(emulator):
    assert emulator.endpoint.startswith("http://127.0.0.1:")
    assert not emulator.endpoint.endswith(":0")
    assert emulator.project_id == "0123456789abcdef0123456789abcdef"
    status, _ = get(emulator.endpoint + "/_emulator/health")
    assert status == 200


def test_two_emulators_run_at_once_on_different_ports():
    with CsmsEmulator() as first, CsmsEmulator() as second:
        assert first.endpoint != second.endpoint
        first.seed({"projects": [{"id": "p", "secrets": [{"name": "only-in-first", "versions": [{"secret_string": "v"}]}]}]})
        assert first.export("p")["projects"][0]["secrets"]
        assert second.export("p")["projects"][0]["secrets"] == []


def test_an_explicit_port_is_used(unused_tcp_port):
    with CsmsEmulator(port=unused_tcp_port) as emulator:
        assert emulator.endpoint == f"http://127.0.0.1:{unused_tcp_port}"


@pytest.fixture
def unused_tcp_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_options_become_flags():
    with CsmsEmulator(project_id="fedcba9876543210fedcba9876543210", journal_size=3) as emulator:
        pairs = list(zip(emulator.command, emulator.command[1:]))
        assert ("--project-id", "fedcba9876543210fedcba9876543210") in pairs
        assert ("--journal-size", "3") in pairs
        status, body = get(emulator.endpoint + "/v3/projects?name=cn-north-4")
        assert status == 200 and b"fedcba9876543210fedcba9876543210" in body
        for _ in range(4):
            get(emulator.endpoint + "/v1/p/secrets")
        assert [e["operation"] for e in emulator.journal()] == ["ListSecrets"] * 3
        assert emulator.project_id == "fedcba9876543210fedcba9876543210"


def test_enforce_mode_signs_clients_with_the_first_credential_and_opens_control_with_the_token():
    from huaweicloudsdkcsms.v1 import CreateSecretRequest, CreateSecretRequestBody

    with CsmsEmulator(auth="enforce", credentials=[("AKTEST", "SKTEST")], control_token="ctl") as emulator:
        status, _ = get(emulator.endpoint + "/v1/p/secrets")
        assert status == 401
        status, _ = get(emulator.endpoint + "/_emulator/clock")
        assert status == 401
        assert emulator.clock()["mode"] in ("real", "frozen")  # sends the control token
        client = emulator.client(project_id="p")
        body = CreateSecretRequestBody(name="signed", secret_string="v")
        assert client.create_secret(CreateSecretRequest(body=body)).secret.name == "signed"


def test_by_default_only_error_answers_get_a_log_line_and_all_can_be_asked_for():
    quiet, loud = CsmsEmulator(), CsmsEmulator(request_log="all")
    for emulator in (quiet, loud):
        get(emulator.endpoint + "/v1/p/secrets")
        get(emulator.endpoint + "/v1/p/secrets/missing")
        emulator.stop()  # the log writer flushes what it holds as the process ends
    quiet_lines = [line for line in quiet.output().splitlines() if " request " in line]
    assert len(quiet_lines) == 1 and "status=404" in quiet_lines[0], quiet.output()
    loud_lines = [line for line in loud.output().splitlines() if " path=/v1/" in line]
    assert len(loud_lines) == 2, loud.output()
    assert "csms-emulator serving listen=" in quiet.output()


def test_a_seed_dict_is_loaded_before_serving():
    fixture = {"projects": [{"id": "seeded", "secrets": [{"name": "db", "versions": [{"secret_string": "pw"}]}]}]}
    with CsmsEmulator(seed=fixture) as emulator:
        exported = emulator.export("seeded", values=True)
        assert exported["projects"][0]["secrets"][0]["versions"][0]["secret_string"] == "pw"
        seed_file = emulator._seed_file
        assert seed_file and os.path.exists(seed_file)
    assert not os.path.exists(seed_file)


def test_the_binary_can_be_chosen_by_the_environment(monkeypatch, tmp_path):
    wrapper = tmp_path / "wrapped-emulator"
    marker = tmp_path / "started"
    wrapper.write_text(f"#!/bin/sh\ntouch {marker}\nexec {find_binary()} \"$@\"\n")
    wrapper.chmod(0o755)
    monkeypatch.setenv("CSMS_EMULATOR_BINARY", str(wrapper))
    with CsmsEmulator() as emulator:
        assert emulator.is_healthy()
    assert marker.exists()


def test_csms_variables_in_the_callers_environment_do_not_reach_the_emulator(monkeypatch):
    monkeypatch.setenv("CSMS_AUTH", "enforce")
    monkeypatch.setenv("CSMS_JOURNAL_SIZE", "0")
    with CsmsEmulator() as emulator:
        status, _ = get(emulator.endpoint + "/v1/p/secrets")
        assert status == 200, "CSMS_AUTH leaked into the emulator"
        assert emulator.journal(), "CSMS_JOURNAL_SIZE leaked into the emulator"
    with CsmsEmulator(env={"CSMS_AUTH": "enforce", "CSMS_CONTROL_TOKEN": "t"}, control_token="t") as emulator:
        status, _ = get(emulator.endpoint + "/v1/p/secrets")
        assert status == 401, "env= sets them"


def test_a_proxy_in_the_environment_is_not_used_for_loopback_calls(monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with CsmsEmulator() as emulator:
        assert emulator.clock()["mode"] == "real"


def test_a_failed_start_says_why():
    with pytest.raises(EmulatorStartError) as failed:
        CsmsEmulator(auth="sometimes")
    message = str(failed.value)
    assert "exited with status" in message and "sometimes" in message


def test_a_missing_binary_is_a_clear_error_and_leaves_no_seed_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(EmulatorStartError, match="cannot run"):
        CsmsEmulator(binary=tmp_path / "nothing-here", seed={"projects": []})
    assert not list(tmp_path.glob("csms-seed-*")), "the seed file (values!) was left behind"


def test_stop_ends_the_process_cleanly_and_twice_is_harmless():
    emulator = CsmsEmulator()
    pid = emulator.pid
    assert emulator.stop() == 0
    assert emulator.stop() == 0
    assert not emulator.running
    assert wait_gone(pid)


def test_the_emulator_does_not_outlive_a_killed_python_process(tmp_path):
    script = textwrap.dedent(
        """
        import sys, time
        from csms_emulator import CsmsEmulator
        emulator = CsmsEmulator()
        print(emulator.pid, flush=True)
        time.sleep(3600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    emulator_pid = int(parent.stdout.readline())
    assert pid_alive(emulator_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert wait_gone(emulator_pid), "the emulator outlived the killed process"
