"""myapp.config against csms-emulator, through the plugin's fixtures: each test has a
project of its own, so they run in any order and in parallel (pytest -n 2)."""

import json

import pytest
from huaweicloudsdkcsms.v1 import (
    CreateSecretRequest,
    CreateSecretRequestBody,
    CreateSecretVersionRequest,
    CreateSecretVersionRequestBody,
)

from myapp.config import DEFAULT_SECRET, SecretUnavailable, database_url

SETTINGS = {"username": "app", "password": "p@ss/word", "host": "db.internal", "database": "orders"}


def store(client, value, name=DEFAULT_SECRET):
    body = CreateSecretRequestBody(name=name, secret_string=json.dumps(value))
    client.create_secret(CreateSecretRequest(body=body))


def test_the_url_is_built_from_the_secret(csms_client):
    store(csms_client, SETTINGS)
    assert database_url(csms_client) == "postgresql://app:p%40ss%2Fword@db.internal:5432/orders"


def test_a_new_version_is_read_after_rotation(csms_client):
    store(csms_client, SETTINGS)
    rotated = json.dumps(dict(SETTINGS, password="rotated"))
    csms_client.create_secret_version(
        CreateSecretVersionRequest(
            secret_name=DEFAULT_SECRET, body=CreateSecretVersionRequestBody(secret_string=rotated)
        )
    )
    assert ":rotated@" in database_url(csms_client)


def test_a_missing_secret_is_reported(csms_client):
    with pytest.raises(SecretUnavailable, match="CSMS.0005"):
        database_url(csms_client)


def test_a_value_that_is_not_json_is_reported(csms_client):
    body = CreateSecretRequestBody(name=DEFAULT_SECRET, secret_string="hunter2")
    csms_client.create_secret(CreateSecretRequest(body=body))
    with pytest.raises(SecretUnavailable, match="not a database secret"):
        database_url(csms_client)


def test_one_server_error_is_retried(csms_emulator, csms_client, csms_project):
    store(csms_client, SETTINGS)
    csms_emulator.inject_fault(
        "ShowSecretVersion", status=500, error_code="CSMS.0001", times=1, project_id=csms_project
    )
    assert database_url(csms_client).startswith("postgresql://app:")


def test_two_server_errors_give_up(csms_emulator, csms_client, csms_project):
    store(csms_client, SETTINGS)
    csms_emulator.inject_fault(
        "ShowSecretVersion", status=500, error_code="CSMS.0001", project_id=csms_project
    )
    with pytest.raises(SecretUnavailable):
        database_url(csms_client)


@pytest.mark.csms_seed("fixtures/database.json")
def test_a_seeded_secret_is_read(csms_client):
    assert database_url(csms_client) == "postgresql://app:seeded@db.internal:5432/orders"


def test_the_same_secret_name_in_every_test(csms_client):
    # Every test above stored DEFAULT_SECRET too: no conflict, no reset.
    store(csms_client, SETTINGS)
    assert database_url(csms_client)
