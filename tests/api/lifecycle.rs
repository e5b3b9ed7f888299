//! Update, delete, scheduled deletion and cancel, version expiry updates, and stages.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{START_MS, TestApp, assert_csms_error, secret_path, secrets_path};

const DAY: i64 = 86_400_000;

#[tokio::test]
async fn update_changes_only_present_fields_and_clears_empty_ones() {
    let app = TestApp::new();
    app.create_event("evt", &["SECRET_DELETED"]).await;
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "s", "secret_string": "x", "description": "keep me",
                   "event_subscriptions": ["evt"], "rotation_func_urn": "urn:x"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    app.clock.advance(1_000);
    let unchanged = app.put(&secret_path("s"), json!({})).await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_eq!(unchanged.body["secret"]["description"], "keep me");
    assert_eq!(
        unchanged.body["secret"]["event_subscriptions"],
        json!(["evt"])
    );
    let cleared = app
        .put(
            &secret_path("s"),
            json!({"description": "", "event_subscriptions": [], "rotation_func_urn": ""}),
        )
        .await;
    let s = &cleared.body["secret"];
    assert_eq!(s["description"], "");
    assert_eq!(s["event_subscriptions"], json!([]));
    assert_eq!(s["rotation_func_urn"], Value::Null);
    assert_eq!(s["update_time"], START_MS + 1_000);
}

#[tokio::test]
async fn a_new_kms_key_applies_to_later_versions_only() {
    let app = TestApp::new();
    let first_key = app.create_secret("s", "one").await["kms_key_id"].clone();
    let key = "0d0466b0-e727-4d9c-b35d-f84bb474a37f";
    let updated = app.put(&secret_path("s"), json!({"kms_key_id": key})).await;
    assert_eq!(updated.body["secret"]["kms_key_id"], key);
    app.create_version("s", json!({"secret_string": "two"}))
        .await;
    let v1 = app.get(&format!("{}/versions/v1", secret_path("s"))).await;
    let v2 = app.get(&format!("{}/versions/v2", secret_path("s"))).await;
    assert_eq!(
        v1.body["version"]["version_metadata"]["kms_key_id"],
        first_key
    );
    assert_eq!(v2.body["version"]["version_metadata"]["kms_key_id"], key);
}

#[tokio::test]
async fn update_rechecks_rotation_and_validates_fields() {
    let app = TestApp::new();
    app.create_db_secret("s", "inst").await;
    app.create_secret("common", "x").await;
    let urn = "urn:fss:r:p:function:default:rotate:latest";
    let common_on =
        json!({"auto_rotation": true, "rotation_period": "12h", "rotation_func_urn": urn});
    let answer = app.put(&secret_path("common"), common_on).await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    assert!(
        answer.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("auto_rotation")
    );
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"auto_rotation": true}), 400, "CSMS.0002"),
        (
            json!({"auto_rotation": true, "rotation_period": "12h"}),
            400,
            "CSMS.0002",
        ),
        (json!({"rotation_period": "2h"}), 400, "CSMS.0002"),
        (json!({"kms_key_id": "k".repeat(65)}), 400, "CSMS.0002"),
        (json!({"description": "d".repeat(2049)}), 400, "CSMS.0002"),
        (
            json!({"event_subscriptions": ["missing"]}),
            404,
            "CSMS.0005",
        ),
        (json!({"event_subscriptions": ["a", "b"]}), 400, "CSMS.0002"),
        (json!({"auto_rotation": "yes"}), 400, "CSMS.0002"),
    ];
    for (body, status, code) in cases {
        let answer = app.put(&secret_path("s"), body.clone()).await;
        assert_eq!(answer.body["error_code"], code, "{body}");
        assert_csms_error(&answer, status, code);
    }
    let on = app
        .put(
            &secret_path("s"),
            json!({"auto_rotation": true, "rotation_period": "12h", "rotation_func_urn": urn}),
        )
        .await;
    assert_eq!(
        on.body["secret"]["next_rotation_time"],
        START_MS + 12 * 3_600_000
    );
    let off = app
        .put(&secret_path("s"), json!({"auto_rotation": false}))
        .await;
    assert_eq!(off.body["secret"]["next_rotation_time"], Value::Null);
    let missing = app.put(&secret_path("ghost"), json!({})).await;
    assert_csms_error(&missing, 404, "CSMS.0005");
}

#[tokio::test]
async fn delete_is_immediate_and_frees_the_name() {
    let app = TestApp::new();
    app.create_secret("s", "x").await;
    let deleted = app.delete(&secret_path("s")).await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert!(deleted.raw.is_empty());
    assert_csms_error(&app.get(&secret_path("s")).await, 404, "CSMS.0005");
    assert_csms_error(&app.delete(&secret_path("s")).await, 404, "CSMS.0005");
    app.create_secret("s", "again").await;
}

#[tokio::test]
async fn scheduled_deletion_follows_the_state_rules() {
    let app = TestApp::new();
    app.create_secret("s", "x").await;
    let schedule = format!("{}/scheduled-deleted-tasks/create", secret_path("s"));
    let cancel = format!("{}/scheduled-deleted-tasks/cancel", secret_path("s"));
    for days in [6, 31, -1] {
        let answer = app
            .post(&schedule, json!({"recovery_window_in_days": days}))
            .await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    assert_csms_error(&app.post_empty(&cancel).await, 400, "CSMS.0108");

    let pending = app
        .post(&schedule, json!({"recovery_window_in_days": 7}))
        .await;
    assert_eq!(pending.body["secret"]["state"], "PENDING_DELETE");
    assert_eq!(
        pending.body["secret"]["scheduled_delete_time"],
        START_MS + 7 * DAY
    );
    assert_csms_error(&app.post(&schedule, json!({})).await, 400, "CSMS.0107");
    // value reads, new versions and updates are refused; metadata stays readable
    let read = app
        .get(&format!("{}/versions/latest", secret_path("s")))
        .await;
    assert_csms_error(&read, 400, "CSMS.0103");
    let version = app
        .post(
            &format!("{}/versions", secret_path("s")),
            json!({"secret_string": "y"}),
        )
        .await;
    assert_csms_error(&version, 400, "CSMS.0103");
    assert_csms_error(
        &app.put(&secret_path("s"), json!({})).await,
        400,
        "CSMS.0103",
    );
    assert_eq!(app.get(&secret_path("s")).await.status, StatusCode::OK);
    // the name stays taken
    let again = app
        .post(&secrets_path(), json!({"name": "s", "secret_string": "z"}))
        .await;
    assert_csms_error(&again, 409, "CSMS.0101");

    let restored = app.post_empty(&cancel).await;
    assert_eq!(restored.body["secret"]["state"], "ENABLED");
    assert_eq!(
        restored.body["secret"]["scheduled_delete_time"],
        Value::Null
    );
    let read = app
        .get(&format!("{}/versions/latest", secret_path("s")))
        .await;
    assert_eq!(read.body["version"]["secret_string"], "x");
}

#[tokio::test]
async fn scheduled_deletion_defaults_to_thirty_days_with_or_without_a_body() {
    let app = TestApp::new();
    app.create_secret("a", "x").await;
    app.create_secret("b", "x").await;
    let with_body = app
        .post(
            &format!("{}/scheduled-deleted-tasks/create", secret_path("a")),
            json!({}),
        )
        .await;
    let bodiless = app
        .post_empty(&format!(
            "{}/scheduled-deleted-tasks/create",
            secret_path("b")
        ))
        .await;
    for answer in [with_body, bodiless] {
        assert_eq!(
            answer.body["secret"]["scheduled_delete_time"],
            START_MS + 30 * DAY,
            "{}",
            answer.raw
        );
    }
}

#[tokio::test]
async fn a_secret_is_gone_when_its_recovery_window_ends() {
    let app = TestApp::new();
    app.create_secret("doomed", "x").await;
    app.create_secret("other", "x").await;
    app.schedule_deletion("doomed", 7).await;
    app.clock.advance(7 * DAY - 1);
    assert_eq!(app.get(&secret_path("doomed")).await.status, StatusCode::OK);
    app.clock.advance(1);
    // reads already treat it as destroyed
    assert_csms_error(&app.get(&secret_path("doomed")).await, 404, "CSMS.0005");
    let list = app.get(&secrets_path()).await;
    assert_eq!(list.body["secrets"].as_array().unwrap().len(), 1);
    // and the name is free again on the next write
    app.create_secret("doomed", "reborn").await;
    let v = app
        .get(&format!("{}/versions/latest", secret_path("doomed")))
        .await;
    assert_eq!(v.body["version"]["secret_string"], "reborn");
}

#[tokio::test]
async fn update_version_sets_expire_time() {
    let app = TestApp::new();
    app.create_secret("s", "x").await;
    let expire = START_MS + 2 * DAY + 999;
    let answer = app
        .put(
            &format!("{}/versions/v1", secret_path("s")),
            json!({"expire_time": expire}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    assert_eq!(answer.body["version_metadata"]["expire_time"], expire - 999);
    assert_eq!(answer.body["version_metadata"]["id"], "v1");
    let latest = app
        .put(
            &format!("{}/versions/latest", secret_path("s")),
            json!({"expire_time": expire}),
        )
        .await;
    assert_eq!(latest.status, StatusCode::OK);
    for (path, body, status, code) in [
        ("v9", json!({"expire_time": expire}), 404, "CSMS.0005"),
        ("v1", json!({}), 400, "CSMS.0002"),
        (
            "v1",
            json!({"expire_time": START_MS - 1_000}),
            400,
            "CSMS.0002",
        ),
        ("x1", json!({"expire_time": expire}), 400, "CSMS.0002"),
    ] {
        let answer = app
            .put(&format!("{}/versions/{path}", secret_path("s")), body)
            .await;
        assert_csms_error(&answer, status, code);
    }
}

#[tokio::test]
async fn stages_can_be_put_moved_and_deleted() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    app.create_version("s", json!({"secret_string": "two"}))
        .await;
    app.create_version(
        "s",
        json!({"secret_string": "three", "version_stages": ["TMP"]}),
    )
    .await;
    let stage = |name: &str| format!("{}/stages/{name}", secret_path("s"));

    let created = app.put(&stage("BLUE"), json!({"version_id": "v1"})).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.raw);
    assert_eq!(created.body["stage"]["name"], "BLUE");
    assert_eq!(created.body["stage"]["version_id"], "v1");
    let moved = app.put(&stage("BLUE"), json!({"version_id": "v3"})).await;
    assert_eq!(moved.body["stage"]["version_id"], "v3");

    // moving SYSCURRENT pushes SYSPREVIOUS to the old holder
    app.put(&stage("SYSCURRENT"), json!({"version_id": "v3"}))
        .await;
    let previous = app.get(&stage("SYSPREVIOUS")).await;
    assert_eq!(previous.body["stage"]["version_id"], "v2");
    let latest = app
        .get(&format!("{}/versions/latest", secret_path("s")))
        .await;
    assert_eq!(latest.body["version"]["secret_string"], "three");

    let deleted = app.delete(&stage("BLUE")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.raw.is_empty());
    assert_csms_error(&app.get(&stage("BLUE")).await, 404, "CSMS.0005");
    assert_csms_error(&app.delete(&stage("BLUE")).await, 404, "CSMS.0005");
    for builtin in ["SYSCURRENT", "SYSPREVIOUS"] {
        assert_csms_error(&app.delete(&stage(builtin)).await, 400, "CSMS.0105");
    }
    for (body, status, code) in [
        (json!({"version_id": "v9"}), 404, "CSMS.0005"),
        (json!({}), 400, "CSMS.0002"),
        (json!({"version_id": "latest"}), 400, "CSMS.0002"),
    ] {
        assert_csms_error(&app.put(&stage("X"), body).await, status, code);
    }
}

#[tokio::test]
async fn putting_a_thirteenth_stage_is_csms_0203() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    for i in 0..11 {
        let answer = app
            .put(
                &format!("{}/stages/S{i}", secret_path("s")),
                json!({"version_id": "v1"}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let answer = app
        .put(
            &format!("{}/stages/EXTRA", secret_path("s")),
            json!({"version_id": "v1"}),
        )
        .await;
    assert_csms_error(&answer, 400, "CSMS.0203");
}

#[tokio::test]
async fn update_takes_any_two_to_sixty_four_character_key_id_and_create_keeps_the_uuid_rule() {
    let app = TestApp::new();
    app.create_secret("s", "v").await;
    let hex = "b168fe00ff56492495a7d22974df2d0b";
    let updated = app
        .put(&secret_path("s"), serde_json::json!({"kms_key_id": hex}))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.raw);
    assert_eq!(updated.body["secret"]["kms_key_id"], hex);
    let version = app
        .post(
            &format!("{}/versions", secret_path("s")),
            serde_json::json!({"secret_string": "v2"}),
        )
        .await;
    assert_eq!(version.body["version_metadata"]["kms_key_id"], hex);
    for bad in ["k".to_owned(), "k".repeat(65)] {
        let answer = app
            .put(&secret_path("s"), serde_json::json!({"kms_key_id": bad}))
            .await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    let created = app
        .post(
            &secrets_path(),
            serde_json::json!({"name": "t", "secret_string": "v", "kms_key_id": hex}),
        )
        .await;
    assert_csms_error(&created, 400, "CSMS.0002");
}
