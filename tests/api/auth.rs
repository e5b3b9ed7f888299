//! Authentication through the router: enforce mode refuses missing or wrong credentials
//! with 401 `APIGW.0301`, binds credentials to projects (403) on every project-scoped
//! route, keeps the control API closed to all but unbound credentials and the control
//! token (probes stay open), and checks the head before it reads a body; the IAM project
//! lookup answers one project.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use crate::helpers::{PROJECT, TestApp, assert_csms_error, secrets_path};

fn enforce() -> TestApp {
    TestApp::with_args(&[
        "--auth",
        "enforce",
        "--credential",
        "AK1:SK1",
        "--token",
        "good-token",
        "--token",
        "bound-token:other-project",
        "--control-token",
        "control-only",
    ])
}

fn with_token(method: Method, path: &str, token: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("X-Auth-Token", token)
        .header("content-type", "application/json")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn enforce_mode_refuses_requests_without_credentials() {
    let app = enforce();
    let answer = app.get(&secrets_path()).await;
    assert_csms_error(&answer, 401, "APIGW.0301");
    assert_eq!(
        answer.body["request_id"].as_str(),
        answer.request_id.as_deref()
    );
    assert!(
        answer.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("no authentication")
    );
    let create = app
        .post(&secrets_path(), json!({"name": "s", "secret_string": "x"}))
        .await;
    assert_csms_error(&create, 401, "APIGW.0301");
    // the probes stay open
    assert_eq!(app.get("/_emulator/health").await.status, StatusCode::OK);
    assert_eq!(app.get("/_emulator/ready").await.status, StatusCode::OK);
}

/// Every control route of the table, with its path parameters filled in.
fn control_routes() -> Vec<(Method, String)> {
    csms_emulator::api::operations::Operation::ALL
        .iter()
        .filter(|op| op.is_control())
        .map(|op| {
            let path = op
                .path()
                .replace("{project_id}", PROJECT)
                .replace("{secret_name}", "s")
                .replace("{fault_id}", "1")
                .replace("{asset}", "console.js");
            (Method::from_bytes(op.method().as_bytes()).unwrap(), path)
        })
        .filter(|(method, path)| {
            use csms_emulator::api::operations::{Reach, classify};
            classify(method.as_str(), path).reach() == Reach::Control
        })
        .collect()
}

fn control_request(method: &Method, path: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::builder()
        .method(method.clone())
        .uri(path)
        .header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    request.body(Body::from("{}")).unwrap()
}

#[tokio::test]
async fn in_enforce_mode_every_control_route_needs_an_unbound_credential() {
    let app = enforce();
    app.send(with_token(Method::POST, &secrets_path(), "good-token"))
        .await;
    let routes = control_routes();
    assert!(routes.len() >= 12, "{routes:?}");
    for (method, path) in &routes {
        let bare = app.send(control_request(method, path, None)).await;
        assert_csms_error(&bare, 401, "APIGW.0301");
        let bound = app
            .send(control_request(method, path, Some("bound-token")))
            .await;
        assert_csms_error(&bound, 403, "APIGW.0302");
        assert_eq!(
            bound.body["error_msg"],
            "the control API needs an unbound credential or the --control-token"
        );
        for token in ["good-token", "control-only"] {
            let answer = app.send(control_request(method, path, Some(token))).await;
            assert_ne!(answer.status.as_u16(), 401, "{method} {path} {token}");
            assert_ne!(answer.status.as_u16(), 403, "{method} {path} {token}");
        }
    }
    // the control token opens nothing else
    let csms = app
        .send(with_token(Method::GET, &secrets_path(), "control-only"))
        .await;
    assert_csms_error(&csms, 401, "APIGW.0301");
    // an unknown control path needs credentials before it is found missing
    let unknown = app
        .send(control_request(&Method::GET, "/_emulator/nothing", None))
        .await;
    assert_csms_error(&unknown, 401, "APIGW.0301");
}

#[tokio::test]
async fn in_enforce_mode_the_console_page_is_open_and_its_data_is_not() {
    let app = enforce();
    for path in [
        "/_emulator/ui/",
        "/_emulator/ui/console.js",
        "/_emulator/ui/console.css",
    ] {
        let answer = app.send(control_request(&Method::GET, path, None)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
    }
    for path in [
        "/_emulator/projects".to_owned(),
        format!("/_emulator/projects/{PROJECT}/secrets"),
    ] {
        let answer = app.send(control_request(&Method::GET, &path, None)).await;
        assert_csms_error(&answer, 401, "APIGW.0301");
    }
}

#[tokio::test]
async fn export_with_values_and_reset_stay_closed_without_credentials() {
    let app = enforce();
    let created = app
        .send(
            Request::post(secrets_path())
                .header("X-Auth-Token", "good-token")
                .header("content-type", "application/json")
                .body(Body::from(r#"{"name":"kept","secret_string":"v4lue"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.raw);
    let export = app.get("/_emulator/export?values=true").await;
    assert_csms_error(&export, 401, "APIGW.0301");
    assert!(!export.raw.contains("v4lue"));
    let reset = app.post_empty("/_emulator/reset").await;
    assert_csms_error(&reset, 401, "APIGW.0301");
    let advance = app.post("/_emulator/clock", json!({"advance": "1h"})).await;
    assert_csms_error(&advance, 401, "APIGW.0301");
    let still = app
        .send(with_token(
            Method::GET,
            &format!("{}/kept", secrets_path()),
            "good-token",
        ))
        .await;
    assert_eq!(still.status, StatusCode::OK);
}

#[tokio::test]
async fn in_off_mode_the_control_api_stays_open() {
    let app = TestApp::with_args(&["--credential", "AK1:SK1"]);
    for (method, path) in control_routes() {
        let answer = app.send(control_request(&method, &path, None)).await;
        assert_ne!(answer.status.as_u16(), 401, "{method} {path}");
    }
}

#[tokio::test]
async fn a_credential_bound_to_one_project_cannot_use_a_project_named_csms() {
    let app = enforce();
    let bound = |method: Method, path: &str, body: &'static str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header("X-Auth-Token", "bound-token")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let create = app
        .send(bound(
            Method::POST,
            "/v1/csms/secrets",
            r#"{"name":"x","secret_string":"v"}"#,
        ))
        .await;
    assert_csms_error(&create, 403, "APIGW.0302");
    for path in [
        "/v1/csms/secrets",
        "/v1/csms/secrets/x",
        "/v1/csms/secrets/x/versions",
    ] {
        let read = app.send(bound(Method::GET, path, "")).await;
        assert_csms_error(&read, 403, "APIGW.0302");
    }
    // the project-less peripheral routes stay usable
    let users = app
        .send(bound(Method::GET, "/v1/csms/users?offset=0&limit=10", ""))
        .await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.raw);
}

#[tokio::test]
async fn tokens_are_accepted_and_bound_tokens_keep_to_their_project() {
    let app = enforce();
    let ok = app
        .send(with_token(Method::GET, &secrets_path(), "good-token"))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.raw);
    let bad = app
        .send(with_token(Method::GET, &secrets_path(), "bad-token"))
        .await;
    assert_csms_error(&bad, 401, "APIGW.0301");
    let other = app
        .send(with_token(Method::GET, &secrets_path(), "bound-token"))
        .await;
    assert_csms_error(&other, 403, "APIGW.0302");
    let own = app
        .send(with_token(
            Method::GET,
            "/v1/other-project/secrets",
            "bound-token",
        ))
        .await;
    assert_eq!(own.status, StatusCode::OK);
}

#[tokio::test]
async fn a_bad_signature_is_refused_in_enforce_and_served_in_off_mode() {
    let bad_auth = "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=00";
    let request = || {
        Request::builder()
            .uri(secrets_path())
            .header("Host", "localhost")
            .header("X-Sdk-Date", "20250101T000000Z")
            .header("Authorization", bad_auth)
            .body(Body::empty())
            .unwrap()
    };
    let refused = enforce().send(request()).await;
    assert_csms_error(&refused, 401, "APIGW.0301");
    let off = TestApp::with_args(&["--credential", "AK1:SK1"]);
    let served = off.send(request()).await;
    assert_eq!(served.status, StatusCode::OK);
    // off mode without credentials looks at nothing
    assert_eq!(TestApp::new().send(request()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_iam_lookup_answers_exactly_one_project() {
    let app = TestApp::with_args(&["--project-id", "fedcba9876543210fedcba9876543210"]);
    let answer = app.get("/v3/projects?name=cn-north-4").await;
    assert_eq!(answer.status, StatusCode::OK);
    let projects = answer.body["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0]["id"], "fedcba9876543210fedcba9876543210");
    assert_eq!(projects[0]["name"], "cn-north-4");
    let default = TestApp::new().get("/v3/projects?name=x").await;
    assert_eq!(default.body["projects"][0]["id"], PROJECT);
    assert_csms_error(
        &enforce().get("/v3/projects?name=x").await,
        401,
        "APIGW.0301",
    );
}
