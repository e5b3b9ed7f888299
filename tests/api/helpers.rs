//! Shared test helpers: an app on a frozen clock, request shortcuts, error assertions.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use clap::Parser;
use csms_emulator::api::App;
use csms_emulator::clock::{ClockMode, EmulatorClock};
use csms_emulator::config::Config;
use csms_emulator::store::Store;
use csms_emulator::store::memory::MemoryStore;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
pub const START_MS: i64 = 1_700_000_000_000;

pub struct TestApp {
    pub router: App,
    pub clock: Arc<EmulatorClock>,
}

/// A response as tests see it.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub request_id: Option<String>,
    pub content_type: Option<String>,
    pub body: Value,
    pub raw: String,
}

impl TestApp {
    pub fn new() -> Self {
        Self::with_args(&[])
    }

    pub fn with_args(args: &[&str]) -> Self {
        Self::with_store(args, Arc::new(MemoryStore::new()))
    }

    pub fn with_store(args: &[&str], store: Arc<dyn Store>) -> Self {
        let config =
            Config::try_parse_from(std::iter::once("csms-emulator").chain(args.iter().copied()))
                .expect("valid test configuration");
        let clock = Arc::new(EmulatorClock::new());
        clock.set_mode(ClockMode::Frozen);
        clock.set(START_MS);
        let router = csms_emulator::app::build_with(&config, store, Arc::clone(&clock));
        Self { router, clock }
    }

    /// Sends a request; `body` is sent as JSON with the SDK's content type.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let request = Request::builder().method(method).uri(path);
        let request = match body {
            Some(json) => request
                .header("content-type", "application/json;charset=utf-8")
                .body(Body::from(json.to_string())),
            None => request
                .header("content-type", "application/json")
                .body(Body::empty()),
        }
        .expect("valid request");
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router never fails");
        let status = response.status();
        let request_id = header(response.headers(), "x-request-id");
        let content_type = header(response.headers(), "content-type");
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            request_id,
            content_type,
            body,
            raw,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// A bodiless POST, as the SDKs send for rotate, backup and cancel.
    pub async fn post_empty(&self, path: &str) -> Answer {
        self.call(Method::POST, path, None).await
    }

    /// Creates a database secret bound to `instance`, whose value is a JSON object.
    /// Schedules the deletion of `name` in `days` days.
    pub async fn schedule_deletion(&self, name: &str, days: u32) -> Answer {
        self.post(
            &format!("{}/scheduled-deleted-tasks/create", secret_path(name)),
            serde_json::json!({ "recovery_window_in_days": days }),
        )
        .await
    }

    pub async fn create_db_secret(&self, name: &str, instance: &str) -> Value {
        let answer = self
            .post(
                &secrets_path(),
                serde_json::json!({
                    "name": name,
                    "secret_string": "{\"username\":\"app\",\"password\":\"old\"}",
                    "secret_type": "RDS-FG",
                    "rotation_config": format!("{{\"InstanceId\":\"{instance}\",\"SecretSubType\":\"SingleUser\"}}")
                }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
        answer.body["secret"].clone()
    }

    /// Creates a secret with a text value and asserts success.
    pub async fn create_secret(&self, name: &str, value: &str) -> Value {
        let answer = self
            .post(
                &secrets_path(),
                serde_json::json!({ "name": name, "secret_string": value }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
        answer.body["secret"].clone()
    }

    /// Creates an ENABLED event of the given types and asserts success.
    pub async fn create_event(&self, name: &str, types: &[&str]) -> Value {
        let answer = self
            .post(
                &format!("/v1/{PROJECT}/csms/events"),
                serde_json::json!({
                    "name": name,
                    "event_types": types,
                    "state": "ENABLED",
                    "notification": {"target_type": "SMN", "target_id": "urn:smn:region:p:topic", "target_name": "topic"}
                }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
        answer.body["event"].clone()
    }

    /// Creates a version with a text value and asserts success.
    pub async fn create_version(&self, name: &str, body: Value) -> Value {
        let answer = self
            .post(&format!("{}/{name}/versions", secrets_path()), body)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
        answer.body["version_metadata"].clone()
    }
}

fn header(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub fn secrets_path() -> String {
    format!("/v1/{PROJECT}/secrets")
}

pub fn secret_path(name: &str) -> String {
    format!("/v1/{PROJECT}/secrets/{name}")
}

pub fn csms_path(rest: &str) -> String {
    format!("/v1/{PROJECT}/csms/{rest}")
}

/// Asserts a CSMS-shaped error: status, code, a non-empty message, and a request id header.
pub fn assert_csms_error(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.raw);
    assert_eq!(answer.body["error_code"], code, "{}", answer.raw);
    let msg = answer.body["error_msg"].as_str().unwrap_or_default();
    assert!(!msg.is_empty(), "{}", answer.raw);
    assert_request_id(answer);
}

pub fn assert_request_id(answer: &Answer) {
    let id = answer.request_id.as_deref().expect("X-Request-Id header");
    assert_eq!(id.len(), 32, "{id}");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
}
