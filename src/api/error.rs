//! How a [`CsmsError`] reaches the client: the documented status and a flat
//! `{"error_code","error_msg"}` body (docs/behaviour.md §6). Gateway errors get `request_id` added by the
//! request middleware, which alone knows the id.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{CsmsError, ErrorCode};

/// The wire error body.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub error_code: &'static str,
    pub error_msg: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Attached to every error response so the middleware can log the code and complete
/// gateway bodies.
#[derive(Debug, Clone)]
pub struct ErrorMark {
    pub code: ErrorCode,
    pub message: String,
}

/// Renders an error body with the code's status.
#[must_use]
pub fn error_response(code: ErrorCode, message: String, request_id: Option<String>) -> Response {
    let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = ErrorBody {
        error_code: code.as_str(),
        error_msg: message.clone(),
        request_id,
    };
    let mut response = (status, Json(body)).into_response();
    response
        .extensions_mut()
        .insert(ErrorMark { code, message });
    response
}

/// The error type handlers return.
#[derive(Debug)]
pub struct ApiError(pub CsmsError);

impl From<CsmsError> for ApiError {
    fn from(err: CsmsError) -> Self {
        Self(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self.0 {
            CsmsError::Internal(cause) => tracing::error!(%cause, "internal error"),
            CsmsError::Store(cause) => tracing::error!(%cause, "storage error"),
            _ => {}
        }
        error_response(self.0.code(), self.0.client_message(), None)
    }
}

/// Handler results.
pub type ApiResult<T> = Result<T, ApiError>;
