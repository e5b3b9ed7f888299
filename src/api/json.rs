//! JSON answers: a body serialized into a buffer sized for a typical CSMS answer, sent as
//! `application/json`. Unlike `axum::Json`, a body that cannot be serialized becomes the
//! CSMS-shaped internal error (`CSMS.0001`), never a plain-text 500. [`written`] sends an
//! answer that writes its own JSON (`wire/json_text.rs`) in the same way.

use axum::body::{Body, Bytes};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;
use crate::error::CsmsError;

/// Room for a secret with its metadata (a created secret's answer is about 570 bytes),
/// or a version with a value of a few hundred bytes, without growing: growing moves what
/// was written (a create secret's answer did so at 512).
const INITIAL_CAPACITY: usize = 1024;

/// A JSON answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut failed = None;
        let answer = written(|body| failed = serde_json::to_writer(body, &self.0).err());
        match failed {
            None => answer,
            Some(err) => ApiError(CsmsError::Internal(format!(
                "serializing an answer failed: {err}"
            )))
            .into_response(),
        }
    }
}

/// A JSON answer whose body `write` writes into a buffer sized for a typical answer.
pub fn written(write: impl FnOnce(&mut Vec<u8>)) -> Response {
    let mut body = Vec::with_capacity(INITIAL_CAPACITY);
    write(&mut body);
    json_response(body)
}

/// `body` as a JSON answer. Built directly: axum's `(headers, body)` answer goes through
/// its response-parts machinery for the same result. Kept out of line, so the answer of
/// each of the many types written is not a copy of it.
#[inline(never)]
fn json_response(body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(Bytes::from(body)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use http_body_util::BodyExt;

    use super::*;

    async fn parts(response: Response) -> (u16, String, String) {
        let status = response.status().as_u16();
        let content_type = response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            content_type,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn a_body_is_sent_as_application_json() {
        let answer = Json(serde_json::json!({"name": "a", "n": 1}));
        let (status, content_type, body) = parts(answer.into_response()).await;
        assert_eq!((status, content_type.as_str()), (200, "application/json"));
        assert_eq!(body, r#"{"n":1,"name":"a"}"#);
    }

    #[tokio::test]
    async fn a_body_that_cannot_be_serialized_is_the_csms_internal_error() {
        // JSON object keys must be strings.
        let unserializable = BTreeMap::from([((1, 2), "pair key")]);
        let (status, content_type, body) = parts(Json(unserializable).into_response()).await;
        assert_eq!((status, content_type.as_str()), (500, "application/json"));
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error_code"], "CSMS.0001");
        assert_eq!(body["error_msg"], "internal error");
    }
}
