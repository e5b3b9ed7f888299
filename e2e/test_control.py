"""The control API end to end, next to the official SDK: the clock purges a scheduled
deletion and rotates an RDS-FG secret, a fault rule makes the SDK see an error exactly N
times, the journal shows the SDK's calls without their values, metrics count them, and the
OpenAPI document is valid and complete."""

import json
import urllib.request
import uuid

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcsms.v1 import (
    CreateSecretRequest,
    CreateSecretRequestBody,
    DeleteSecretForScheduleRequest,
    DeleteSecretForScheduleRequestBody,
    ListSecretVersionsRequest,
    ShowSecretRequest,
    ShowSecretVersionRequest,
)

from conftest import PROJECT_ID


def admin(emulator, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        emulator.endpoint + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        raw = response.read()
        return json.loads(raw) if raw and response.headers.get("Content-Type", "").startswith("application/json") else raw.decode()


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_clock_advance_purges_deletions_and_rotates_database_secrets(emulator, client):
    doomed, db = unique("doomed"), unique("db")
    client.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(name=doomed, secret_string="x")))
    client.delete_secret_for_schedule(
        DeleteSecretForScheduleRequest(secret_name=doomed, body=DeleteSecretForScheduleRequestBody(recovery_window_in_days=7))
    )
    body = CreateSecretRequestBody(
        name=db,
        secret_string=json.dumps({"username": "app", "password": "old"}),
        secret_type="RDS-FG",
        auto_rotation=True,
        rotation_period="1d",
        rotation_config=json.dumps({"InstanceId": "i", "SecretSubType": "SingleUser"}),
        rotation_func_urn="urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:rotate:latest",
    )
    client.create_secret(CreateSecretRequest(body=body))
    before = admin(emulator, "GET", "/_emulator/clock")["now"]
    after = admin(emulator, "POST", "/_emulator/clock", {"advance": "7d"})
    assert after["now"] >= before + 7 * 86_400_000
    with pytest.raises(ClientRequestException) as gone:
        client.show_secret(ShowSecretRequest(secret_name=doomed))
    assert gone.value.status_code == 404
    versions = client.list_secret_versions(ListSecretVersionsRequest(secret_name=db)).version_metadatas
    assert len(versions) == 8  # v1 and one rotation a day for 7 days
    latest = client.show_secret_version(ShowSecretVersionRequest(secret_name=db, version_id="latest")).version
    assert json.loads(latest.secret_string)["password"] != "old"
    admin(emulator, "POST", "/_emulator/clock", {"mode": "real"})


def test_a_fault_rule_fails_the_sdk_exactly_n_times(emulator, client):
    admin(emulator, "POST", "/_emulator/faults", {"operation": "ShowSecret", "status": 503, "error_code": "CSMS.0001", "times": 2})
    name = unique("faulty")
    client.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(name=name, secret_string="x")))
    for _ in range(2):
        with pytest.raises(Exception) as failed:
            client.show_secret(ShowSecretRequest(secret_name=name))
        assert getattr(failed.value, "status_code", None) == 503
        assert getattr(failed.value, "error_code", None) == "CSMS.0001"
    assert client.show_secret(ShowSecretRequest(secret_name=name)).secret.name == name


def test_the_journal_and_metrics_show_the_sdk_calls_without_values(emulator, client):
    admin(emulator, "DELETE", "/_emulator/journal")
    name = unique("journal")
    client.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(name=name, secret_string="never-in-the-journal")))
    client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest"))
    journal = admin(emulator, "GET", "/_emulator/journal")
    ops = [(r["operation"], r["secret"], r["status"]) for r in journal["requests"]]
    assert ("CreateSecret", None, 200) in ops
    assert ("ShowSecretVersion", name, 200) in ops
    assert all(r["project"] == PROJECT_ID for r in journal["requests"])
    assert "never-in-the-journal" not in json.dumps(journal)
    metrics = admin(emulator, "GET", "/_emulator/metrics")
    assert 'csms_emulator_requests_total{operation="ShowSecretVersion",status="200"}' in metrics
    assert f'csms_emulator_secrets{{project="{PROJECT_ID}"}}' in metrics


def test_the_openapi_document_is_valid_and_complete(emulator):
    from openapi_spec_validator import validate

    document = admin(emulator, "GET", "/_emulator/openapi.json")
    validate(document)
    operation_ids = {op["operationId"] for methods in document["paths"].values() for op in methods.values()}
    for expected in ["CreateSecret", "ShowSecretVersion", "BatchDeleteSecrets", "ListResourceInstances",
                     "ShowSecretFunctionTemplates", "KeystoneListProjects", "EmulatorSetClock", "EmulatorMetrics"]:
        assert expected in operation_ids
    csms = [p for p in document["paths"] if p.startswith("/v1/")]
    assert sum(len(document["paths"][p]) for p in csms) == 46
