//! Rotation functions over HTTP (docs/behaviour.md §59), with a real local endpoint: a
//! mapped `rotation_func_urn` is called with the rotation, and its answer decides the
//! task. Waits poll with a generous deadline; nothing here measures time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::{PROJECT, TestApp, csms_path, secret_path, secrets_path};

const URN: &str =
    "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:rotate:latest";
const DEADLINE: Duration = Duration::from_secs(60);

/// A port for a rotation function, bound before the emulator is built so the emulator
/// can be given its URL.
async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rotate", listener.local_addr().unwrap());
    (listener, url)
}

/// Serves a rotation function on `listener`: records each call and answers `status`;
/// first, when `app` is given, it creates the new version through the emulator's API, as
/// a FunctionGraph function does.
fn serve_function(
    listener: tokio::net::TcpListener,
    status: StatusCode,
    app: Option<csms_emulator::api::App>,
) -> Arc<Mutex<Vec<Value>>> {
    let calls: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = Arc::clone(&calls);
    let route = axum::routing::post(move |body: String| {
        let (seen, app) = (Arc::clone(&seen), app.clone());
        async move {
            let call: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            seen.lock().unwrap().push(call.clone());
            if let Some(app) = app {
                let name = call["secret_name"].as_str().unwrap_or_default().to_owned();
                let request = Request::post(format!("/v1/{PROJECT}/secrets/{name}/versions"))
                    .header("content-type", "application/json")
                    .body(Body::from(
                        json!({"secret_string": "{\"username\":\"app\",\"password\":\"rotated-by-function\"}"}).to_string(),
                    ))
                    .unwrap();
                let answer = app.oneshot(request).await.unwrap();
                assert_eq!(answer.status(), StatusCode::OK);
            }
            status
        }
    });
    let router = axum::Router::new().route("/rotate", route);
    tokio::spawn(async move { axum::serve(listener, router).await });
    calls
}

async fn db_secret_with_function(app: &TestApp) {
    let created = app
        .post(
            &csms_path("events"),
            json!({
                "name": "rotation-watch",
                "event_types": ["SECRET_ROTATED", "SECRET_ROTATED_FAILED"],
                "state": "ENABLED",
                "notification": {"target_type": "SMN", "target_id": "urn:smn:r:p:t", "target_name": "t"}
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.raw);
    let answer = app
        .post(
            &secrets_path(),
            json!({
                "name": "db",
                "secret_string": "{\"username\":\"app\",\"password\":\"old\"}",
                "secret_type": "RDS-FG",
                "rotation_config": "{\"InstanceId\":\"inst\",\"SecretSubType\":\"SingleUser\"}",
                "rotation_func_urn": URN,
                "event_subscriptions": ["rotation-watch"]
            }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
}

/// Rotates `db` and waits until its task leaves `ROTATING`; returns the task.
async fn rotate_and_wait(app: &TestApp) -> Value {
    let answer = app
        .post_empty(&format!("{}/rotate", secret_path("db")))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    assert_eq!(
        answer.body["version_id"], "v1",
        "the function makes the new version"
    );
    let task_id = answer.body["rotation_task_id"].as_str().unwrap().to_owned();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let tasks = app
            .get(&format!("{}?task_id={task_id}", csms_path("tasks")))
            .await;
        let task = tasks.body["tasks"][0].clone();
        if task["task_status"] != "ROTATING" {
            return task;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {task}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn record_types(records: &Value) -> Vec<String> {
    records["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["trigger_event_type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_mapped_rotation_function_is_called_and_its_success_ends_the_task() {
    let (listener, url) = bind().await;
    let app = TestApp::with_args(&[&format!("--function={URN}={url}")]);
    let calls = serve_function(listener, StatusCode::OK, Some(app.router.clone()));
    db_secret_with_function(&app).await;

    let task = rotate_and_wait(&app).await;
    assert_eq!(task["task_status"], "SUCCESS", "{task}");
    assert_eq!(task["rotation_func_urn"], URN);

    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call["secret_name"], "db");
    assert_eq!(call["secret_type"], "RDS-FG");
    assert_eq!(call["rotation_func_urn"], URN);
    assert_eq!(call["rotation_task_id"], task["task_id"]);
    assert_eq!(call["version_id"], "v1");
    assert_eq!(call["project_id"], PROJECT);
    assert!(call["rotation_config"].as_str().unwrap().contains("inst"));
    assert!(!call.to_string().contains("old"), "no value in {call}");

    let latest = app
        .get(&format!("{}/versions/latest", secret_path("db")))
        .await;
    assert!(latest.raw.contains("rotated-by-function"), "{}", latest.raw);
    let secret = app.get(&secret_path("db")).await;
    assert!(secret.body["secret"]["rotation_time"].is_i64());
    let records = app.get(&csms_path("notification-records")).await;
    assert_eq!(record_types(&records.body), ["SECRET_ROTATED"]);
    let message: Value = serde_json::from_str(
        records.body["records"][0]["notification_content"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(message["version_id"], "v2", "the version the function made");
}

#[tokio::test]
async fn a_failing_rotation_function_fails_the_task_and_notifies_rotation_failed() {
    let (listener, url) = bind().await;
    let app = TestApp::with_args(&[&format!("--function={URN}={url}")]);
    let calls = serve_function(listener, StatusCode::INTERNAL_SERVER_ERROR, None);
    db_secret_with_function(&app).await;

    let task = rotate_and_wait(&app).await;
    assert_eq!(task["task_status"], "FAILED", "{task}");
    assert_eq!(task["task_error_code"], "CSMS.0001");
    assert!(
        task["task_error_msg"].as_str().unwrap().contains("500"),
        "{task}"
    );
    assert_eq!(calls.lock().unwrap().len(), 1);
    let latest = app
        .get(&format!("{}/versions/latest", secret_path("db")))
        .await;
    assert_eq!(latest.body["version"]["version_metadata"]["id"], "v1");
    let records = app.get(&csms_path("notification-records")).await;
    assert_eq!(record_types(&records.body), ["SECRET_ROTATED_FAILED"]);
    let journal = app.get("/_emulator/journal").await;
    assert!(
        journal.body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["operation"] == "RotationFunction" && e["status"] == 500),
        "{}",
        journal.raw
    );
}

#[tokio::test]
async fn a_rotation_function_that_never_answers_fails_its_task_at_the_timeout() {
    // Bound but never accepted from: the connection waits, and the call times out.
    let (listener, url) = bind().await;
    let app = TestApp::with_args(&[
        &format!("--function={URN}={url}"),
        "--function-timeout=100ms",
    ]);
    db_secret_with_function(&app).await;
    let task = rotate_and_wait(&app).await;
    assert_eq!(task["task_status"], "FAILED", "{task}");
    assert!(
        task["task_error_msg"]
            .as_str()
            .unwrap()
            .contains("no answer within"),
        "{task}"
    );
    drop(listener);
}

#[tokio::test]
async fn without_a_mapping_the_built_in_rotation_stays() {
    let app = TestApp::with_args(&["--function=urn:fss:other=http://127.0.0.1:9/x"]);
    db_secret_with_function(&app).await;
    let answer = app
        .post_empty(&format!("{}/rotate", secret_path("db")))
        .await;
    assert_eq!(answer.body["version_id"], "v2", "{}", answer.raw);
    let tasks = app.get(&csms_path("tasks")).await;
    assert_eq!(tasks.body["tasks"][0]["task_status"], "SUCCESS");
}
