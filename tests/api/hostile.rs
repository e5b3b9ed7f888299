//! Hostile and malformed input: every such request gets a CSMS-shaped 4xx, never a 500 or
//! a half-applied change.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_csms_error, secret_path, secrets_path};

#[tokio::test]
async fn a_rotation_period_with_a_multibyte_character_is_a_bad_parameter() {
    let app = TestApp::new();
    for period in ["é", "1é", "éd", "１h"] {
        let answer = app
            .post(
                &secrets_path(),
                json!({"name": "x", "secret_string": "v", "rotation_period": period}),
            )
            .await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    app.create_secret("x", "v").await;
    let answer = app
        .put(&secret_path("x"), json!({"rotation_period": "1é"}))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
}

#[tokio::test]
async fn batch_import_reports_a_multibyte_period_per_item_and_creates_the_rest() {
    let app = TestApp::new();
    let answer = app
        .post(
            &format!("{}/batch-import", secrets_path()),
            json!({"secrets": [
                {"name": "bad", "secret_string": "v", "rotation_period": "é"},
                {"name": "good", "secret_string": "v"}
            ]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    assert_eq!(answer.body["success"], 1);
    assert_eq!(answer.body["error_list"][0]["name"], "bad");
    assert_eq!(app.get(&secret_path("good")).await.status, StatusCode::OK);
}

/// A body that never delivers a byte, as a stalled or hostile client sends it.
struct Stalled;

impl http_body::Body for Stalled {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Pending
    }
}

/// A POST whose declared body never arrives.
fn stalled_post(path: &str, length: usize, token: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header("content-type", "application/json")
        .header("content-length", length.to_string())
        .header("expect", "100-continue");
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    request.body(Body::new(Stalled)).unwrap()
}

/// Sends a request that must be answered without its body; a wait for the body would
/// hang, so a generous bound turns that into a failure instead.
async fn answered_without_the_body(
    app: &TestApp,
    request: Request<Body>,
) -> crate::helpers::Answer {
    tokio::time::timeout(std::time::Duration::from_secs(20), app.send(request))
        .await
        .expect("answered without waiting for the body")
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_the_body_is_read() {
    let app = TestApp::with_args(&["--max-body-bytes", "1000"]);
    let answer = answered_without_the_body(&app, stalled_post(&secrets_path(), 1001, None)).await;
    assert_csms_error(&answer, 413, "APIGW.0201");
}

#[tokio::test]
async fn in_enforce_mode_a_request_without_credentials_is_refused_before_its_body() {
    let app = TestApp::with_args(&["--auth", "enforce", "--token", "t"]);
    let answer = answered_without_the_body(&app, stalled_post(&secrets_path(), 500, None)).await;
    assert_csms_error(&answer, 401, "APIGW.0301");
    let unknown_ak = Request::post(secrets_path())
        .header("content-type", "application/json")
        .header("content-length", "500")
        .header("x-sdk-date", "20250101T000000Z")
        .header(
            "authorization",
            "SDK-HMAC-SHA256 Access=NOPE, SignedHeaders=x-sdk-date, Signature=00",
        )
        .body(Body::new(Stalled))
        .unwrap();
    let answer = answered_without_the_body(&app, unknown_ak).await;
    assert_csms_error(&answer, 401, "APIGW.0301");
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408() {
    let app = TestApp::with_args(&["--body-read-timeout", "50ms"]);
    let answer = answered_without_the_body(&app, stalled_post(&secrets_path(), 500, None)).await;
    assert_csms_error(&answer, 408, "APIGW.0201");
    let enforced = TestApp::with_args(&[
        "--auth",
        "enforce",
        "--credential",
        "AK:SK",
        "--token",
        "t",
        "--body-read-timeout",
        "50ms",
    ]);
    let answer =
        answered_without_the_body(&enforced, stalled_post(&secrets_path(), 500, Some("t"))).await;
    assert_csms_error(&answer, 408, "APIGW.0201");
}

#[tokio::test]
async fn the_clock_refuses_moments_outside_epoch_to_year_9999_and_stays_frozen() {
    let app = TestApp::new();
    let before = app.get("/_emulator/clock").await;
    assert_eq!(before.body["mode"], "frozen");
    for set in [i64::MAX, i64::MIN, -1, 253_402_300_800_000] {
        let answer = app.post("/_emulator/clock", json!({ "set": set })).await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    let answer = app
        .post("/_emulator/clock", json!({"advance": i64::MAX}))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let answer = app
        .post("/_emulator/clock", json!({"advance": "99999999d"}))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let after = app.get("/_emulator/clock").await;
    assert_eq!(
        after.body["now"], before.body["now"],
        "a refused move changes nothing"
    );
    assert_eq!(after.body["mode"], "frozen");
    let last = app
        .post("/_emulator/clock", json!({"set": 253_402_300_799_999_i64}))
        .await;
    assert_eq!(last.status, 200);
    assert_eq!(last.body["mode"], "frozen");
    assert_eq!(last.body["now"], 253_402_300_799_999_i64);
    app.create_secret("late", "v").await;
    let shown = app.get(&secret_path("late")).await;
    assert_eq!(shown.body["secret"]["create_time"], 253_402_300_799_999_i64);
}

#[tokio::test]
async fn batch_import_refuses_the_dot_segment_names_and_creates_the_rest() {
    let app = TestApp::new();
    let answer = app
        .post(
            &format!("{}/batch-import", secrets_path()),
            json!({"secrets": [
                {"name": ".", "secret_string": "v"},
                {"name": "..", "secret_string": "v"},
                {"name": "...", "secret_string": "v"}
            ]}),
        )
        .await;
    let failed: Vec<_> = answer.body["error_list"]
        .as_array()
        .expect("failed list")
        .iter()
        .map(|item| item["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(failed, [".", ".."], "{}", answer.body);
    assert_eq!(app.get(&secret_path("...")).await.status, 200);
    let listed = app.get(&secrets_path()).await;
    assert_eq!(listed.body["secrets"].as_array().map(Vec::len), Some(1));
}

/// A body of `chunks` that records, once read to its end, that it was.
fn body_that_tells_when_read(
    chunks: Vec<&'static str>,
) -> (Body, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let read_to_end = std::sync::Arc::new(AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&read_to_end);
    let frames = futures_util::stream::iter(
        chunks
            .into_iter()
            .map(|c| Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(c))),
    );
    let end = futures_util::stream::poll_fn(move |_| {
        flag.store(true, Ordering::SeqCst);
        std::task::Poll::Ready(None)
    });
    let body = Body::from_stream(futures_util::StreamExt::chain(frames, end));
    (body, read_to_end)
}

#[tokio::test]
async fn operations_that_read_no_body_read_the_body_they_are_sent_before_answering() {
    let app = TestApp::new();
    app.post(
        &secrets_path(),
        json!({"name": "kept", "secret_string": "v"}),
    )
    .await;
    let not_found = "/v1/0123456789abcdef0123456789abcdef/no-such-route".to_owned();
    for (path, status) in [
        (secrets_path(), StatusCode::OK),
        (secret_path("kept"), StatusCode::OK),
        ("/_emulator/metrics".to_owned(), StatusCode::OK),
        (not_found, StatusCode::NOT_FOUND),
    ] {
        let (body, read_to_end) = body_that_tells_when_read(vec!["{\"a\":", "1}"]);
        let request = Request::get(&path)
            .header("content-type", "application/json")
            .body(body)
            .unwrap();
        let answer = app.send(request).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.raw);
        assert!(
            read_to_end.load(std::sync::atomic::Ordering::SeqCst),
            "{path}: answered with its body unread"
        );
    }
}

#[tokio::test]
async fn a_body_sent_to_an_operation_that_reads_none_is_held_to_the_body_rules() {
    let app = TestApp::with_args(&["--max-body-bytes", "10", "--body-read-timeout", "50ms"]);
    let (over_limit, _) = body_that_tells_when_read(vec!["0123456789", "0123456789"]);
    let answer = app
        .send(Request::get(secrets_path()).body(over_limit).unwrap())
        .await;
    assert_csms_error(&answer, 413, "APIGW.0201");
    let stalled = Request::get(secrets_path())
        .header("content-length", "5")
        .body(Body::new(Stalled))
        .unwrap();
    let answer = answered_without_the_body(&app, stalled).await;
    assert_csms_error(&answer, 408, "APIGW.0201");
}

#[tokio::test]
async fn an_injected_fault_reads_the_body_of_the_request_it_answers() {
    let app = TestApp::new();
    let rule = app
        .post(
            "/_emulator/faults",
            json!({"operation": "CreateSecret", "status": 503, "error_code": "CSMS.0001"}),
        )
        .await;
    assert_eq!(rule.status, StatusCode::OK, "{}", rule.raw);
    let (body, read_to_end) =
        body_that_tells_when_read(vec!["{\"name\":\"s\",", "\"secret_string\":\"v\"}"]);
    let request = Request::post(secrets_path())
        .header("content-type", "application/json")
        .body(body)
        .unwrap();
    let answer = app.send(request).await;
    assert_csms_error(&answer, 503, "CSMS.0001");
    assert!(read_to_end.load(std::sync::atomic::Ordering::SeqCst));
}
