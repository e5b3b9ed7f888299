"""The core operations, driven through the official Huawei Python SDK (huaweicloudsdkcsms)."""

import base64
import json
import time
import urllib.request
import uuid

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_response import SdkResponse
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcsms.v1 import (
    BatchImportSecretsRequest,
    CreateSecretRequest,
    CreateSecretRequestBody,
    CreateSecretVersionRequest,
    CreateSecretVersionRequestBody,
    CsmsClient,
    ImportSecretsRequest,
    ListSecretsRequest,
    ListSecretVersionsRequest,
    ShowSecretRequest,
    ShowSecretStageRequest,
    ShowSecretVersionRequest,
)
from huaweicloudsdkcsms.v1.region.csms_region import CsmsRegion

from conftest import PROJECT_ID


class RawResponse(SdkResponse):
    """A response model with no fields: the SDK keeps the body in `raw_content`."""

    openapi_types = {}
    attribute_map = {}


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create(client, name, value="value", **fields):
    body = CreateSecretRequestBody(name=name, secret_string=value, **fields)
    return client.create_secret(CreateSecretRequest(body=body)).secret


def test_create_secret_returns_the_full_secret(client):
    name = unique("create")
    secret = create(client, name, "hunter2", description="made by the SDK")
    assert secret.name == name
    assert secret.state == "ENABLED"
    assert secret.description == "made by the SDK"
    assert secret.secret_type == "COMMON"
    assert secret.enterprise_project_id == "0"
    assert uuid.UUID(secret.id)
    assert uuid.UUID(secret.kms_key_id)
    assert len(str(secret.create_time)) == 13  # milliseconds (D1)
    assert secret.scheduled_delete_time is None


def test_create_secret_with_rotation_settings(client):
    name = unique("rds")
    secret = create(
        client,
        name,
        json.dumps({"password": "p"}),
        secret_type="RDS-FG",
        auto_rotation=True,
        rotation_period="1d",
        rotation_config=json.dumps({"InstanceId": "inst-e2e", "SecretSubType": "SingleUser"}),
        rotation_func_urn="urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:rotate:latest",
    )
    assert secret.auto_rotation is True
    assert secret.rotation_period == "1d"
    assert secret.next_rotation_time - secret.create_time == 86_400_000


def test_automatic_rotation_needs_a_database_secret_and_its_function(client):
    # "Creating a Secret": auto_rotation only for specific secret types, and
    # rotation_func_urn is mandatory when it is enabled
    common = dict(auto_rotation=True, rotation_period="1d", rotation_func_urn="urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:rotate:latest")
    with pytest.raises(ClientRequestException) as refused:
        create(client, unique("common-rot"), **common)
    assert refused.value.status_code == 400 and "auto_rotation" in refused.value.error_msg
    rds = dict(
        secret_type="RDS-FG",
        auto_rotation=True,
        rotation_period="1d",
        rotation_config=json.dumps({"InstanceId": "i", "SecretSubType": "SingleUser"}),
    )
    with pytest.raises(ClientRequestException) as refused:
        create(client, unique("rds-no-urn"), json.dumps({"password": "p"}), **rds)
    assert refused.value.status_code == 400 and "rotation_func_urn" in refused.value.error_msg


def test_create_secret_errors_reach_the_sdk_as_client_exceptions(client):
    name = unique("dup")
    create(client, name)
    with pytest.raises(ClientRequestException) as conflict:
        create(client, name)
    assert conflict.value.status_code == 409
    assert conflict.value.error_code == "CSMS.0101"
    assert len(conflict.value.request_id) == 32

    with pytest.raises(ClientRequestException) as invalid:
        create(client, "bad/name")
    assert invalid.value.status_code == 400
    assert invalid.value.error_code == "CSMS.0002"

    with pytest.raises(ClientRequestException) as legacy:
        create(client, unique("legacy"), secret_type="RDS")
    assert legacy.value.error_code == "CSMS.0002"


def test_show_secret_and_not_found(client):
    name = unique("show")
    created = create(client, name)
    shown = client.show_secret(ShowSecretRequest(secret_name=name)).secret
    assert shown.id == created.id
    assert shown.create_time == created.create_time
    with pytest.raises(ClientRequestException) as missing:
        client.show_secret(ShowSecretRequest(secret_name=unique("absent")))
    assert missing.value.status_code == 404
    assert missing.value.error_code == "CSMS.0005"


def test_versions_stages_and_latest(client):
    name = unique("ver")
    create(client, name, "one")
    meta = client.create_secret_version(
        CreateSecretVersionRequest(
            secret_name=name, body=CreateSecretVersionRequestBody(secret_string="two")
        )
    ).version_metadata
    assert meta.id == "v2"
    assert meta.version_stages == ["SYSCURRENT"]

    expire = (int(time.time()) + 48 * 3600) * 1000
    staged = client.create_secret_version(
        CreateSecretVersionRequest(
            secret_name=name,
            body=CreateSecretVersionRequestBody(
                secret_string="three", version_stages=["CANARY"], expire_time=expire
            ),
        )
    ).version_metadata
    assert staged.id == "v3"
    assert staged.version_stages == ["CANARY"]
    assert staged.expire_time == expire

    latest = client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest"))
    assert latest.version.secret_string == "two"
    # ListSecretVersions.json: marker `v[0-9]{1,10}|latest`; v2 holds SYSCURRENT, so v3 follows
    after = client.list_secret_versions(ListSecretVersionsRequest(secret_name=name, marker="latest"))
    assert [v.id for v in after.version_metadatas] == ["v3"]
    with pytest.raises(ClientRequestException) as padded:
        client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="v02"))
    assert padded.value.status_code == 404
    assert latest.version.version_metadata.id == "v2"
    first = client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="v1"))
    assert first.version.secret_string == "one"
    assert first.version.version_metadata.version_stages == ["SYSPREVIOUS"]

    stage = client.show_secret_stage(ShowSecretStageRequest(secret_name=name, stage_name="CANARY")).stage
    assert stage.version_id == "v3"
    assert stage.secret_name == name

    listed = client.list_secret_versions(ListSecretVersionsRequest(secret_name=name, limit=2))
    assert [v.id for v in listed.version_metadatas] == ["v1", "v2"]
    assert listed.page_info.next_marker == "v2"
    rest = client.list_secret_versions(ListSecretVersionsRequest(secret_name=name, marker="v2", limit=2))
    assert [v.id for v in rest.version_metadatas] == ["v3"]
    assert rest.page_info.next_marker is None

    with pytest.raises(ClientRequestException) as missing:
        client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="v9"))
    assert missing.value.status_code == 404


def test_binary_values_round_trip(client):
    name = unique("bin")
    payload = base64.b64encode(bytes(range(256))).decode()
    body = CreateSecretRequestBody(name=name, secret_binary=payload)
    client.create_secret(CreateSecretRequest(body=body))
    version = client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="v1")).version
    assert version.secret_binary == payload
    assert version.secret_string is None


def test_list_secrets_pages_until_next_marker_is_null(emulator):
    client = emulator.client(project_id="abcdefabcdefabcdefabcdefabcdef01")
    names = sorted(unique("page") for _ in range(7))
    for name in names:
        create(client, name)
    seen, marker, pages = [], None, 0
    while True:
        page = client.list_secrets(ListSecretsRequest(limit="3", marker=marker))
        seen += [s.name for s in page.secrets]
        pages += 1
        if page.page_info.next_marker is None:
            break
        marker = page.page_info.next_marker
    assert seen == names
    assert pages == 3


def test_batch_import_reports_each_item(client):
    good, dotted, bad = unique("imp"), unique("imp") + ".dotted", "bad/name"
    body = ImportSecretsRequest(
        secrets=[
            CreateSecretRequestBody(name=good, secret_string="a"),
            CreateSecretRequestBody(name=dotted, secret_string="b"),
            CreateSecretRequestBody(name=bad, secret_string="c"),
        ]
    )
    result = client.batch_import_secrets(BatchImportSecretsRequest(body=body))
    assert (result.total, result.success, result.failed) == (3, 2, 1)
    assert result.error_list[0].name == bad
    assert result.error_list[0].error_msg.startswith("CSMS.0002")
    shown = client.show_secret_version(ShowSecretVersionRequest(secret_name=dotted, version_id="latest"))
    assert shown.version.secret_string == "b"


def test_batch_delete_through_the_signed_generic_call(client):
    instance = unique("inst")
    names = [unique("bd"), unique("bd")]
    for name in names:
        create(
            client,
            name,
            "{}",
            secret_type="GaussDB-FG",
            rotation_config=json.dumps({"InstanceId": instance, "SecretSubType": "MultiUser"}),
        )
    response = client.do_http_request(
        method="POST",
        resource_path="/v1/{project_id}/secrets/batch-delete",
        header_params={"Content-Type": "application/json;charset=UTF-8"},
        body={"instance_id": instance, "instance_type": "GaussDB"},
        response_type=RawResponse,
    )
    assert response.status_code == 200
    result = json.loads(response.raw_content)
    assert result["total"] == 2
    assert sorted(result["success_secrets"]) == sorted(names)
    assert result["failed_secrets"] == []
    for name in names:
        with pytest.raises(ClientRequestException) as gone:
            client.show_secret(ShowSecretRequest(secret_name=name))
        assert gone.value.status_code == 404


def test_the_region_environment_variable_redirects_an_unmodified_client(emulator, monkeypatch):
    region_id = f"local-{emulator.port}"
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_CSMS_" + region_id.upper().replace("-", "_"), emulator.endpoint)
    client = (
        CsmsClient.new_builder()
        .with_credentials(BasicCredentials("AK", "SK", PROJECT_ID))
        .with_region(CsmsRegion.value_of(region_id))
        .build()
    )
    name = unique("region")
    create(client, name, "through the region table")
    version = client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest"))
    assert version.version.secret_string == "through the region table"


def test_the_emulator_keeps_running_between_calls(emulator):
    # Start time is reported here, not gated: the benchmark measures it properly.
    print(f"emulator answered health after {emulator.startup_seconds * 1000:.1f} ms")
    if emulator.process is not None:
        assert emulator.process.poll() is None
    with urllib.request.urlopen(emulator.endpoint + "/_emulator/ready") as ready:
        assert ready.status == 200
