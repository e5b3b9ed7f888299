"""csms_emulator.testcontainers against a Docker API (podman's, in scripts/release.sh test):
run with CSMS_TEST_IMAGE naming the image and DOCKER_HOST the socket."""

import os
import urllib.error
import urllib.request

import pytest
from huaweicloudsdkcsms.v1 import (
    CreateSecretRequest,
    CreateSecretRequestBody,
    ShowSecretVersionRequest,
)

from csms_emulator.testcontainers import CsmsEmulatorContainer


@pytest.fixture(scope="module")
def image():
    name = os.environ.get("CSMS_TEST_IMAGE")
    if not name or not os.environ.get("DOCKER_HOST"):
        pytest.fail("set CSMS_TEST_IMAGE and DOCKER_HOST (scripts/release.sh test does)")
    return name


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_the_container_is_healthy_when_start_returns_and_serves_the_sdk(image):
    with CsmsEmulatorContainer(image) as csms:
        assert status_of(csms.endpoint + "/_emulator/health") == 200
        client = csms.client(project_id="tc")
        body = CreateSecretRequestBody(name="in-a-container", secret_string="boxed")
        client.create_secret(CreateSecretRequest(body=body))
        request = ShowSecretVersionRequest(secret_name="in-a-container", version_id="latest")
        assert client.show_secret_version(request).version.secret_string == "boxed"
        before = csms.clock()
        moved = csms.advance_clock(3600)
        assert moved["now"] - before["now"] >= 3_600_000
        assert csms.export("tc")["projects"][0]["secrets"][0]["name"] == "in-a-container"


def test_options_become_the_images_environment(image):
    container = CsmsEmulatorContainer(
        image, auth="enforce", credentials=["AKTC:SKTC"], control_token="ctl"
    )
    with container as csms:
        assert status_of(csms.endpoint + "/v1/p/secrets") == 401
        assert csms.clock()["mode"] == "real"  # the control token opens the control API
        body = CreateSecretRequestBody(name="signed", secret_string="v")
        assert csms.client(project_id="p").create_secret(CreateSecretRequest(body=body)).secret.name == "signed"
