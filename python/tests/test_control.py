"""The control API as methods: clock, reset, journal, faults, seed, export, states, errors."""

import json
from datetime import datetime, timezone

import pytest
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ServerResponseException,
)
from huaweicloudsdkcsms.v1 import (
    CreateSecretRequest,
    CreateSecretRequestBody,
    ShowSecretRequest,
    ShowSecretVersionRequest,
)

from csms_emulator import CsmsEmulatorError, CsmsEmulatorUnreachable, EmulatorControl

DAY = 86_400


def create(client, name, value="v"):
    return client.create_secret(
        CreateSecretRequest(body=CreateSecretRequestBody(name=name, secret_string=value))
    ).secret


def test_advance_clock_moves_time_and_runs_what_fell_due(emulator):
    client = emulator.client(project_id="clock-project")
    create(client, "doomed")
    emulator._call(
        "POST",
        "/v1/clock-project/secrets/doomed/scheduled-deleted-tasks/create",
        {"recovery_window_in_days": 7},
    )
    before = emulator.clock()
    after = emulator.advance_clock(8 * DAY)
    assert after["now"] - before["now"] >= 8 * DAY * 1000
    assert after["due_work_ran"] == 1
    with pytest.raises(ClientRequestException) as gone:
        client.show_secret(ShowSecretRequest(secret_name="doomed"))
    assert gone.value.error_code == "CSMS.0005"


def test_set_clock_takes_a_datetime_or_seconds_and_can_freeze(emulator):
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    frozen = emulator.set_clock(moment, frozen=True)
    assert frozen["mode"] == "frozen" and frozen["now"] == int(moment.timestamp() * 1000)
    assert emulator.clock()["now"] == int(moment.timestamp() * 1000)
    assert emulator.set_clock(1_900_000_000.5)["now"] == 1_900_000_000_500
    assert emulator.set_clock(frozen=False)["mode"] == "real"
    with pytest.raises(ValueError):
        emulator.set_clock()


def test_reset_empties_one_project_or_all(emulator):
    for project in ("a", "b"):
        create(emulator.client(project_id=project), "s")
    emulator.reset("a")
    assert emulator.export("a")["projects"][0]["secrets"] == []
    assert emulator.export("b")["projects"][0]["secrets"]
    emulator.reset()
    assert emulator.export()["projects"] == []


def test_the_journal_lists_requests_and_can_be_cleared(emulator):
    client = emulator.client(project_id="j")
    create(client, "journaled")
    client.show_secret(ShowSecretRequest(secret_name="journaled"))
    entries = emulator.journal()
    assert [e["operation"] for e in entries[-2:]] == ["CreateSecret", "ShowSecret"]
    assert entries[-1]["project"] == "j" and entries[-1]["secret"] == "journaled"
    assert len(emulator.journal(limit=1)) == 1
    emulator.clear_journal()
    assert emulator.journal() == []


def test_an_injected_fault_fails_the_sdk_call_then_can_be_removed(emulator):
    client = emulator.client(project_id="f")
    create(client, "target", "value")
    fault = emulator.inject_fault(
        "ShowSecretVersion", status=503, error_code="CSMS.0006", error_msg="injected", project_id="f"
    )
    assert [f["id"] for f in emulator.faults()] == [fault]
    request = ShowSecretVersionRequest(secret_name="target", version_id="latest")
    with pytest.raises(ServerResponseException) as failed:
        client.show_secret_version(request)
    assert (failed.value.status_code, failed.value.error_code) == (503, "CSMS.0006")
    emulator.remove_fault(fault)
    assert client.show_secret_version(request).version.secret_string == "value"
    emulator.inject_fault(status=500, error_code="CSMS.0001", times=1)
    emulator.clear_faults()
    assert emulator.faults() == []


def test_seed_loads_a_dict_or_a_file_into_a_project(emulator, tmp_path):
    fixture = {"projects": [{"id": "any", "secrets": [{"name": "db", "versions": [{"secret_string": "pw"}]}]}]}
    assert emulator.seed(fixture, project_id="into-here") == {
        "project_id": "into-here",
        "secrets": 1,
        "events": 0,
    }
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(fixture))
    assert emulator.seed(path)["project_id"] == "any"
    value = emulator.client(project_id="into-here").show_secret_version(
        ShowSecretVersionRequest(secret_name="db", version_id="latest")
    )
    assert value.version.secret_string == "pw"


def test_export_leaves_values_out_unless_asked(emulator):
    create(emulator.client(project_id="e"), "exported", "hidden")
    without = emulator.export("e")["projects"][0]["secrets"][0]["versions"][0]
    assert "secret_string" not in without
    with_values = emulator.export("e", values=True)["projects"][0]["secrets"][0]["versions"][0]
    assert with_values["secret_string"] == "hidden"


def test_a_secret_state_can_be_set(emulator):
    create(emulator.client(), "stateful")
    assert emulator.set_secret_state("stateful", "FROZEN")["state"] == "FROZEN"


def test_a_refused_control_call_raises_with_the_emulators_error(emulator):
    with pytest.raises(CsmsEmulatorError) as refused:
        emulator.seed({"projects": []})
    assert refused.value.status == 400
    assert refused.value.error_code == "CSMS.0002"
    assert "exactly one" in refused.value.error_msg
    assert "POST /_emulator/seed" in str(refused.value)
    with pytest.raises(CsmsEmulatorError) as missing:
        emulator.remove_fault(424242)
    assert (missing.value.status, missing.value.error_code) == (404, "CSMS.0005")


def test_an_emulator_that_is_not_there_is_unreachable():
    nobody = EmulatorControl("http://127.0.0.1:9")
    assert not nobody.is_healthy()
    assert not nobody.is_ready()
    with pytest.raises(CsmsEmulatorUnreachable):
        nobody.clock()


def test_control_talks_to_an_emulator_it_did_not_start(emulator):
    remote = EmulatorControl(emulator.endpoint + "/")
    assert remote.endpoint == emulator.endpoint
    assert remote.is_healthy() and remote.is_ready()
    remote.seed({"projects": [{"id": "r", "secrets": [{"name": "via-remote", "versions": [{"secret_string": "v"}]}]}]})
    assert emulator.export("r")["projects"][0]["secrets"][0]["name"] == "via-remote"
