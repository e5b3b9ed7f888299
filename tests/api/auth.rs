//! Authentication through the router: enforce mode refuses missing or wrong credentials
//! with 401 `APIGW.0301`, binds credentials to projects (403), and leaves the emulator's
//! own routes open; the IAM project lookup answers one project.

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
    // the emulator's own routes stay open
    assert_eq!(app.get("/_emulator/health").await.status, StatusCode::OK);
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
