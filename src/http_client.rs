//! A one-request HTTP/1.1 client (hyper's connection API): plain `http://` only, one
//! connection per request, and a deadline on the whole exchange. The `healthcheck`
//! subcommand, SMN deliveries and rotation-function calls all use it.

use std::time::Duration;

use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Answers larger than this are cut: deliveries read only the status, functions a small
/// JSON answer.
pub const ANSWER_MAX: usize = 64 * 1024;

/// An answer: the status and up to [`ANSWER_MAX`] bytes of the body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// POSTs `body` as JSON with `headers` to `url`; fails with a short reason when no
/// answer came within `timeout`.
pub async fn post_json(
    url: &str,
    headers: &[(&str, String)],
    body: String,
    timeout: Duration,
) -> Result<Answer, String> {
    within(timeout, exchange(url, headers, Some(body))).await
}

/// GETs `url`; fails with a short reason when no answer came within `timeout`.
pub async fn get(url: &str, timeout: Duration) -> Result<Answer, String> {
    within(timeout, exchange(url, &[], None)).await
}

async fn within(
    timeout: Duration,
    exchange: impl Future<Output = Result<Answer, String>>,
) -> Result<Answer, String> {
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("no answer within {} ms", timeout.as_millis()))?
}

/// One request: a POST of JSON when there is a `body`, else a GET.
async fn exchange(
    url: &str,
    headers: &[(&str, String)],
    body: Option<String>,
) -> Result<Answer, String> {
    let uri: Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err("only http:// endpoints are called".to_owned());
    }
    let authority = uri.authority().ok_or("the URL has no host")?.clone();
    let port = authority.port_u16().unwrap_or(80);
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let stream = TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let driver = tokio::spawn(connection);
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = match body {
        Some(_) => Request::post(path).header(
            hyper::header::CONTENT_TYPE,
            "application/json; charset=UTF-8",
        ),
        None => Request::get(path),
    }
    .header(hyper::header::HOST, authority.as_str())
    .header(hyper::header::USER_AGENT, "csms-emulator");
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    let request = request
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .map_err(|e| format!("request: {e}"))?;
    let answer = sender
        .send_request(request)
        .await
        .map_err(|e| format!("send: {e}"));
    let result = match answer {
        Ok(answer) => {
            let status = answer.status().as_u16();
            let limited = http_body_util::Limited::new(answer.into_body(), ANSWER_MAX);
            let body = limited
                .collect()
                .await
                .map(|b| b.to_bytes().to_vec())
                .unwrap_or_default();
            Ok(Answer { status, body })
        }
        Err(e) => Err(e),
    };
    driver.abort();
    result
}
