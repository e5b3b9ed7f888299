"""Request signing end to end: with --auth enforce the official SDK succeeds with the right
AK/SK and fails with a wrong SK, a wrong AK or a clock 20 minutes off; a raw request
without auth fails; a client with only a region and AK/SK finds its project through the
IAM lookup; and an unmodified consumer (huaweicloud-csms-environ) loads a secret into its
environment, pointed at the emulator only through environment variables."""

import datetime
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_response import SdkResponse
from huaweicloudsdkcsms.v1 import (
    CreateSecretRequest,
    CreateSecretRequestBody,
    CsmsClient,
    ListSecretsRequest,
    ShowSecretVersionRequest,
)
from huaweicloudsdkcsms.v1.region.csms_region import CsmsRegion

from conftest import start_emulator

AK, SK = "AKE2E", "SKE2E"
IAM_PROJECT = "abcdef0123456789abcdef0123456789"


class RawResponse(SdkResponse):
    openapi_types = {}
    attribute_map = {}


@pytest.fixture(scope="module")
def secured():
    emu = start_emulator("--auth", "enforce", "--credential", f"{AK}:{SK}", "--project-id", IAM_PROJECT)
    yield emu
    assert emu.stop() == 0


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_the_right_credentials_work(secured):
    client = secured.client(ak=AK, sk=SK)
    name = unique("signed")
    body = CreateSecretRequestBody(name=name, secret_string="ok")
    client.create_secret(CreateSecretRequest(body=body))
    listed = client.list_secrets(ListSecretsRequest(limit="10", marker=None))
    assert name in [s.name for s in listed.secrets]


@pytest.mark.parametrize("ak,sk,reason", [(AK, "WRONG", "signature"), ("NOBODY", SK, "ak not exist")])
def test_wrong_credentials_are_refused(secured, ak, sk, reason):
    client = secured.client(ak=ak, sk=sk)
    with pytest.raises(ClientRequestException) as refused:
        client.list_secrets(ListSecretsRequest())
    assert refused.value.status_code == 401
    assert refused.value.error_code == "APIGW.0301"
    assert reason in refused.value.error_msg
    assert len(refused.value.request_id) == 32


def test_a_clock_twenty_minutes_off_is_refused(secured):
    client = secured.client(ak=AK, sk=SK)
    skewed = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)).strftime("%Y%m%dT%H%M%SZ")
    with pytest.raises(ClientRequestException) as refused:
        client.do_http_request(
            method="GET",
            resource_path="/v1/{project_id}/secrets",
            header_params={"X-Sdk-Date": skewed, "Content-Type": "application/json"},
            response_type=RawResponse,
        )
    assert refused.value.status_code == 401
    assert "15 minutes" in refused.value.error_msg
    # the same generic call with the right time passes
    ok = client.do_http_request(
        method="GET",
        resource_path="/v1/{project_id}/secrets",
        header_params={"Content-Type": "application/json"},
        response_type=RawResponse,
    )
    assert ok.status_code == 200


def test_a_raw_request_without_auth_is_refused(secured):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{secured.endpoint}/v1/{IAM_PROJECT}/secrets")
    assert refused.value.code == 401
    body = json.loads(refused.value.read())
    assert body["error_code"] == "APIGW.0301"
    assert body["request_id"] == refused.value.headers["X-Request-Id"]


def region_client(region, http_config=None):
    """A client that knows only its region and AK/SK, as applications configure it."""
    builder = CsmsClient.new_builder()
    if http_config is not None:
        builder = builder.with_http_config(http_config)
    return builder.with_credentials(BasicCredentials(AK, SK)).with_region(CsmsRegion.value_of(region)).build()


def round_trip(client, name, value):
    """Creates secret `name` holding `value` and reads its latest value back."""
    client.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(name=name, secret_string=value)))
    return client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest")).version.secret_string


def region_env(emu, region):
    return {
        "HUAWEICLOUD_SDK_REGION_CSMS_" + region.upper().replace("-", "_"): emu.endpoint,
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": emu.endpoint,
    }


def test_a_client_with_only_region_and_aksk_finds_its_project(secured, monkeypatch):
    region = f"local-{secured.port}"
    for k, v in region_env(secured, region).items():
        monkeypatch.setenv(k, v)
    name = unique("region")
    assert round_trip(region_client(region), name, "found") == "found"
    # the secret landed in the project IAM answered with
    direct = secured.client(project_id=IAM_PROJECT, ak=AK, sk=SK)
    shown = direct.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest"))
    assert shown.version.secret_string == "found"


def test_huaweicloud_csms_environ_loads_a_secret_into_the_environment(secured):
    name = unique("environ")
    direct = secured.client(project_id=IAM_PROJECT, ak=AK, sk=SK)
    value = json.dumps({"DB_USER": "app", "DB_PASSWORD": "s3cr3t"})
    direct.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(name=name, secret_string=value)))
    region = f"local-env-{secured.port}"
    env = dict(
        os.environ,
        HUAWEICLOUD_SDK_AK=AK,
        HUAWEICLOUD_SDK_SK=SK,
        HUAWEICLOUD_REGION=region,
        HUAWEICLOUD_SECRET_NAME=name,
        **region_env(secured, region),
    )
    env.pop("HUAWEICLOUD_SDK_PROJECT_ID", None)
    script = "import csms, os; csms.load_env(); print(os.environ['DB_USER'], os.environ['DB_PASSWORD'])"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["app", "s3cr3t"]


def test_https_with_a_self_signed_certificate_serves_csms_and_iam(tmp_path, monkeypatch):
    from conftest import free_port
    from huaweicloudsdkcore.http.http_config import HttpConfig

    tls_port = free_port()
    cert = tmp_path / "cert.pem"
    emu = start_emulator(
        "--auth", "enforce", "--credential", f"{AK}:{SK}", "--project-id", IAM_PROJECT,
        "--tls-self-signed", "--tls-cert-out", str(cert), "--tls-listen", f"127.0.0.1:{tls_port}",
    )
    try:
        assert cert.read_text().startswith("-----BEGIN CERTIFICATE-----")
        https = f"https://localhost:{tls_port}"
        region = f"tls-{tls_port}"
        monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_CSMS_" + region.upper().replace("-", "_"), https)
        monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", https)
        config = HttpConfig.get_default_config()
        config.ssl_ca_cert = str(cert)
        name = unique("tls")
        assert round_trip(region_client(region, config), name, "over tls") == "over tls"
        # plain HTTP keeps serving the same state
        direct = emu.client(project_id=IAM_PROJECT, ak=AK, sk=SK)
        assert direct.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest")).version.secret_string == "over tls"
    finally:
        assert emu.stop() == 0
