//! Hostile and malformed input: every such request gets a CSMS-shaped 4xx, never a 500 or
//! a half-applied change.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_csms_error, secret_path, secrets_path};

#[tokio::test]
async fn a_rotation_period_with_a_multibyte_character_is_a_bad_parameter() {
    let app = TestApp::new();
    for period in ["é", "1é", "éd", "１h"] {
        let answer = app
            .post(
                &secrets_path(),
                json!({"name": "x", "secret_string": "v", "rotation_period": period}),
            )
            .await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    app.create_secret("x", "v").await;
    let answer = app
        .put(&secret_path("x"), json!({"rotation_period": "1é"}))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
}

#[tokio::test]
async fn batch_import_reports_a_multibyte_period_per_item_and_creates_the_rest() {
    let app = TestApp::new();
    let answer = app
        .post(
            &format!("{}/batch-import", secrets_path()),
            json!({"secrets": [
                {"name": "bad", "secret_string": "v", "rotation_period": "é"},
                {"name": "good", "secret_string": "v"}
            ]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    assert_eq!(answer.body["success"], 1);
    assert_eq!(answer.body["error_list"][0]["name"], "bad");
    assert_eq!(app.get(&secret_path("good")).await.status, StatusCode::OK);
}
