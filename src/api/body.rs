//! Request bodies: read within the size limit and the body-read timeout, and a
//! `Content-Length` over the limit refused before a byte of the body is read (so a client
//! that sent `Expect: 100-continue` is told 413 instead of being asked to send it).
//! A body sent to an operation that reads none is read and dropped before the answer.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use http_body_util::{BodyExt, LengthLimitError, Limited};

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
    match tokio::time::timeout(rules.timeout, gather(body, rules.limit)).await {
        Err(_) => Err(CsmsError::BodyTimeout {
            secs: rules.timeout.as_secs(),
        }),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(err)) if is_length_limit(&*err) => {
            Err(CsmsError::BodyTooLarge { limit: rules.limit })
        }
        Ok(Err(_)) => Err(CsmsError::MalformedBody(
            "the request body could not be read".into(),
        )),
    }
}

/// The body's data, failing past `limit` bytes. A body that comes in one piece (the
/// usual case: it arrives with the request's head) is handed on as it came. axum's
/// `to_bytes` put even one piece in a list before handing it on: an allocation and a
/// grow per body, about 350 instructions of a create secret (`bench/instructions.sh`).
async fn gather(body: Body, limit: usize) -> Result<Bytes, axum::BoxError> {
    let mut body = Limited::new(body, limit);
    let mut gathered = Gathered::Nothing;
    while let Some(frame) = body.frame().await {
        // A trailers frame carries no data.
        if let Ok(data) = frame?.into_data() {
            gathered = gathered.and(data);
        }
    }
    Ok(gathered.into_bytes())
}

/// What a body's data frames have brought so far.
enum Gathered {
    Nothing,
    One(Bytes),
    Joined(Vec<u8>),
}

impl Gathered {
    fn and(self, data: Bytes) -> Self {
        match self {
            Self::Nothing => Self::One(data),
            Self::One(first) => {
                let mut joined = Vec::with_capacity(first.len() + data.len());
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&data);
                Self::Joined(joined)
            }
            Self::Joined(mut joined) => {
                joined.extend_from_slice(&data);
                Self::Joined(joined)
            }
        }
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Self::Nothing => Bytes::new(),
            Self::One(data) => data,
            Self::Joined(joined) => Bytes::from(joined),
        }
    }
}

/// Whether reading stopped at the size limit (the error, or one it wraps, is the limit's).
fn is_length_limit(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        if current.is::<LengthLimitError>() {
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

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    /// A body that comes as `pieces`, each a data frame of its own.
    fn in_pieces(pieces: &[&'static str]) -> Body {
        let frames = pieces
            .iter()
            .map(|piece| Ok::<_, Infallible>(Bytes::from_static(piece.as_bytes())));
        Body::from_stream(futures_util::stream::iter(frames.collect::<Vec<_>>()))
    }

    const RULES: BodyRules = BodyRules {
        limit: 10,
        timeout: Duration::from_secs(60),
    };

    #[tokio::test]
    async fn a_body_is_read_whole_whatever_pieces_it_comes_in() {
        for pieces in [
            &[][..],
            &[""],
            &["{}"],
            &["{\"a\"", ":", "1}"],
            &["", "{\"a\":1}", ""],
            &["0123456789"],
        ] {
            let read = read(in_pieces(pieces), RULES).await.unwrap();
            assert_eq!(read, pieces.concat().as_bytes(), "{pieces:?}");
        }
    }

    #[tokio::test]
    async fn trailers_after_the_data_add_nothing_to_the_body() {
        let frames = [
            Ok::<_, Infallible>(http_body::Frame::data(Bytes::from_static(b"{\"a\""))),
            Ok(http_body::Frame::data(Bytes::from_static(b":1}"))),
            Ok(http_body::Frame::trailers(axum::http::HeaderMap::new())),
        ];
        let body = Body::new(http_body_util::StreamBody::new(futures_util::stream::iter(
            frames,
        )));
        assert_eq!(read(body, RULES).await.unwrap(), &b"{\"a\":1}"[..]);
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_too_large_in_one_piece_or_across_several() {
        for pieces in [
            &["01234567890"][..],
            &["0123456", "7890"],
            &["01", "23", "45", "67", "89", "0"],
        ] {
            let refused = read(in_pieces(pieces), RULES).await.unwrap_err();
            assert!(
                matches!(refused, CsmsError::BodyTooLarge { limit: 10 }),
                "{pieces:?}: {refused:?}"
            );
        }
    }
}
