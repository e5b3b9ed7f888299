//! The request middleware: a 32-hex `X-Request-Id` on every answer, `request_id` in gateway
//! error bodies, and one log line per request (method, path, status, latency, request id,
//! error code; never a body, so never a secret value).

use std::any::Any;
use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ErrorCode;

use super::error::{ErrorMark, error_response};

/// The id of the request being served, for handlers that want it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn request_context(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    request.extensions_mut().insert(RequestId(id.clone()));

    let mut response = next.run(request).await;

    let mark = response.extensions().get::<ErrorMark>().cloned();
    if let Some(mark) = &mark {
        if mark.code.is_gateway() {
            response = error_response(mark.code, mark.message.clone(), Some(id.clone()));
        }
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status = response.status().as_u16();
    let latency_us = started.elapsed().as_micros() as u64;
    let error_code = mark.as_ref().map(|m| m.code.as_str());
    if status >= 500 {
        tracing::error!(%method, %path, status, latency_us, request_id = %id, error_code, "request");
    } else {
        tracing::info!(%method, %path, status, latency_us, request_id = %id, error_code, "request");
    }
    response
}

#[allow(clippy::needless_pass_by_value)] // the signature CatchPanicLayer requires
/// A handler panic becomes a CSMS-shaped 500; the panic text goes to the log only.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(%detail, "handler panicked");
    error_response(ErrorCode::Internal, "internal error".to_owned(), None)
}
