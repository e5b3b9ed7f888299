//! Requests hyper's HTTP/1.1 parser refuses (a malformed request line or header,
//! conflicting `Content-Length`s, a URI or header section too large) are answered by hyper
//! itself, before any service sees them, with a status and an empty body. This turns such
//! an answer, on its way out, into a CSMS/APIG-shaped one: the same status, a JSON body
//! with `APIGW.0201` (the gateway's code for a request it cannot take) and an
//! `X-Request-Id` (docs/behaviour.md §53).
//!
//! hyper's own answers are told from the application's by their headers: every answer the
//! application writes carries `x-request-id`; hyper's carry none, and `content-length: 0`
//! with `connection: close`.

use std::fmt::Write as _;

use crate::api::error::ErrorBody;
use crate::error::ErrorCode;

/// The answer to write instead of `head`, when `head` is hyper's refusal of a request it
/// could not parse.
#[must_use]
pub fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    // Every answer passes here: a success is turned away by its first bytes.
    if !(head.starts_with(b"HTTP/1.1 4") || head.starts_with(b"HTTP/1.1 5")) {
        return None;
    }
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    // Only a whole header block with nothing after it: an empty-bodied answer.
    if end + 4 != head.len() {
        return None;
    }
    let text = std::str::from_utf8(&head[..end]).ok()?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line
        .strip_prefix("HTTP/1.1 ")?
        .get(..3)?
        .parse()
        .ok()?;
    if !(400..600).contains(&status) {
        return None;
    }
    let headers: Vec<&str> = lines.collect();
    let has = |name: &str, value: &str| {
        headers.iter().any(|h| {
            h.split_once(':').is_some_and(|(n, v)| {
                n.trim().eq_ignore_ascii_case(name) && v.trim().eq_ignore_ascii_case(value)
            })
        })
    };
    let named = |name: &str| {
        headers.iter().any(|h| {
            h.split_once(':')
                .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        })
    };
    if named("x-request-id") || !has("content-length", "0") || !has("connection", "close") {
        return None;
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let body = serde_json::to_vec(&ErrorBody {
        error_code: ErrorCode::Unreadable.as_str(),
        error_msg: message(status).to_owned(),
        request_id: Some(id.clone()),
    })
    .ok()?;
    let mut answer = format!("{status_line}\r\n");
    for header in headers {
        if !header.to_ascii_lowercase().starts_with("content-length:") {
            answer.push_str(header);
            answer.push_str("\r\n");
        }
    }
    let _ = write!(
        answer,
        "content-type: application/json\r\nx-request-id: {id}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut bytes = answer.into_bytes();
    bytes.extend_from_slice(&body);
    Some(bytes)
}

fn message(status: u16) -> &'static str {
    match status {
        414 => "the request URI is too long",
        431 => "the request's header section is too large",
        413 => "the request is too large",
        _ => {
            "the request is not valid HTTP/1.1: a malformed request line or header, or conflicting Content-Length headers"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYPER_400: &[u8] =
        b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: Sat, 05 Dec 2026 17:59:49 GMT\r\n\r\n";

    fn split(answer: &[u8]) -> (String, serde_json::Value) {
        let text = String::from_utf8(answer.to_vec()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        (head.to_owned(), serde_json::from_str(body).unwrap())
    }

    #[test]
    fn hypers_empty_refusal_gets_a_json_body_with_its_status_kept() {
        let answer = rewrite(HYPER_400).unwrap();
        let (head, body) = split(&answer);
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(head.contains("connection: close"), "{head}");
        assert!(head.contains("date: Sat, 05 Dec 2026"), "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(!head.contains("content-length: 0"), "{head}");
        assert_eq!(body["error_code"], "APIGW.0201");
        let id = body["request_id"].as_str().unwrap();
        assert!(head.contains(&format!("x-request-id: {id}")), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, answer.len() - head.len() - 4);
        let uri =
            rewrite(b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
        assert_eq!(
            split(&uri.unwrap()).1["error_msg"],
            "the request URI is too long"
        );
    }

    #[test]
    fn the_applications_answers_are_left_alone() {
        for answer in [
            // the application's: an x-request-id, and mostly a body
            &b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nx-request-id: ab\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"[..],
            // success
            b"HTTP/1.1 204 No Content\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            // a body follows in the same write
            b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\nx",
            // a header block cut short
            b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n",
            // keep-alive: not hyper's refusal
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n",
            // not a status line at all
            b"\x16\x03\x01\x00\x05hello\r\n\r\n",
        ] {
            assert_eq!(rewrite(answer), None, "{}", String::from_utf8_lossy(answer));
        }
    }
}
