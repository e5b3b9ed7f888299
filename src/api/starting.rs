//! Serving before the state is loaded. The port is bound first and answered at once: while
//! the data directory and the seed load, `GET /_emulator/health` says the process is alive
//! (200), and every other request, `/_emulator/ready` included, is answered 503 with a JSON
//! body and `Retry-After` (docs/behaviour.md §52). No connection waits in silence, and a
//! launcher can tell loading from a hang.
//!
//! Connections accepted once the state is loaded get the application itself, so serving
//! costs nothing more then. A connection accepted while loading asks the gate on each
//! request, and is closed after each loading answer, so a client's next request comes on a
//! new connection.

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use axum::http::header::{CONNECTION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::util::BoxCloneSyncService;

use super::App;
use super::error::error_response;
use super::json::Json;
use crate::error::ErrorCode;

/// Seconds a client is asked to wait before trying again.
const RETRY_AFTER_SECONDS: &str = "1";

/// The application once the state is loaded; until then, the loading answers.
#[derive(Default)]
pub struct Gate {
    app: OnceLock<App>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("open", &self.app.get().is_some())
            .finish()
    }
}

impl Gate {
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Lets every request through to `app` from now on. A second call changes nothing.
    pub fn open(&self, app: App) {
        let _ = self.app.set(app);
    }

    /// What a connection accepted now is served by.
    #[must_use]
    pub fn current(self: &Arc<Self>) -> App {
        if let Some(app) = self.app.get() {
            return app.clone();
        }
        let gate = Arc::clone(self);
        App::stand_in(BoxCloneSyncService::new(tower::service_fn(
            move |request: axum::extract::Request| {
                let gate = Arc::clone(&gate);
                async move {
                    Ok::<_, Infallible>(match gate.app.get() {
                        Some(app) => app.answer(request).await,
                        None => loading_answer(request.uri().path()),
                    })
                }
            },
        )))
    }
}

/// The answer to a request that came while the state loads.
fn loading_answer(path: &str) -> Response {
    let mut response = match path {
        "/_emulator/health" => Json(serde_json::json!({ "status": "ok" })).into_response(),
        "/_emulator/ready" => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "status": "loading",
                "reason": "csms-emulator is loading its state (the data directory, the seed)",
            })),
        )
            .into_response(),
        _ => {
            let id = uuid::Uuid::new_v4().simple().to_string();
            let mut answer = error_response(
                ErrorCode::Loading,
                "csms-emulator is loading its state (the data directory, the seed); try again shortly"
                    .to_owned(),
                Some(id.clone()),
            );
            if let Ok(value) = HeaderValue::from_str(&id) {
                answer.headers_mut().insert("x-request-id", value);
            }
            answer
        }
    };
    let headers = response.headers_mut();
    if response_is_refusal(path) {
        headers.insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
    }
    // The client's next request should come on a new connection, which, once the state
    // is loaded, is served by the application directly.
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

fn response_is_refusal(path: &str) -> bool {
    path != "/_emulator/health"
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn call(app: App, path: &str) -> (StatusCode, Option<String>, serde_json::Value) {
        let request = axum::extract::Request::get(path)
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let retry = response
            .headers()
            .get(RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, retry, serde_json::from_slice(&bytes).unwrap())
    }

    fn loaded_app() -> App {
        App::stand_in(BoxCloneSyncService::new(tower::service_fn(
            |_request: axum::extract::Request| async {
                Ok::<_, Infallible>(StatusCode::IM_A_TEAPOT.into_response())
            },
        )))
    }

    #[tokio::test]
    async fn while_loading_health_is_alive_and_everything_else_is_503_json_with_retry_after() {
        let gate = Gate::new();
        let (status, retry, body) = call(gate.current(), "/_emulator/health").await;
        assert_eq!((status, retry), (StatusCode::OK, None));
        assert_eq!(body["status"], "ok");
        let (status, retry, body) = call(gate.current(), "/_emulator/ready").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry.as_deref(), Some("1"));
        assert_eq!(body["status"], "loading");
        let (status, retry, body) = call(gate.current(), "/v1/p/secrets").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry.as_deref(), Some("1"));
        assert_eq!(body["error_code"], "APIGW.0202");
        assert!(body["error_msg"].as_str().unwrap().contains("loading"));
        assert_eq!(body["request_id"].as_str().unwrap().len(), 32);
    }

    #[tokio::test]
    async fn once_open_a_connection_from_before_is_served_by_the_application() {
        let gate = Gate::new();
        let early = gate.current();
        gate.open(loaded_app());
        let request = axum::extract::Request::get("/v1/p/secrets")
            .body(Body::empty())
            .unwrap();
        let response = early.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
        let later = gate.current();
        let request = axum::extract::Request::get("/_emulator/health")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            later.oneshot(request).await.unwrap().status(),
            StatusCode::IM_A_TEAPOT
        );
    }
}
