//! The web console's routes: its page and assets, the browser redirect from `/`, and the
//! read-only browse routes it lists projects and secrets with.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::helpers::{PROJECT, START_MS, TestApp, assert_csms_error, secret_path};

#[tokio::test]
async fn the_console_page_and_assets_are_served_and_a_browser_at_root_is_sent_there() {
    let app = TestApp::new();
    let page = app.get("/_emulator/ui/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.content_type
            .as_deref()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.raw.contains("console.js"));
    let script = app.get("/_emulator/ui/console.js").await;
    assert!(
        script
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("text/javascript")
    );
    let style = app.get("/_emulator/ui/console.css").await;
    assert!(
        style
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("text/css")
    );
    assert_csms_error(&app.get("/_emulator/ui/other.js").await, 404, "APIGW.0101");

    let browser = app
        .send(
            Request::get("/")
                .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(browser.status, StatusCode::SEE_OTHER);
    // an API client calling `/` gets what every unknown path gets
    assert_csms_error(&app.get("/").await, 404, "APIGW.0101");
}

#[tokio::test]
async fn projects_and_secrets_can_be_browsed_with_filters() {
    let app = TestApp::new();
    for name in ["alpha", "beta", "gamma-db"] {
        app.create_secret(name, "v").await;
    }
    app.create_db_secret("orders-db", "inst").await;
    let id = app.get(&secret_path("beta")).await.body["secret"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/v1/{PROJECT}/csms/{id}/tags"),
        json!({"tag": {"key": "env", "value": "prod"}}),
    )
    .await;
    app.create_version("alpha", json!({"secret_string": "v2"}))
        .await;
    app.schedule_deletion("gamma-db", 7).await;

    let projects = app.get("/_emulator/projects").await;
    assert_eq!(
        projects.body,
        json!({"projects": [{"project_id": PROJECT, "secrets": 4}]})
    );
    let browse = |query: &str| format!("/_emulator/projects/{PROJECT}/secrets?{query}");
    let all = app.get(&browse("")).await;
    assert_eq!(all.body["total"], 4);
    let first = &all.body["secrets"][0];
    assert_eq!(first["name"], "alpha");
    assert_eq!(first["current_version"], "v2");
    assert_eq!(first["create_time"], START_MS);
    let names = |answer: &crate::helpers::Answer| -> Vec<String> {
        answer.body["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&app.get(&browse("name=db")).await),
        ["gamma-db", "orders-db"]
    );
    assert_eq!(
        names(&app.get(&browse("state=PENDING_DELETE")).await),
        ["gamma-db"]
    );
    assert_eq!(names(&app.get(&browse("type=RDS-FG")).await), ["orders-db"]);
    assert_eq!(names(&app.get(&browse("tag=env")).await), ["beta"]);
    assert_eq!(names(&app.get(&browse("tag=env%3Dprod")).await), ["beta"]);
    assert!(names(&app.get(&browse("tag=env%3Ddev")).await).is_empty());
    let paged = app.get(&browse("offset=1&limit=2")).await;
    assert_eq!(paged.body["total"], 4);
    assert_eq!(names(&paged), ["beta", "gamma-db"]);
    assert_csms_error(&app.get(&browse("limit=0")).await, 400, "CSMS.0002");
}

#[tokio::test]
async fn a_clock_advance_reports_how_many_secrets_had_due_work() {
    let app = TestApp::new();
    app.create_secret("doomed", "v").await;
    app.schedule_deletion("doomed", 7).await;
    let quiet = app.post("/_emulator/clock", json!({"advance": "1d"})).await;
    assert_eq!(quiet.body["due_work_ran"], 0);
    let moved = app.post("/_emulator/clock", json!({"advance": "7d"})).await;
    assert_eq!(moved.body["due_work_ran"], 1);
    assert!(
        app.get("/_emulator/clock")
            .await
            .body
            .get("due_work_ran")
            .is_none()
    );
}

#[tokio::test]
async fn a_jump_of_millennia_does_bounded_work_and_leaves_the_secret_valid() {
    let app = TestApp::new();
    let answer = app
        .post(
            &crate::helpers::secrets_path(),
            json!({"name": "db", "secret_string": "{\"password\":\"p\"}", "secret_type": "RDS-FG",
                   "auto_rotation": true, "rotation_period": "4h",
                   "rotation_func_urn": "urn:fss:r:p:function:default:rotate:latest",
                   "rotation_config": "{\"InstanceId\":\"i\",\"SecretSubType\":\"SingleUser\"}"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    let target = 253_402_300_799_998_i64;
    let moved = app.post("/_emulator/clock", json!({"set": target})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.raw);
    let secret = app.get(&secret_path("db")).await;
    assert!(
        secret.body["secret"]["next_rotation_time"]
            .as_i64()
            .unwrap()
            > target
    );
    let versions = app
        .get(&format!("{}/versions?limit=100", secret_path("db")))
        .await;
    assert_eq!(
        versions.body["version_metadatas"].as_array().map(Vec::len),
        Some(20)
    );
}
