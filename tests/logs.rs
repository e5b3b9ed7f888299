//! What the emulator logs, read through `telemetry::capture`. A binary of its own: tracing
//! caches whether a log line is enabled process-wide, so tests running in parallel without
//! a subscriber could switch these lines off.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use clap::Parser;
use csms_emulator::api::App;
use csms_emulator::clock::EmulatorClock;
use csms_emulator::config::Config;
use csms_emulator::store::memory::MemoryStore;
use http_body_util::BodyExt;
use tower::ServiceExt;

const SECRETS: &str = "/v1/0123456789abcdef0123456789abcdef/secrets";

async fn send(router: &App, request: Request<Body>) -> (StatusCode, String) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn off_mode_logs_why_a_signature_fails_and_no_log_line_holds_a_value() {
    let (subscriber, log) = csms_emulator::telemetry::capture("trace");
    let _installed = tracing::subscriber::set_default(subscriber);
    let config = Config::try_parse_from(["csms-emulator", "--credential", "AK1:SK1"]).unwrap();
    let router = csms_emulator::app::build_with(
        &config,
        Arc::new(MemoryStore::new()),
        Arc::new(EmulatorClock::new()),
    );

    let badly_signed = Request::get(SECRETS)
        .header("Host", "localhost")
        .header("X-Sdk-Date", "20250101T000000Z")
        .header(
            "Authorization",
            "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=00",
        )
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&router, badly_signed).await.0, StatusCode::OK);
    let create = Request::post(SECRETS)
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"name":"logged","secret_string":"log-canary-5150"}"#,
        ))
        .unwrap();
    assert_eq!(send(&router, create).await.0, StatusCode::OK);
    let read = Request::get(format!("{SECRETS}/logged/versions/latest"))
        .body(Body::empty())
        .unwrap();
    let (status, body) = send(&router, read).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("log-canary-5150"));

    let written = log.contents();
    let warning = written
        .lines()
        .find(|line| line.contains("authentication failed"))
        .unwrap_or_else(|| panic!("no warning in {written}"));
    assert!(warning.contains("WARN"), "{warning}");
    assert!(warning.contains("X-Sdk-Date"), "says why: {warning}");
    let request_lines = written
        .lines()
        .filter(|line| line.contains(" request ") || line.ends_with(" request"))
        .count();
    assert!(request_lines >= 3, "one line per request: {written}");
    assert!(!written.contains("log-canary-5150"), "{written}");
}

#[tokio::test]
async fn request_log_errors_writes_a_line_only_for_answers_of_400_and_above() {
    let (subscriber, log) = csms_emulator::telemetry::capture("trace");
    let _installed = tracing::subscriber::set_default(subscriber);
    let config = Config::try_parse_from(["csms-emulator", "--request-log", "errors"]).unwrap();
    let router = csms_emulator::app::build_with(
        &config,
        Arc::new(MemoryStore::new()),
        Arc::new(EmulatorClock::new()),
    );
    let listed = Request::get(SECRETS).body(Body::empty()).unwrap();
    assert_eq!(send(&router, listed).await.0, StatusCode::OK);
    let missing = Request::get(format!("{SECRETS}/nothing-here"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&router, missing).await.0, StatusCode::NOT_FOUND);
    let written = log.contents();
    let request_lines: Vec<&str> = written
        .lines()
        .filter(|line| line.contains(" request "))
        .collect();
    assert_eq!(request_lines.len(), 1, "{written}");
    assert!(request_lines[0].contains("status=404"), "{written}");
}
