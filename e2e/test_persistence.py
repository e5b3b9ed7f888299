"""Durable state end to end: kill -9 at random moments loses no acknowledged change and
breaks no invariant; no stored value appears in any file of the data directory; fixtures
round-trip through export; an invalid fixture stops the start with a message naming the
file, the item and the rule; reset empties state."""

import json
import os
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

from conftest import Emulator, PROJECT_ID

BASE = f"/v1/{PROJECT_ID}"


def call(emu, method, path, body=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(emu.endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def start(tmp_path, *args, port=None):
    binary = os.environ["CSMS_BIN"]
    emu = Emulator(binary, "--data-dir", str(tmp_path / "data"), *args)
    return emu


def kill9(emu):
    emu.process.send_signal(signal.SIGKILL)
    emu.process.wait(timeout=10)
    if emu.process.stdout:
        emu.process.stdout.close()


def check_invariants(emu, expected):
    """Every acknowledged secret and version is there, with one SYSCURRENT each."""
    for name, versions in expected.items():
        listed = call(emu, "GET", f"{BASE}/secrets/{name}/versions?limit=100")["version_metadatas"]
        ids = [v["id"] for v in listed]
        for version_id, value in versions.items():
            assert version_id in ids, f"{name} lost acknowledged {version_id}"
            got = call(emu, "GET", f"{BASE}/secrets/{name}/versions/{version_id}")["version"]["secret_string"]
            assert got == value
        current = [v for v in listed if "SYSCURRENT" in v["version_stages"]]
        assert len(current) == 1, f"{name}: {len(current)} SYSCURRENT"
        numbers = [int(i[1:]) for i in ids]
        assert numbers == sorted(set(numbers)), f"{name}: ids {ids}"


WRITERS = 4
# A secret takes new versions only while it holds fewer than this many acknowledged ones, so
# that concurrent writers never push it past the 20-version cap (which drops the oldest).
VERSIONS_BELOW = 12


def test_kill_9_at_random_moments_loses_no_acknowledged_change(tmp_path):
    """Several writers at once, so commits are shared (group commit) when the kill lands."""
    rng = random.Random(4711)
    expected = {}  # secret name -> {version id -> value}, acknowledged only
    lock = threading.Lock()
    for cycle in range(4):
        emu = start(tmp_path)
        check_invariants(emu, expected)
        stop = threading.Event()

        def writer(w, own):
            n = 0
            while not stop.is_set():
                n += 1
                with lock:
                    open_secrets = sorted(k for k, v in expected.items() if len(v) < VERSIONS_BELOW)
                try:
                    if not open_secrets or own.random() < 0.4:
                        name = f"c{cycle}-w{w}-s{n}-{uuid.uuid4().hex[:6]}"
                        value = f"value-{name}"
                        call(emu, "POST", f"{BASE}/secrets", {"name": name, "secret_string": value})
                        with lock:
                            expected[name] = {"v1": value}
                    else:
                        name = own.choice(open_secrets)
                        value = f"value-{name}-w{w}-{n}"
                        meta = call(emu, "POST", f"{BASE}/secrets/{name}/versions", {"secret_string": value})
                        with lock:
                            expected[name][meta["version_metadata"]["id"]] = value
                except (urllib.error.URLError, ConnectionError, OSError):
                    return  # the server died mid-request: not acknowledged

        threads = [threading.Thread(target=writer, args=(w, random.Random(rng.random())))
                   for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.2, 0.8))
        kill9(emu)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    emu = start(tmp_path)
    try:
        assert len(expected) > 10
        assert max(len(v) for v in expected.values()) > 2, "versions were written too"
        check_invariants(emu, expected)
    finally:
        emu.stop()


def test_no_stored_value_appears_in_any_file_of_the_data_directory(tmp_path):
    emu = start(tmp_path)
    canaries = [f"canary-{uuid.uuid4().hex}" for _ in range(5)]
    try:
        for i, canary in enumerate(canaries):
            call(emu, "POST", f"{BASE}/secrets", {"name": f"g{i}", "secret_string": canary})
            call(emu, "POST", f"{BASE}/secrets/g{i}/versions", {"secret_string": canary + "-v2"})
        # the emulated user's password is secret-like too: kept as a hash only
        password = f"password-{uuid.uuid4().hex}"
        canaries.append(password)
        call(emu, "POST", "/v1/csms/users/change-password",
             {"password": password, "old_password": "csms-emulator"})
        call(emu, "POST", "/v1/csms/users/change-password",
             {"password": password + "-2", "old_password": password})
    finally:
        emu.stop()
    data = tmp_path / "data"
    for path in data.iterdir():
        content = path.read_bytes()
        for canary in canaries:
            assert canary.encode() not in content, f"{canary} found in {path.name}"
        assert path.stat().st_mode & 0o777 == 0o600, path.name
    assert data.stat().st_mode & 0o777 == 0o700


def test_fixtures_round_trip_through_export(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"projects": [{
        "id": PROJECT_ID,
        "events": [],
        "secrets": [
            {"name": "db", "create_time": "now-2d", "description": "seeded",
             "tags": {"env": "test"},
             "versions": [{"secret_string": "old"}, {"secret_string": "new", "create_time": "now-1d"}],
             "stages": [{"name": "SYSCURRENT", "version": 2, "update_time": "now-1d"},
                        {"name": "SYSPREVIOUS", "version": 1, "update_time": "now-1d"}]},
            {"name": "app.token", "versions": [{"secret_binary": "AAE="}]},
        ],
    }]}))
    first = Emulator(os.environ["CSMS_BIN"], "--seed", str(seed))
    try:
        exported = call(first, "GET", "/_emulator/export?values=true")
        latest = call(first, "GET", f"{BASE}/secrets/db/versions/latest")["version"]
        assert latest["secret_string"] == "new"
        no_values = call(first, "GET", "/_emulator/export")
        assert "new" not in json.dumps(no_values["projects"][0]["secrets"][0]["versions"])
    finally:
        first.stop()
    again = tmp_path / "again.json"
    again.write_text(json.dumps(exported))
    second = Emulator(os.environ["CSMS_BIN"], "--seed", str(again))
    try:
        assert call(second, "GET", "/_emulator/export?values=true") == exported
    finally:
        second.stop()


def test_a_restart_with_the_same_seed_keeps_what_the_earlier_run_changed(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"projects": [{"id": PROJECT_ID, "secrets": [
        {"name": "db", "versions": [{"secret_string": "seeded"}]}]}]}))
    first = start(tmp_path, "--seed", str(seed))
    try:
        call(first, "POST", f"{BASE}/secrets/db/versions", {"secret_string": "changed"})
        call(first, "POST", f"{BASE}/secrets", {"name": "added", "secret_string": "x"})
    finally:
        first.stop()
    second = start(tmp_path, "--seed", str(seed))
    try:
        latest = call(second, "GET", f"{BASE}/secrets/db/versions/latest")["version"]
        assert latest["secret_string"] == "changed"
        names = sorted(s["name"] for s in call(second, "GET", f"{BASE}/secrets")["secrets"])
        assert names == ["added", "db"]
    finally:
        second.stop()
    # Over existing state the seed is not loaded, but it is still checked.
    seed.write_text(json.dumps({"projects": [{"id": PROJECT_ID, "secrets": [
        {"name": "bad", "versions": [{"secret_string": "x", "secret_binary": "eA=="}]}]}]}))
    result = subprocess.run([os.environ["CSMS_BIN"], "--listen", "127.0.0.1:0",
                             "--data-dir", str(tmp_path / "data"), "--seed", str(seed)],
                            capture_output=True, text=True, timeout=30, env=dict(os.environ, RUST_LOG="info"))
    assert result.returncode != 0
    assert "secrets[0] (bad)" in result.stdout + result.stderr


def test_an_invalid_fixture_stops_the_start_naming_file_item_and_rule(tmp_path):
    seed = tmp_path / "broken.json"
    seed.write_text(json.dumps({"projects": [{"id": PROJECT_ID, "secrets": [
        {"name": "fine", "versions": [{"secret_string": "x"}]},
        {"name": "bad", "versions": [{"secret_string": "x", "secret_binary": "eA=="}]},
    ]}]}))
    result = subprocess.run([os.environ["CSMS_BIN"], "--listen", "127.0.0.1:0", "--seed", str(seed)],
                            capture_output=True, text=True, timeout=30, env=dict(os.environ, RUST_LOG="info"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "broken.json" in output
    assert "secrets[1] (bad)" in output
    assert "exactly one of secret_string and secret_binary" in output


def test_reset_empties_state_and_it_stays_empty_after_a_restart(tmp_path):
    emu = start(tmp_path)
    call(emu, "POST", f"{BASE}/secrets", {"name": "a", "secret_string": "x"})
    call(emu, "POST", "/v1/other/secrets", {"name": "b", "secret_string": "y"})
    call(emu, "POST", "/_emulator/reset?project=other")
    assert call(emu, "GET", "/v1/other/secrets")["secrets"] == []
    assert len(call(emu, "GET", f"{BASE}/secrets")["secrets"]) == 1
    call(emu, "POST", "/_emulator/reset")
    assert call(emu, "GET", f"{BASE}/secrets")["secrets"] == []
    emu.stop()
    emu = start(tmp_path)
    try:
        assert call(emu, "GET", f"{BASE}/secrets")["secrets"] == []
    finally:
        emu.stop()


def test_a_secret_out_of_version_ids_refuses_more_and_its_directory_still_opens(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"projects": [{"id": PROJECT_ID, "secrets": [
        {"name": "busy", "next_version": 4294967294, "versions": [{"secret_string": "first"}]}]}]}))
    first = start(tmp_path, "--seed", str(seed))
    try:
        made = call(first, "POST", f"{BASE}/secrets/busy/versions", {"secret_string": "last"})
        assert made["version_metadata"]["id"] == "v4294967294"
        with pytest.raises(urllib.error.HTTPError) as refused:
            call(first, "POST", f"{BASE}/secrets/busy/versions", {"secret_string": "one too many"})
        assert refused.value.code == 409
        assert json.loads(refused.value.read())["error_code"] == "CSMS.0102"
    finally:
        first.stop()
    second = start(tmp_path)
    try:
        latest = call(second, "GET", f"{BASE}/secrets/busy/versions/latest")["version"]
        assert latest["version_metadata"]["id"] == "v4294967294"
        assert latest["secret_string"] == "last"
    finally:
        second.stop()


@pytest.mark.parametrize("counter", [4294967296, 0])
def test_a_fixture_whose_version_counter_is_out_of_range_is_refused(tmp_path, counter):
    seed = tmp_path / "counter.json"
    seed.write_text(json.dumps({"projects": [{"id": PROJECT_ID, "secrets": [
        {"name": "odd", "next_version": counter, "versions": [{"secret_string": "x"}]}]}]}))
    result = subprocess.run([os.environ["CSMS_BIN"], "--listen", "127.0.0.1:0", "--seed", str(seed)],
                            capture_output=True, text=True, timeout=30, env=dict(os.environ, RUST_LOG="info"))
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "counter.json" in output and "next_version" in output, output
    assert "panicked" not in output


def test_a_clean_stop_keeps_the_last_value_read_times(tmp_path):
    """A read marks last_used_time without a write; a graceful stop writes it, so export,
    clean restart, export gives the same document (docs/behaviour.md §48)."""
    emu = start(tmp_path)
    for name in ("read-me", "never-read"):
        call(emu, "POST", f"{BASE}/secrets", {"name": name, "secret_string": "v"})
    call(emu, "GET", f"{BASE}/secrets/read-me/versions/latest")
    before = call(emu, "GET", "/_emulator/export?values=true")
    by_name = {s["name"]: s for s in before["projects"][0]["secrets"]}
    assert by_name["read-me"]["last_used_time"] is not None
    assert by_name["never-read"].get("last_used_time") is None
    assert emu.stop() == 0
    emu = start(tmp_path)
    try:
        assert call(emu, "GET", "/_emulator/export?values=true") == before
    finally:
        emu.stop()
