//! Concurrent requests never break an invariant: one SYSCURRENT and one SYSPREVIOUS per
//! secret, gap-free unique version ids, and one winner for one name.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, secret_path, secrets_path};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_versions_and_creates_keep_every_invariant() {
    let app = std::sync::Arc::new(TestApp::new());
    app.create_secret("shared", "v1").await;

    let mut tasks = Vec::new();
    for i in 0..16 {
        let versions_app = app.clone();
        tasks.push(tokio::spawn(async move {
            let answer = versions_app
                .post(
                    &format!("{}/versions", secret_path("shared")),
                    json!({"secret_string": format!("value-{i}")}),
                )
                .await;
            (true, answer.status, answer.body["error_code"].clone())
        }));
        let create_app = app.clone();
        tasks.push(tokio::spawn(async move {
            let answer = create_app
                .post(
                    &secrets_path(),
                    json!({"name": "contested", "secret_string": format!("creator-{i}")}),
                )
                .await;
            (false, answer.status, answer.body["error_code"].clone())
        }));
    }
    let mut versions_ok = 0;
    let mut creates_ok = 0;
    let mut conflicts = 0;
    for task in tasks {
        let (is_version, status, code) = task.await.unwrap();
        match (is_version, status) {
            (true, StatusCode::OK) => versions_ok += 1,
            (false, StatusCode::OK) => creates_ok += 1,
            (false, StatusCode::CONFLICT) => {
                assert_eq!(code, "CSMS.0101");
                conflicts += 1;
            }
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(versions_ok, 16);
    assert_eq!(creates_ok, 1);
    assert_eq!(conflicts, 15);

    let list = app
        .get(&format!("{}/versions?limit=100", secret_path("shared")))
        .await;
    let versions = list.body["version_metadatas"].as_array().unwrap();
    let ids: Vec<&str> = versions.iter().map(|v| v["id"].as_str().unwrap()).collect();
    let expected: Vec<String> = (1..=17).map(|i| format!("v{i}")).collect();
    assert_eq!(ids, expected, "unique and gap-free");
    let holders = |stage: &str| {
        versions
            .iter()
            .filter(|v| {
                v["version_stages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s == stage)
            })
            .count()
    };
    assert_eq!(holders("SYSCURRENT"), 1);
    assert_eq!(holders("SYSPREVIOUS"), 1);
    let current = app
        .get(&format!("{}/stages/SYSCURRENT", secret_path("shared")))
        .await;
    assert_eq!(current.body["stage"]["version_id"], "v17");
    let previous = app
        .get(&format!("{}/stages/SYSPREVIOUS", secret_path("shared")))
        .await;
    assert_eq!(previous.body["stage"]["version_id"], "v16");
}
