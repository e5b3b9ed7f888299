"""Events reach your code, through the official Python SDK: an event with an SMN target and
a secret subscribed to it, a new version, and the signed POST a local receiver gets,
verified as SMN's "Message Signature Verification" page says with the `cryptography`
package; and a database rotation that calls a local rotation function, which creates the
new version through the SDK. Waits poll with a generous deadline; nothing measures time."""

import base64
import json
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from huaweicloudsdkcsms.v1 import *  # noqa: F403 - the SDK's request and model classes

from conftest import start_emulator

TOPIC = "urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:csms-e2e"
FUNCTION = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:rotate:latest"
VALUE = "e2e-value-never-sent"
DEADLINE = 60


class Receiver:
    """A local HTTP endpoint recording every POST; `answer(body)` runs on each and gives
    the status to answer with."""

    def __init__(self, answer=lambda body: 200):
        self.posts = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                receiver.posts.append((self.headers, body))  # case-insensitive names
                status = answer(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, n):
        deadline = time.monotonic() + DEADLINE
        while len(self.posts) < n:
            assert time.monotonic() < deadline, f"only {len(self.posts)} POSTs arrived"
            time.sleep(0.02)
        return self.posts

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Function:
    """The rotation function: set `client` before rotating; it creates a new version."""

    def __init__(self):
        self.client = None
        self.receiver = Receiver(self.rotate)

    def rotate(self, call):
        body = CreateSecretVersionRequestBody(secret_string=json.dumps({"username": "app", "password": "from-function"}))  # noqa: F405
        self.client.create_secret_version(CreateSecretVersionRequest(secret_name=call["secret_name"], body=body))  # noqa: F405
        return 200


@pytest.fixture(scope="module")
def setup():
    hook = Receiver()
    function = Function()
    emu = start_emulator(f"--smn-subscription={TOPIC}={hook.url}", f"--function={FUNCTION}={function.receiver.url}")
    function.client = emu.client()
    yield emu, hook, function
    assert emu.stop() == 0
    hook.close()
    function.receiver.close()


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def subscribed_event(client, types):
    name = unique("evt")
    notification = Notification(target_type="SMN", target_id=TOPIC, target_name="csms-e2e")  # noqa: F405
    body = CreateSecretEventRequestBody(name=name, event_types=types, state="ENABLED", notification=notification)  # noqa: F405
    client.create_secret_event(CreateSecretEventRequest(body=body))  # noqa: F405
    return name


def verify_as_documented(message):
    """SMN's page: fetch the certificate at signing_cert_url; the signed keys sorted, each
    key on a line and its value on the next (subject left out when empty); check the
    base64 signature with the certificate's key and its own hash algorithm."""
    with urllib.request.urlopen(message["signing_cert_url"], timeout=10) as answer:
        cert = x509.load_pem_x509_certificate(answer.read())
    keys = ["message", "message_id", "subject", "timestamp", "topic_urn", "type"]
    if not message.get("subject"):
        keys.remove("subject")
    text = "".join(f"{key}\n{message[key]}\n" for key in sorted(keys))
    cert.public_key().verify(
        base64.b64decode(message["signature"]),
        text.encode("utf-8"),
        padding.PKCS1v15(),
        cert.signature_hash_algorithm,
    )


def test_a_new_version_reaches_the_subscribed_endpoint_signed(setup):
    emu, hook, _ = setup
    client = emu.client()
    event = subscribed_event(client, ["SECRET_VERSION_CREATED"])
    name = unique("cfg")
    body = CreateSecretRequestBody(name=name, secret_string=VALUE, event_subscriptions=[event])  # noqa: F405
    client.create_secret(CreateSecretRequest(body=body))  # noqa: F405
    before = len(hook.posts)
    version = CreateSecretVersionRequestBody(secret_string=VALUE + "-2")  # noqa: F405
    client.create_secret_version(CreateSecretVersionRequest(secret_name=name, body=version))  # noqa: F405

    headers, message = hook.wait_for(before + 1)[before]
    assert headers["X-SMN-MESSAGE-TYPE"] == "Notification"
    assert headers["X-SMN-TOPIC-URN"] == TOPIC
    assert headers["X-SMN-MESSAGE-ID"] == message["message_id"]
    assert headers["X-SMN-SUBSCRIPTION-URN"].startswith(TOPIC + ":")
    assert message["type"] == "Notification"
    assert message["signature_version"] == "v1"
    assert VALUE not in json.dumps(message)
    inner = json.loads(message["message"])
    assert (inner["event_type"], inner["secret_name"], inner["version_id"]) == ("SECRET_VERSION_CREATED", name, "v2")
    verify_as_documented(message)

    deadline = time.monotonic() + DEADLINE
    while True:
        records = client.list_notification_records(ListNotificationRecordsRequest()).records  # noqa: F405
        mine = [r for r in records if r.secret_name == name]
        if mine and mine[0].notification_status == "SUCCESS":
            break
        assert time.monotonic() < deadline, f"the record stayed {mine}"
        time.sleep(0.02)
    assert mine[0].notification_content == message["message"]


def test_a_rotation_calls_the_function_and_its_success_is_delivered(setup):
    emu, hook, function = setup
    client = emu.client()
    event = subscribed_event(client, ["SECRET_ROTATED"])
    name = unique("db")
    body = CreateSecretRequestBody(  # noqa: F405
        name=name,
        secret_string=json.dumps({"username": "app", "password": "old"}),
        secret_type="RDS-FG",
        rotation_config=json.dumps({"InstanceId": "inst-e2e", "SecretSubType": "SingleUser"}),
        rotation_func_urn=FUNCTION,
        event_subscriptions=[event],
    )
    client.create_secret(CreateSecretRequest(body=body))  # noqa: F405
    before = len(hook.posts)
    rotated = client.rotate_secret(RotateSecretRequest(secret_name=name))  # noqa: F405

    deadline = time.monotonic() + DEADLINE
    while True:
        task = client.list_secret_task(ListSecretTaskRequest(task_id=rotated.rotation_task_id)).tasks[0]  # noqa: F405
        if task.task_status != "ROTATING":
            break
        assert time.monotonic() < deadline, "the task stayed ROTATING"
        time.sleep(0.02)
    assert task.task_status == "SUCCESS", task
    call = function.receiver.posts[-1][1]
    assert (call["secret_name"], call["rotation_task_id"]) == (name, rotated.rotation_task_id)
    latest = client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest")).version  # noqa: F405
    assert json.loads(latest.secret_string)["password"] == "from-function"

    _, message = hook.wait_for(before + 1)[before]
    inner = json.loads(message["message"])
    assert (inner["event_type"], inner["secret_name"], inner["version_id"]) == ("SECRET_ROTATED", name, "v2")
    verify_as_documented(message)
