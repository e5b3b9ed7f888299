//! Backup and restore, rotation and its tasks, password generation.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{START_MS, TestApp, assert_csms_error, csms_path, secret_path, secrets_path};

async fn backup(app: &TestApp, name: &str) -> String {
    let answer = app
        .post_empty(&format!("{}/backup", secret_path(name)))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    answer.body["secret_blob"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn restore_recreates_the_secret_exactly() {
    let app = TestApp::new();
    let created = app.create_secret("s", "one").await;
    app.create_version(
        "s",
        json!({"secret_binary": "AAE=", "version_stages": ["BLUE"]}),
    )
    .await;
    app.create_version("s", json!({"secret_string": "three"}))
        .await;
    let id = created["id"].as_str().unwrap();
    app.post(
        &csms_path(&format!("{id}/tags")),
        json!({"tag": {"key": "env", "value": "prod"}}),
    )
    .await;
    let before_secret = app.get(&secret_path("s")).await.body;
    let before_versions = app
        .get(&format!("{}/versions", secret_path("s")))
        .await
        .body;

    let blob = backup(&app, "s").await;
    assert!(blob.starts_with(")CloudSecretManagementBackupV1.com"));
    assert!(!blob.contains("three"));
    app.delete(&secret_path("s")).await;
    let restored = app
        .post(
            &format!("{}/restore", secrets_path()),
            json!({"secret_blob": blob}),
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.raw);
    assert_eq!(restored.body, before_secret);
    assert_eq!(
        app.get(&format!("{}/versions", secret_path("s")))
            .await
            .body,
        before_versions
    );
    let v2 = app.get(&format!("{}/versions/v2", secret_path("s"))).await;
    assert_eq!(v2.body["version"]["secret_binary"], "AAE=");
    let tags = app.get(&csms_path(&format!("{id}/tags"))).await;
    assert_eq!(tags.body["tags"], json!([{"key": "env", "value": "prod"}]));
    // ids continue after the restored ones
    let next = app
        .create_version("s", json!({"secret_string": "four"}))
        .await;
    assert_eq!(next["id"], "v4");
}

#[tokio::test]
async fn restore_checks_the_subscribed_events_as_create_does() {
    let app = TestApp::new();
    app.create_event("audit", &["SECRET_VERSION_CREATED"]).await;
    let created = app
        .post(
            &secrets_path(),
            json!({"name": "s", "secret_string": "one", "event_subscriptions": ["audit"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.raw);
    let blob = backup(&app, "s").await;
    app.delete(&secret_path("s")).await;
    let gone = app.delete(&csms_path("events/audit")).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.raw);
    let restore = format!("{}/restore", secrets_path());
    let answer = app.post(&restore, json!({"secret_blob": blob})).await;
    assert_csms_error(&answer, 404, "CSMS.0005");
    assert!(answer.raw.contains("audit"), "{}", answer.raw);
    assert_csms_error(&app.get(&secret_path("s")).await, 404, "CSMS.0005");
    // with the event back, the same blob restores
    app.create_event("audit", &["SECRET_VERSION_CREATED"]).await;
    let ok = app.post(&restore, json!({"secret_blob": blob})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.raw);
}

#[tokio::test]
async fn restore_refuses_a_taken_name_a_changed_blob_and_another_project() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    let blob = backup(&app, "s").await;
    let restore = format!("{}/restore", secrets_path());
    assert_csms_error(
        &app.post(&restore, json!({"secret_blob": blob})).await,
        409,
        "CSMS.0101",
    );

    app.delete(&secret_path("s")).await;
    let mut tampered = blob.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        json!({"secret_blob": tampered}),
        json!({"secret_blob": "junk"}),
        json!({}),
    ] {
        assert_csms_error(&app.post(&restore, bad).await, 400, "CSMS.0002");
    }
    let other = app
        .post(
            "/v1/another-project/secrets/restore",
            json!({"secret_blob": blob}),
        )
        .await;
    assert_csms_error(&other, 400, "CSMS.0002");
    assert!(
        other.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("another project")
    );
    assert_csms_error(&app.get(&secret_path("s")).await, 404, "CSMS.0005");
    // the untouched blob still restores
    let ok = app.post(&restore, json!({"secret_blob": blob})).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_csms_error(
        &app.post_empty(&format!("{}/backup", secret_path("ghost")))
            .await,
        404,
        "CSMS.0005",
    );
}

#[tokio::test]
async fn rotating_a_database_secret_creates_a_new_current_password() {
    let app = TestApp::new();
    app.create_db_secret("db", "inst").await;
    app.clock.advance(5_000);
    let answer = app
        .post_empty(&format!("{}/rotate", secret_path("db")))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    assert_eq!(answer.body["version_id"], "v2");
    assert_eq!(answer.body["secret_name"], "db");
    let task_id = answer.body["rotation_task_id"].as_str().unwrap().to_owned();

    let latest = app
        .get(&format!("{}/versions/latest", secret_path("db")))
        .await;
    let value: Value =
        serde_json::from_str(latest.body["version"]["secret_string"].as_str().unwrap()).unwrap();
    assert_eq!(value["username"], "app");
    let password = value["password"].as_str().unwrap();
    assert_ne!(password, "old");
    assert_eq!(password.len(), 32);
    let previous = app
        .get(&format!("{}/stages/SYSPREVIOUS", secret_path("db")))
        .await;
    assert_eq!(previous.body["stage"]["version_id"], "v1");
    let secret = app.get(&secret_path("db")).await;
    assert_eq!(secret.body["secret"]["rotation_time"], START_MS + 5_000);

    let tasks = app
        .get(&format!("{}?task_id={task_id}", csms_path("tasks")))
        .await;
    assert_eq!(tasks.body["total"], 1);
    let task = &tasks.body["tasks"][0];
    assert_eq!(task["task_status"], "SUCCESS");
    assert_eq!(task["secret_name"], "db");
    assert_eq!(task["task_time"], START_MS + 5_000);
}

#[tokio::test]
async fn rotating_a_common_secret_ends_in_a_failed_task() {
    let app = TestApp::new();
    app.create_secret("plain", "x").await;
    let answer = app
        .post_empty(&format!("{}/rotate", secret_path("plain")))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["version_id"], "v1");
    let task_id = answer.body["rotation_task_id"].as_str().unwrap();
    let tasks = app
        .get(&format!("{}?task_id={task_id}", csms_path("tasks")))
        .await;
    let task = &tasks.body["tasks"][0];
    assert_eq!(task["task_status"], "FAILED");
    assert_eq!(task["task_error_code"], "CSMS.0002");
    assert!(task["task_error_msg"].as_str().unwrap().contains("COMMON"));
    let versions = app.get(&format!("{}/versions", secret_path("plain"))).await;
    assert_eq!(
        versions.body["version_metadatas"].as_array().unwrap().len(),
        1
    );
    assert_csms_error(
        &app.post_empty(&format!("{}/rotate", secret_path("ghost")))
            .await,
        404,
        "CSMS.0005",
    );
}

#[tokio::test]
async fn tasks_filter_by_secret_and_status_and_page_by_marker() {
    let app = TestApp::new();
    app.create_db_secret("db", "i").await;
    app.create_secret("plain", "x").await;
    for _ in 0..3 {
        app.post_empty(&format!("{}/rotate", secret_path("db")))
            .await;
        app.post_empty(&format!("{}/rotate", secret_path("plain")))
            .await;
    }
    let all = app.get(&csms_path("tasks")).await;
    assert_eq!(all.body["total"], 6);
    assert_eq!(all.body["next_marker"], Value::Null);
    let db = app
        .get(&format!("{}?secret_name=db", csms_path("tasks")))
        .await;
    assert_eq!(db.body["total"], 3);
    let failed = app
        .get(&format!("{}?status=FAILED", csms_path("tasks")))
        .await;
    assert!(
        failed.body["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["secret_name"] == "plain")
    );
    let first = app.get(&format!("{}?limit=4", csms_path("tasks"))).await;
    assert_eq!(first.body["tasks"].as_array().unwrap().len(), 4);
    let marker = first.body["next_marker"].as_str().unwrap();
    let rest = app
        .get(&format!("{}?limit=4&marker={marker}", csms_path("tasks")))
        .await;
    assert_eq!(rest.body["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(rest.body["next_marker"], Value::Null);
    for bad in [
        "status=RUNNING",
        "task_id=nope",
        "limit=0",
        "task_id=2821397a-5413-48a5-8afd-1b9d074a3127&status=FAILED",
    ] {
        assert_csms_error(
            &app.get(&format!("{}?{bad}", csms_path("tasks"))).await,
            400,
            "CSMS.0002",
        );
    }
}

#[tokio::test]
async fn generate_password_honours_every_option() {
    let app = TestApp::new();
    let path = csms_path("generate-password");
    let default = app.post_empty(&path).await;
    assert_eq!(
        default.body["password"].as_str().unwrap().chars().count(),
        32
    );
    let digits = app
        .post(
            &path,
            json!({"length": 40, "exclude_lowercase": true, "exclude_uppercase": true,
                   "exclude_punctuation": true, "exclude_characters": "0"}),
        )
        .await;
    let p = digits.body["password"].as_str().unwrap();
    assert_eq!(p.len(), 40);
    assert!(p.chars().all(|c| c.is_ascii_digit() && c != '0'), "{p}");
    let each = app
        .post(
            &path,
            json!({"length": 4, "require_each_included_type": true}),
        )
        .await;
    let p = each.body["password"].as_str().unwrap();
    assert!(
        p.chars().any(|c| c.is_ascii_lowercase()) && p.chars().any(|c| c.is_ascii_digit()),
        "{p}"
    );
    for bad in [
        json!({"length": 0}),
        json!({"length": 256}),
        json!({"length": "x"}),
        json!({"exclude_lowercase": true, "exclude_uppercase": true, "exclude_numbers": true, "exclude_punctuation": true}),
        json!({"length": 3, "require_each_included_type": true}),
    ] {
        assert_csms_error(&app.post(&path, bad).await, 400, "CSMS.0002");
    }
}

#[tokio::test]
async fn a_blob_opens_only_where_its_backup_key_is() {
    let source = TestApp::new();
    source.create_secret("s", "v").await;
    let blob = backup(&source, "s").await;
    let restore = format!("{}/restore", secrets_path());

    let stranger = TestApp::new();
    assert_csms_error(
        &stranger.post(&restore, json!({"secret_blob": blob})).await,
        400,
        "CSMS.0002",
    );

    let key = "5a".repeat(32);
    let keyed = TestApp::with_args(&["--backup-key", &key]);
    keyed.create_secret("k", "v").await;
    let keyed_blob = backup(&keyed, "k").await;
    let sibling = TestApp::with_args(&["--backup-key", &key]);
    let restored = sibling
        .post(&restore, json!({"secret_blob": keyed_blob}))
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.raw);
    assert_eq!(sibling.get(&secret_path("k")).await.status, StatusCode::OK);
}
