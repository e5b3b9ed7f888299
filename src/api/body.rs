//! Request bodies: read within the size limit and the body-read timeout, and a
//! `Content-Length` over the limit refused before a byte of the body is read (so a client
//! that sent `Expect: 100-continue` is told 413 instead of being asked to send it).
//! A body sent to an operation that reads none is read and dropped before the answer.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;

use crate::error::CsmsError;

/// How bodies are read: at most `limit` bytes, all of them within `timeout` of the first
/// read.
#[derive(Debug, Clone, Copy)]
pub struct BodyRules {
    pub limit: usize,
    pub timeout: Duration,
}

/// Reads a whole body under `rules`.
pub async fn read(body: Body, rules: BodyRules) -> Result<Bytes, CsmsError> {
    match tokio::time::timeout(rules.timeout, to_bytes(body, rules.limit)).await {
        Err(_) => Err(CsmsError::BodyTimeout {
            secs: rules.timeout.as_secs(),
        }),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(err)) if is_length_limit(&err) => {
            Err(CsmsError::BodyTooLarge { limit: rules.limit })
        }
        Ok(Err(_)) => Err(CsmsError::MalformedBody(
            "the request body could not be read".into(),
        )),
    }
}

/// Whether reading stopped at the size limit (`to_bytes` wraps the limit error).
fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        if current.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = current.source();
    }
    false
}

/// The declared length, when the client sent a readable one.
fn declared_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Refuses with 413 `APIGW.0201` at once a request whose `Content-Length` is over the
/// limit. Later readers get the same rules with the handlers' state.
pub fn limit_body(rules: BodyRules, request: &Request) -> Result<(), CsmsError> {
    if declared_length(request).is_some_and(|n| n > rules.limit as u64) {
        return Err(CsmsError::BodyTooLarge { limit: rules.limit });
    }
    Ok(())
}

/// Reads and drops, under `rules`, the body of a request no handler will read (its
/// operation takes none, such as a `GET` sent with a JSON body, or a fault answers for
/// it), and passes the request on without it.
///
/// Left unread, the body could arrive after the answer was written: the connection,
/// closed with bytes unread, then sends a reset, and the client loses whatever of the
/// answer it had not yet received (a long list or an export). Read, the connection also
/// stays open for the next request.
pub async fn drain(request: Request, rules: BodyRules) -> Result<Request, CsmsError> {
    let (parts, body) = request.into_parts();
    read(body, rules).await?;
    Ok(Request::from_parts(parts, Body::empty()))
}
