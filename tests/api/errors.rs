//! Hostile and malformed requests: every one gets a CSMS-shaped error with the documented
//! status, never a plain-text rejection, a 500 or a panic.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::json;

use crate::helpers::{PROJECT, TestApp, assert_csms_error, assert_request_id, secrets_path};

fn raw(method: Method, path: &str, content_type: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn unparsable_json_is_csms_0004() {
    let app = TestApp::new();
    for body in [
        "{",
        "not json",
        "{\"name\": }",
        "",
        "{\"name\":\"a\"} trailing",
    ] {
        let answer = app
            .send(raw(
                Method::POST,
                &secrets_path(),
                Some("application/json"),
                body,
            ))
            .await;
        assert_csms_error(&answer, 400, "CSMS.0004");
    }
}

#[tokio::test]
async fn a_missing_or_foreign_content_type_is_csms_0004() {
    let app = TestApp::new();
    let body = r#"{"name":"a","secret_string":"x"}"#;
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let answer = app.send(raw(Method::POST, &secrets_path(), ct, body)).await;
        assert_csms_error(&answer, 400, "CSMS.0004");
    }
    // JSON with parameters, any case, is fine
    let answer = app
        .send(raw(
            Method::POST,
            &secrets_path(),
            Some("Application/JSON; charset=UTF-8"),
            body,
        ))
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.raw);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_apigw_0201_with_a_request_id() {
    let app = TestApp::with_args(&["--max-body-bytes", "1024"]);
    let body = json!({"name": "big", "secret_string": "a".repeat(2048)}).to_string();
    let answer = app
        .send(raw(
            Method::POST,
            &secrets_path(),
            Some("application/json"),
            &body,
        ))
        .await;
    assert_csms_error(&answer, 413, "APIGW.0201");
    assert_eq!(
        answer.body["request_id"].as_str(),
        answer.request_id.as_deref()
    );
    let list = app.get(&secrets_path()).await;
    assert_eq!(list.body["secrets"], json!([]));
}

#[tokio::test]
async fn unknown_paths_and_methods_are_404_apigw_0101_with_a_request_id() {
    let app = TestApp::new();
    let cases = [
        (Method::GET, "/".to_owned()),
        (Method::GET, "/v2/x/secrets".to_owned()),
        (Method::GET, format!("/v1/{PROJECT}/nothing")),
        (Method::DELETE, secrets_path()),
        (Method::PATCH, format!("{}/s", secrets_path())),
        (Method::PUT, format!("{}/s/versions", secrets_path())),
        (Method::POST, format!("{}/s/stages/X", secrets_path())),
        (
            Method::GET,
            format!("{}/s/versions/v1/extra", secrets_path()),
        ),
    ];
    for (method, path) in cases {
        let answer = app.call(method.clone(), &path, None).await;
        assert_csms_error(&answer, 404, "APIGW.0101");
        assert_eq!(
            answer.body["request_id"].as_str(),
            answer.request_id.as_deref(),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn bad_path_segments_are_csms_0002() {
    let app = TestApp::new();
    for path in [
        "/v1/%7Bproject_id%7D/secrets".to_owned(),
        format!("/v1/{}/secrets", "p".repeat(65)),
        format!("{}/%FF%FE", secrets_path()),
        format!("{}/{}", secrets_path(), "n".repeat(65)),
        format!("{}/a%2Fb/versions", secrets_path()),
        format!("{}/s/stages/{}", secrets_path(), "x".repeat(65)),
    ] {
        let answer = app.get(&path).await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
}

#[tokio::test]
async fn a_bad_query_string_is_csms_0002() {
    let app = TestApp::new();
    let answer = app.get(&format!("{}?limit=%FF", secrets_path())).await;
    assert_csms_error(&answer, 400, "CSMS.0002");
}

#[tokio::test]
async fn get_and_delete_may_carry_a_content_type_and_no_body() {
    let app = TestApp::new();
    app.create_secret("s", "x").await;
    let answer = app
        .send(raw(
            Method::GET,
            &format!("{}/s", secrets_path()),
            Some("application/json;charset=utf-8"),
            "",
        ))
        .await;
    assert_eq!(answer.status.as_u16(), 200);
}

#[tokio::test]
async fn the_health_route_answers_ok_with_a_request_id() {
    let app = TestApp::new();
    let answer = app.get("/_emulator/health").await;
    assert_eq!(answer.status.as_u16(), 200);
    assert_eq!(answer.body["status"], "ok");
    assert_request_id(&answer);
}

#[tokio::test]
async fn every_answer_has_a_fresh_request_id() {
    let app = TestApp::new();
    let a = app.get(&secrets_path()).await;
    let b = app.get(&secrets_path()).await;
    assert_request_id(&a);
    assert_request_id(&b);
    assert_ne!(a.request_id, b.request_id);
}
