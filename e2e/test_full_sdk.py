"""Every other CSMS operation of the official Python SDK against csms-emulator: lifecycle,
stages, backup/restore, rotation and tasks, passwords, tags and search, events and
notification records, and the peripheral operations. No call may meet a 404 route."""

import datetime
import json
import time
import uuid

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcsms.v1 import *  # noqa: F403 - the SDK's request and model classes
from huaweicloudsdkcsms.v1.model.tag import Tag
from huaweicloudsdkcsms.v1.model.tag_item import TagItem
from huaweicloudsdkcsms.v1.model.tag_matches import TagMatches


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create(client, name, value="value", **fields):
    body = CreateSecretRequestBody(name=name, secret_string=value, **fields)  # noqa: F405
    return client.create_secret(CreateSecretRequest(body=body)).secret  # noqa: F405


def create_db(client, name, instance="inst-e2e"):
    return create(
        client,
        name,
        json.dumps({"username": "app", "password": "old"}),
        secret_type="RDS-FG",
        rotation_config=json.dumps({"InstanceId": instance, "SecretSubType": "SingleUser"}),
    )


def latest(client, name):
    return client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest")).version  # noqa: F405


def test_update_and_delete_secret(client):
    name = unique("upd")
    create(
        client,
        name,
        json.dumps({"password": "p"}),
        description="before",
        secret_type="RDS-FG",
        rotation_config=json.dumps({"InstanceId": "i", "SecretSubType": "SingleUser"}),
    )
    urn = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:rotate:latest"
    body = UpdateSecretRequestBody(description="", auto_rotation=True, rotation_period="12h", rotation_func_urn=urn)  # noqa: F405
    secret = client.update_secret(UpdateSecretRequest(secret_name=name, body=body)).secret  # noqa: F405
    assert secret.description == ""
    assert secret.auto_rotation is True
    assert secret.next_rotation_time is not None
    # UpdateSecret.json takes any 2-64 character key id, such as the docs' 32-hex ones
    hex_key = "b168fe00ff56492495a7d22974df2d0b"
    body = UpdateSecretRequestBody(kms_key_id=hex_key)  # noqa: F405
    assert client.update_secret(UpdateSecretRequest(secret_name=name, body=body)).secret.kms_key_id == hex_key  # noqa: F405
    client.delete_secret(DeleteSecretRequest(secret_name=name))  # noqa: F405
    with pytest.raises(ClientRequestException) as gone:
        client.show_secret(ShowSecretRequest(secret_name=name))  # noqa: F405
    assert gone.value.status_code == 404


def test_scheduled_deletion_and_cancel(client):
    name = unique("sched")
    create(client, name)
    body = DeleteSecretForScheduleRequestBody(recovery_window_in_days=7)  # noqa: F405
    secret = client.delete_secret_for_schedule(DeleteSecretForScheduleRequest(secret_name=name, body=body)).secret  # noqa: F405
    assert secret.state == "PENDING_DELETE"
    assert secret.scheduled_delete_time - secret.update_time == 7 * 86_400_000
    with pytest.raises(ClientRequestException) as pending:
        latest(client, name)
    assert pending.value.error_code == "CSMS.0103"
    with pytest.raises(ClientRequestException) as twice:
        client.delete_secret_for_schedule(DeleteSecretForScheduleRequest(secret_name=name, body=body))  # noqa: F405
    assert twice.value.error_code == "CSMS.0107"
    restored = client.restore_secret(RestoreSecretRequest(secret_name=name)).secret  # noqa: F405
    assert restored.state == "ENABLED"
    with pytest.raises(ClientRequestException) as not_pending:
        client.restore_secret(RestoreSecretRequest(secret_name=name))  # noqa: F405
    assert not_pending.value.error_code == "CSMS.0108"


def test_update_version_and_stages(client):
    name = unique("stage")
    create(client, name, "one")
    client.create_secret_version(CreateSecretVersionRequest(secret_name=name, body=CreateSecretVersionRequestBody(secret_string="two")))  # noqa: F405
    expire = (int(time.time()) + 3600) * 1000
    meta = client.update_version(UpdateVersionRequest(secret_name=name, version_id="v1", body=UpdateVersionRequestBody(expire_time=expire))).version_metadata  # noqa: F405
    assert meta.expire_time == expire
    stage = client.update_secret_stage(UpdateSecretStageRequest(secret_name=name, stage_name="BLUE", body=UpdateSecretStageRequestBody(version_id="v1"))).stage  # noqa: F405
    assert (stage.name, stage.version_id) == ("BLUE", "v1")
    client.update_secret_stage(UpdateSecretStageRequest(secret_name=name, stage_name="SYSCURRENT", body=UpdateSecretStageRequestBody(version_id="v1")))  # noqa: F405
    assert latest(client, name).secret_string == "one"
    previous = client.show_secret_stage(ShowSecretStageRequest(secret_name=name, stage_name="SYSPREVIOUS")).stage  # noqa: F405
    assert previous.version_id == "v2"
    response = client.delete_secret_stage(DeleteSecretStageRequest(secret_name=name, stage_name="BLUE"))  # noqa: F405
    assert response.status_code == 204
    with pytest.raises(ClientRequestException) as builtin:
        client.delete_secret_stage(DeleteSecretStageRequest(secret_name=name, stage_name="SYSCURRENT"))  # noqa: F405
    assert builtin.value.error_code == "CSMS.0105"


def test_backup_and_restore(client):
    name = unique("bak")
    original = create(client, name, "precious")
    blob = client.download_secret_blob(DownloadSecretBlobRequest(secret_name=name)).secret_blob  # noqa: F405
    assert "precious" not in blob
    client.delete_secret(DeleteSecretRequest(secret_name=name))  # noqa: F405
    restored = client.upload_secret_blob(UploadSecretBlobRequest(body=UploadSecretBlobRequestBody(secret_blob=blob))).secret  # noqa: F405
    assert restored.id == original.id
    assert latest(client, name).secret_string == "precious"
    with pytest.raises(ClientRequestException) as taken:
        client.upload_secret_blob(UploadSecretBlobRequest(body=UploadSecretBlobRequestBody(secret_blob=blob)))  # noqa: F405
    assert taken.value.status_code == 409


def test_rotation_and_tasks(client):
    db, plain = unique("rot"), unique("rot")
    create_db(client, db)
    create(client, plain)
    ok = client.rotate_secret(RotateSecretRequest(secret_name=db))  # noqa: F405
    assert ok.version_id == "v2"
    value = json.loads(latest(client, db).secret_string)
    assert value["username"] == "app" and value["password"] != "old"
    task = client.list_secret_task(ListSecretTaskRequest(task_id=ok.rotation_task_id)).tasks[0]  # noqa: F405
    assert task.task_status == "SUCCESS"
    failed = client.rotate_secret(RotateSecretRequest(secret_name=plain))  # noqa: F405
    task = client.list_secret_task(ListSecretTaskRequest(task_id=failed.rotation_task_id)).tasks[0]  # noqa: F405
    assert task.task_status == "FAILED"
    assert task.task_error_code and task.task_error_msg
    by_name = client.list_secret_task(ListSecretTaskRequest(secret_name=db, status="SUCCESS"))  # noqa: F405
    assert by_name.total == 1


def test_generate_password(client):
    body = CreatePasswordRequestBody(length=20, exclude_punctuation=True, require_each_included_type=True)  # noqa: F405
    password = client.generate_random_password(GenerateRandomPasswordRequest(body=body)).password  # noqa: F405
    assert len(password) == 20
    assert password.isalnum()
    assert any(c.isdigit() for c in password) and any(c.islower() for c in password) and any(c.isupper() for c in password)


def test_tags_and_search(client):
    name = unique("tag")
    secret_id = create(client, name).id
    client.create_secret_tag(CreateSecretTagRequest(secret_id=secret_id, body=CreateSecretTagRequestBody(tag=TagItem(key="env", value="e2e"))))  # noqa: F405
    body = BatchCreateOrDeleteTagsRequestBody(action="create", tags=[TagItem(key="tier", value="web"), TagItem(key="tmp", value="x")])  # noqa: F405
    client.batch_create_or_delete_tags(BatchCreateOrDeleteTagsRequest(secret_id=secret_id, body=body))  # noqa: F405
    client.delete_secret_tag(DeleteSecretTagRequest(secret_id=secret_id, key="tmp"))  # noqa: F405
    tags = client.list_secret_tags(ListSecretTagsRequest(secret_id=secret_id)).tags  # noqa: F405
    assert {(t.key, t.value) for t in tags} == {("env", "e2e"), ("tier", "web")}
    project = client.list_project_secrets_tags(ListProjectSecretsTagsRequest()).tags  # noqa: F405
    assert any(t.key == "env" and "e2e" in t.values for t in project)
    search = ListResourceInstancesRequestBody(action="filter", tags=[Tag(key="env", values=["e2e"])], matches=[TagMatches(key="resource_name", value=name)])  # noqa: F405
    found = client.list_resource_instances(ListResourceInstancesRequest(resource_instances="resource_instances", body=search))  # noqa: F405
    assert found.total_count == 1
    assert found.resources[0].resource_name == name
    assert found.resources[0].resource_detail.id == secret_id


def test_events_and_notification_records(client):
    event = unique("evt")
    notification = Notification(target_type="SMN", target_id="urn:smn:local:p:topic", target_name="topic")  # noqa: F405
    body = CreateSecretEventRequestBody(name=event, event_types=["SECRET_VERSION_CREATED"], state="ENABLED", notification=notification)  # noqa: F405
    created = client.create_secret_event(CreateSecretEventRequest(body=body)).event  # noqa: F405
    assert created.name == event
    name = unique("sub")
    create(client, name, event_subscriptions=[event])
    client.create_secret_version(CreateSecretVersionRequest(secret_name=name, body=CreateSecretVersionRequestBody(secret_string="v2")))  # noqa: F405
    records = client.list_notification_records(ListNotificationRecordsRequest()).records  # noqa: F405
    assert any(r.secret_name == name and r.trigger_event_type == "SECRET_VERSION_CREATED" for r in records)
    shown = client.show_secret_event(ShowSecretEventRequest(event_name=event)).event  # noqa: F405
    assert shown.event_types == ["SECRET_VERSION_CREATED"]
    updated = client.update_secret_event(UpdateSecretEventRequest(event_name=event, body=UpdateSecretEventRequestBody(state="DISABLED"))).event  # noqa: F405
    assert updated.state == "DISABLED"
    listed = client.list_secret_events(ListSecretEventsRequest(limit="100")).events  # noqa: F405
    assert event in [e.name for e in listed]
    with pytest.raises(ClientRequestException):
        client.delete_secret_event(DeleteSecretEventRequest(event_name=event))  # noqa: F405
    client.update_secret(UpdateSecretRequest(secret_name=name, body=UpdateSecretRequestBody(event_subscriptions=[])))  # noqa: F405
    client.delete_secret_event(DeleteSecretEventRequest(event_name=event))  # noqa: F405


def test_peripheral_operations(client):
    resource = unique("res")
    grant = GrantSecretReqBody(resource_id=resource, type="SECRET", grantee_type="0", grantee_target_id="user-1")  # noqa: F405
    created = client.create_grants(CreateGrantsRequest(body=grant)).data  # noqa: F405
    assert created.resource_id == resource
    listed = client.list_grants(ListGrantsRequest(resource_id=resource)).data  # noqa: F405
    assert [u.user_id for u in listed.grantee_user] == ["user-1"]
    grant.validity_time = datetime.date(2030, 1, 1)  # the model types it as a date
    updated = client.update_grant(UpdateGrantRequest(resource_id=resource, body=grant)).data  # noqa: F405
    assert updated.validity_time == 1_893_456_000_000  # answered in ms, as GrantData types it
    dated = GrantSecretReqBody(resource_id=unique("res"), type="SECRET", grantee_type="0", grantee_target_id="user-2", validity_time=datetime.date(2031, 6, 30))  # noqa: F405
    assert client.create_grants(CreateGrantsRequest(body=dated)).data.validity_time == 1_940_544_000_000  # noqa: F405
    client.delete_grant(DeleteGrantRequest(resource_id=resource, grantee_user="user-1"))  # noqa: F405
    assert client.list_grants(ListGrantsRequest(resource_id=resource)).data.grantee_user == []  # noqa: F405

    agencies = client.create_agency(CreateAgencyRequest(body=CreateAgencyRequestBody(secret_type="GaussDB-FG"))).agencies  # noqa: F405
    assert agencies[0].agency_name
    assert client.show_agency(ShowAgencyRequest(secret_type="GaussDB-FG")).agency_granted == "true"  # noqa: F405

    users = client.list_users(ListUsersRequest(offset=0, limit=10))  # noqa: F405
    assert users.total == 1
    detail = client.show_user_detail(ShowUserDetailRequest(user_id=users.users[0].user_id))  # noqa: F405
    assert detail.user_id == users.users[0].user_id
    item = users.users[0]
    # every field of each model arrives, typed as that model types it
    assert item.disabled == "false" and item.grade == "1" and item.extension == "{}"
    assert detail.disabled is False and detail.grade == 1 and detail.extension == {}
    assert detail.created_at == item.created_at == "2024-01-01 00:00:00.000"
    assert detail.user_org_relation_list[0].org_id == detail.org_id
    assert detail.domain_id
    change = ChangeUsersPassword(password="n3w-pass", old_password="csms-emulator")  # noqa: F405
    changed = client.update_user_password(UpdateUserPasswordRequest(body=change))  # noqa: F405
    assert changed.user_id == detail.user_id
    after = client.show_user_detail(ShowUserDetailRequest(user_id=detail.user_id))  # noqa: F405
    assert after.pwd_change_at > detail.created_at

    config = client.update_secrets_config(UpdateSecretsConfigRequest(body=UpdateSecretsConfigRequestBody(checking_secret_strength=True)))  # noqa: F405
    assert config.checking_secret_strength is True
    assert client.show_secrets_config(ShowSecretsConfigRequest()).checking_secret_strength is True  # noqa: F405
    checked = client.check_secrets(CheckSecretsRequest(body=CheckSecretsRequestBody(type="strength", data={"k": "v"})))  # noqa: F405
    assert checked.type == "strength"

    templates = client.show_secret_function_templates(ShowSecretFunctionTemplatesRequest(secret_type="RDS-FG", secret_sub_type="SingleUser", engine="mysql"))  # noqa: F405
    assert "mysql" in templates.function_templates
