//! Batch import and batch delete.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_csms_error, secret_path, secrets_path};

fn import_path() -> String {
    format!("{}/batch-import", secrets_path())
}

fn delete_path() -> String {
    format!("{}/batch-delete", secrets_path())
}

/// The two text fields `first` and `second` of each object in the JSON array `list`.
fn text_pairs<'a>(
    list: &'a serde_json::Value,
    first: &str,
    second: &str,
) -> Vec<(&'a str, &'a str)> {
    let text = |item: &'a serde_json::Value, field: &str| item[field].as_str().unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| (text(item, first), text(item, second)))
        .collect()
}

fn rds(name: &str, instance: &str, secret_type: &str) -> serde_json::Value {
    json!({
        "name": name,
        "secret_string": "{\"password\":\"p\"}",
        "secret_type": secret_type,
        "rotation_config": format!("{{\"InstanceId\":\"{instance}\",\"SecretSubType\":\"SingleUser\"}}")
    })
}

#[tokio::test]
async fn batch_import_creates_valid_items_and_lists_invalid_ones() {
    let app = TestApp::new();
    app.create_secret("existing", "x").await;
    let answer = app
        .post(
            &import_path(),
            json!({"secrets": [
                {"name": "app.db.password", "secret_string": "ok"},
                {"name": "existing", "secret_string": "dup"},
                {"name": "bad/name", "secret_string": "x"},
                {"name": "too-big", "secret_string": "a".repeat(32 * 1024 + 1)},
                {"name": "exactly-32k", "secret_string": "a".repeat(32 * 1024)},
                {"name": "five-hours", "secret_string": "x", "rotation_period": "5h"},
                {"name": "six-hours", "secret_string": "x", "rotation_period": "6h"},
                {"name": "common-rotating", "secret_string": "x", "auto_rotation": true, "rotation_period": "6h",
                 "rotation_func_urn": "urn:fss:r:p:function:default:f:latest"},
                {"secret_string": "nameless"},
                {"name": "twice", "secret_string": "1"},
                {"name": "twice", "secret_string": "2"}
            ]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    assert_eq!(answer.body["total"], 11);
    assert_eq!(answer.body["success"], 4);
    assert_eq!(answer.body["failed"], 7);
    let errors = answer.body["error_list"].as_array().unwrap();
    let failed: Vec<&str> = errors.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        failed,
        [
            "existing",
            "bad/name",
            "too-big",
            "five-hours",
            "common-rotating",
            "",
            "twice"
        ]
    );
    assert!(
        errors[0]["error_msg"]
            .as_str()
            .unwrap()
            .starts_with("CSMS.0101")
    );
    assert!(
        errors[1]["error_msg"]
            .as_str()
            .unwrap()
            .starts_with("CSMS.0002")
    );
    for name in ["app.db.password", "exactly-32k", "six-hours", "twice"] {
        let shown = app.get(&secret_path(name)).await;
        assert_eq!(shown.status, StatusCode::OK, "{name}");
    }
    let twice = app
        .get(&format!("{}/versions/latest", secret_path("twice")))
        .await;
    assert_eq!(twice.body["version"]["secret_string"], "1");
    let existing = app
        .get(&format!("{}/versions/latest", secret_path("existing")))
        .await;
    assert_eq!(existing.body["version"]["secret_string"], "x");
}

#[tokio::test]
async fn batch_import_of_an_empty_list_reports_zero() {
    let app = TestApp::new();
    let answer = app.post(&import_path(), json!({"secrets": []})).await;
    assert_eq!(
        answer.body,
        json!({"error_list": [], "total": 0, "success": 0, "failed": 0})
    );
}

#[tokio::test]
async fn batch_import_rejects_a_malformed_body_and_creates_nothing() {
    let app = TestApp::new();
    let missing = app.post(&import_path(), json!({"items": []})).await;
    assert_csms_error(&missing, 400, "CSMS.0002");
    let wrong_type = app
        .post(&import_path(), json!({"secrets": {"name": "x"}}))
        .await;
    assert_csms_error(&wrong_type, 400, "CSMS.0002");
    let item_wrong_type = app
        .post(
            &import_path(),
            json!({"secrets": [{"name": "ok", "secret_string": "x"}, {"name": 7}]}),
        )
        .await;
    assert_csms_error(&item_wrong_type, 400, "CSMS.0002");
    let list = app.get(&secrets_path()).await;
    assert_eq!(list.body["secrets"], json!([]));
}

#[tokio::test]
async fn batch_delete_removes_the_secrets_of_an_instance() {
    let app = TestApp::new();
    let answer = app
        .post(
            &import_path(),
            json!({"secrets": [
                rds("rds-a", "inst-1", "RDS-FG"),
                rds("rds-b", "inst-1", "RDS-FG"),
                rds("rds-other", "inst-2", "RDS-FG"),
                rds("gauss", "inst-1", "GaussDB-FG")
            ]}),
        )
        .await;
    assert_eq!(answer.body["success"], 4, "{}", answer.raw);
    app.create_secret("plain", "x").await;

    let deleted = app
        .post(
            &delete_path(),
            json!({"instance_id": "inst-1", "instance_type": "RDS"}),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(
        deleted.body,
        json!({"total": 2, "success_secrets": ["rds-a", "rds-b"], "failed_secrets": []})
    );
    for (name, status) in [
        ("rds-a", 404),
        ("rds-b", 404),
        ("rds-other", 200),
        ("gauss", 200),
        ("plain", 200),
    ] {
        assert_eq!(
            app.get(&secret_path(name)).await.status.as_u16(),
            status,
            "{name}"
        );
    }

    let by_type = app
        .post(&delete_path(), json!({"instance_type": "TaurusDB"}))
        .await;
    assert_eq!(by_type.body["success_secrets"], json!(["gauss"]));
    let by_id = app
        .post(&delete_path(), json!({"instance_id": "inst-2"}))
        .await;
    assert_eq!(by_id.body["success_secrets"], json!(["rds-other"]));
    let none = app
        .post(&delete_path(), json!({"instance_id": "inst-9"}))
        .await;
    assert_eq!(
        none.body,
        json!({"total": 0, "success_secrets": [], "failed_secrets": []})
    );
    assert_eq!(app.get(&secret_path("plain")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn batch_delete_rejects_unknown_types_and_an_empty_filter() {
    let app = TestApp::new();
    app.create_secret("keep", "x").await;
    for body in [
        json!({"instance_type": "MySQL"}),
        json!({}),
        json!({"instance_id": ""}),
        json!({"instance_id": 5}),
    ] {
        let answer = app.post(&delete_path(), body).await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    assert_eq!(app.get(&secret_path("keep")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn batch_delete_records_secret_deleted_for_subscribed_events() {
    let app = TestApp::new();
    app.create_event("gone", &["SECRET_DELETED"]).await;
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "db", "secret_string": "{\"password\":\"p\"}", "secret_type": "RDS-FG",
                   "rotation_config": "{\"InstanceId\":\"inst-1\",\"SecretSubType\":\"SingleUser\"}",
                   "event_subscriptions": ["gone"]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    let deleted = app
        .post(&delete_path(), json!({"instance_id": "inst-1"}))
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.raw);
    let records = app
        .get(&crate::helpers::csms_path("notification-records"))
        .await;
    let kinds = text_pairs(
        &records.body["records"],
        "secret_name",
        "trigger_event_type",
    );
    assert_eq!(kinds, [("db", "SECRET_DELETED")]);
}

#[tokio::test]
async fn batch_import_answers_each_item_a_taken_name_before_a_missing_event() {
    let app = TestApp::new();
    app.create_secret("dup", "1").await;
    let answer = app
        .post(
            &import_path(),
            json!({"secrets": [
                {"name": "dup", "secret_string": "2", "event_subscriptions": ["absent"]},
                {"name": "fresh", "secret_string": "2", "event_subscriptions": ["absent"]},
                {"name": "plain", "secret_string": "2"}
            ]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    assert_eq!(answer.body["success"], 1);
    let errors = text_pairs(&answer.body["error_list"], "name", "error_msg");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, "dup");
    assert!(errors[0].1.starts_with("CSMS.0101"), "{errors:?}");
    assert_eq!(errors[1].0, "fresh");
    assert!(errors[1].1.starts_with("CSMS.0005"), "{errors:?}");
    assert_eq!(app.get(&secret_path("plain")).await.status, StatusCode::OK);
    assert_csms_error(&app.get(&secret_path("fresh")).await, 404, "CSMS.0005");
}
