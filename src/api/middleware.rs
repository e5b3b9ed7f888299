//! The request middleware, one function around every request: it classifies the request
//! once, then refuses an oversized body, authenticates, reads and drops a body the
//! operation takes none of, injects faults, and runs the handler; around all of it, a 32-hex `X-Request-Id` on every answer, `request_id` in
//! gateway error bodies, one log line per request (method, path, operation, status,
//! latency, request id, error code; never a body, so never a secret value; with
//! `--request-log errors` only for error answers, and a summary), the journal and the
//! metrics. Plain calls rather than tower layers: a layer costs every request a boxed
//! future, a clone of the service below it and a copy of the request.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::Either;

use super::auth::{self, AuthState};
use super::body::{self, BodyRules};
use super::error::{ApiError, ErrorMark, error_response};
use super::json::Json;
use super::operations::{Classified, classify_uri};
use crate::clock::{Clock, EmulatorClock};
use crate::control::faults::{FaultAction, FaultRules};
use crate::control::journal::{Journal, JournalLine};
use crate::control::metrics::Metrics;
use crate::control::request_log::{RequestLine, RequestLog, Tally};
use crate::error::ErrorCode;
use crate::store::durability;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The error code of an injected fault, for the journal.
#[derive(Debug, Clone)]
struct InjectedCode(String);

/// What the request middleware records into.
#[derive(Debug, Clone)]
pub struct ObserveState {
    pub journal: Arc<Journal>,
    pub metrics: Arc<Metrics>,
    pub clock: Arc<EmulatorClock>,
    pub request_log: RequestLog,
    /// Counts requests for the summary lines of `--request-log errors`.
    pub tally: Arc<Tally>,
}

/// Everything the request middleware needs.
#[derive(Debug)]
pub struct Pipeline {
    pub observe: ObserveState,
    pub body: BodyRules,
    pub auth: AuthState,
    pub faults: Arc<FaultRules>,
    /// Whether the store's commits wait for a disk, so requests run in a durability scope.
    pub durable: bool,
}

/// The steps between classification and the handler, each of which may answer itself.
async fn admit<H, F>(
    pipeline: &Pipeline,
    classified: Arc<Classified>,
    request: Request,
    handle: H,
) -> Response
where
    H: FnOnce(Request, Arc<Classified>) -> F,
    F: Future<Output = Response>,
{
    if let Err(refused) = body::limit_body(pipeline.body, &request) {
        return ApiError(refused).into_response();
    }
    // The checks most requests skip are boxed: awaited in place, their futures would
    // make every request's future larger, and it is moved as a whole.
    // One binding for the request throughout: each new one would be another slot in this
    // future.
    let mut request = request;
    if !auth::passes_unchecked(&pipeline.auth, &classified) {
        request = match Box::pin(auth::authenticate(&pipeline.auth, &classified, request)).await {
            Ok(request) => request,
            Err(refused) => return ApiError(refused).into_response(),
        };
    }
    let injected = if pipeline.faults.is_empty() {
        None
    } else {
        Box::pin(inject_faults(&pipeline.faults, &classified)).await
    };
    // No handler reads the body when the operation table gives the operation none, or a
    // fault answers in the handler's place: it is read and dropped here, so the answer is
    // not cut short (see `body::drain`, docs/behaviour.md §61). An injected answer stands
    // whatever the reading finds.
    let handler_reads_body = injected.is_none()
        && classified
            .operation
            .is_some_and(|operation| operation.spec().body.is_some());
    if !handler_reads_body && !request.body().is_end_stream() {
        match Box::pin(body::drain(request, pipeline.body)).await {
            Ok(drained) => request = drained,
            Err(refused) => return injected.unwrap_or_else(|| ApiError(refused).into_response()),
        }
    }
    if let Some(injected) = injected {
        return injected;
    }
    // A handler's panic becomes a CSMS-shaped 500 that is still logged, counted and
    // journaled.
    catching_panics(|| handle(request, classified)).await
}

/// The one request middleware: classifies the request, runs `admit` and then `handle`
/// inside a durability scope, then stamps the request id and records the log line, the
/// metrics and the journal. `handle` gets the request and its classification.
pub async fn request_context<H, F>(pipeline: &Pipeline, request: Request, handle: H) -> Response
where
    H: FnOnce(Request, Arc<Classified>) -> F,
    F: Future<Output = Response>,
{
    let observe = &pipeline.observe;
    let started = Instant::now();
    let id = uuid::Uuid::new_v4().simple();
    let method = request.method().clone();
    // The classification keeps the path, sharing its bytes with the request.
    let classified = Arc::new(classify_uri(method.as_str(), request.uri()));
    let path = classified.path();
    let operation = classified.operation_name();

    // Writes to a durable store hand in a ticket instead of blocking a runtime thread;
    // the answer leaves only once every one of them is on disk.
    // A memory store registers no tickets: its requests skip the scope's task-local,
    // which every poll of the request would otherwise swap in and out.
    let admitted = admit(pipeline, Arc::clone(&classified), request, handle);
    let (mut response, tickets) = if pipeline.durable {
        durability::scope(admitted).await
    } else {
        (admitted.await, durability::Tickets::default())
    };
    if let Err(err) = tickets.settle().await {
        response = ApiError(err).into_response();
    }

    let mark = response.extensions().get::<ErrorMark>().cloned();
    if let Some(mark) = &mark {
        if mark.code.is_gateway() {
            response = error_response(mark.code, mark.message.clone(), Some(id.to_string()));
        }
    }
    // Encoded once, for the header and the log line.
    let mut id_buffer = uuid::Uuid::encode_buffer();
    let id_text: &str = id.encode_lower(&mut id_buffer);
    if let Ok(value) = HeaderValue::from_str(id_text) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    let latency_us = elapsed.as_micros() as u64;
    let error_code: Option<String> =
        mark.as_ref()
            .map(|m| m.code.as_str().to_owned())
            .or_else(|| {
                response
                    .extensions()
                    .get::<InjectedCode>()
                    .map(|c| c.0.clone())
            });
    if observe.request_log == RequestLog::Errors {
        if let Some(summary) = observe.tally.count(status, started + elapsed) {
            summary.log();
        }
    }
    if observe.request_log.logs(status) {
        RequestLine {
            method: method.as_str(),
            path,
            operation,
            status,
            latency_us,
            request_id: id_text,
            error_code: error_code.as_deref(),
        }
        .log();
    }
    observe.metrics.observe_in(
        classified.metrics_slot(),
        operation,
        status,
        elapsed.as_secs_f64(),
    );
    if !classified.control_path {
        let (project, secret) = (classified.project(), classified.secret());
        observe.journal.record_line(JournalLine {
            time: observe.clock.now_ms(),
            method: &method,
            operation,
            project: project.as_deref(),
            secret: secret.as_deref(),
            status,
            error_code: error_code.as_deref(),
            request_id: id,
            latency_us,
        });
    }
    response
}

/// Applies the fault rules that match the request's operation before it reaches any
/// handler, so an injected error never leaves a change behind: waits for latency rules,
/// and answers for an error rule.
async fn inject_faults(faults: &FaultRules, classified: &Classified) -> Option<Response> {
    let operation = classified.operation.filter(|op| !op.is_control())?;
    let actions = faults.check(
        operation.name(),
        classified.project().as_deref(),
        classified.secret().as_deref(),
    );
    for action in actions {
        match action {
            FaultAction::Latency { latency_ms } => {
                tokio::time::sleep(Duration::from_millis(latency_ms)).await;
            }
            FaultAction::Error {
                status,
                error_code,
                error_msg,
            } => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                let body = serde_json::json!({ "error_code": error_code, "error_msg": error_msg });
                let mut response = (status, Json(body)).into_response();
                response.extensions_mut().insert(InjectedCode(error_code));
                return Some(response);
            }
        }
    }
    None
}

/// The answer `start` begins, with a panic while it begins or runs answered as the
/// CSMS-shaped 500 (`CSMS.0001`; the panic text goes to the log only). The dispatch
/// before a handler's future exists is caught as well as the future.
///
/// A plain function, not an `async fn`, so the answer's future is held once rather than
/// twice.
fn catching_panics<F: Future<Output = Response>>(
    start: impl FnOnce() -> F,
) -> impl Future<Output = Response> {
    match std::panic::catch_unwind(AssertUnwindSafe(start)) {
        Ok(answer) => Either::Left(
            AssertUnwindSafe(answer)
                .catch_unwind()
                .map(|caught| caught.unwrap_or_else(panic_response)),
        ),
        Err(panic) => Either::Right(std::future::ready(panic_response(panic))),
    }
}

#[allow(clippy::needless_pass_by_value)] // the signature `unwrap_or_else` requires
/// A handler panic becomes a CSMS-shaped 500; the panic text goes to the log only.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(%detail, "handler panicked");
    error_response(ErrorCode::Internal, "internal error".to_owned(), None)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn pipeline() -> Pipeline {
        let clock = Arc::new(EmulatorClock::new());
        Pipeline {
            observe: ObserveState {
                journal: Arc::new(Journal::new(16)),
                metrics: Arc::new(Metrics::new()),
                clock: Arc::clone(&clock),
                request_log: RequestLog::All,
                tally: Arc::new(Tally::new(crate::control::request_log::SUMMARY_EVERY)),
            },
            body: BodyRules {
                limit: 1024,
                timeout: Duration::from_secs(5),
            },
            auth: AuthState {
                authenticator: Arc::new(crate::auth::Authenticator::new(
                    crate::auth::AuthMode::Off,
                    Vec::new(),
                    Vec::new(),
                    clock,
                )),
                body: BodyRules {
                    limit: 1024,
                    timeout: Duration::from_secs(5),
                },
            },
            faults: Arc::new(FaultRules::new()),
            durable: true,
        }
    }

    /// A pipeline whose handler registers a durability ticket and reports `outcome` for it
    /// later.
    async fn send(outcome: durability::Outcome) -> (StatusCode, Duration, Vec<u8>) {
        let pipeline = pipeline();
        let handler = |_request, _classified| async move {
            let done = durability::ticket().unwrap();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(30)).await;
                done.send(outcome).unwrap();
            });
            StatusCode::CREATED.into_response()
        };
        let started = Instant::now();
        let request = Request::post("/write").body(Body::empty()).unwrap();
        let response = request_context(&pipeline, request, handler).await;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, started.elapsed(), body.to_vec())
    }

    #[tokio::test]
    async fn a_request_runs_in_a_durability_scope_only_when_the_store_commits_to_disk() {
        for durable in [true, false] {
            let pipeline = Pipeline {
                durable,
                ..pipeline()
            };
            let handler = |_request, _classified| async {
                // Outside a scope there is nowhere to hand a ticket in.
                match durability::ticket() {
                    Some(done) => {
                        done.send(Ok(())).unwrap();
                        StatusCode::CREATED
                    }
                    None => StatusCode::OK,
                }
                .into_response()
            };
            let request = Request::post("/write").body(Body::empty()).unwrap();
            let response = request_context(&pipeline, request, handler).await;
            let expected = if durable {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            assert_eq!(response.status(), expected, "durable: {durable}");
        }
    }

    #[tokio::test]
    async fn an_answer_waits_until_its_writes_are_durable() {
        let (status, elapsed, _) = send(Ok(())).await;
        assert_eq!(status, StatusCode::CREATED);
        assert!(elapsed >= Duration::from_millis(30), "{elapsed:?}");
    }

    #[tokio::test]
    async fn a_write_that_did_not_reach_the_disk_is_answered_with_an_internal_error() {
        let disk_full = crate::error::StoreError::Seal("disk full");
        let (status, _, body) = send(Err(Arc::new(disk_full))).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error_code"], "CSMS.0001");
        assert!(!body["error_msg"].as_str().unwrap().contains("disk full"));
    }

    /// A request that reaches a handler.
    fn a_get() -> Request {
        Request::get("/v1/0123456789abcdef0123456789abcdef/secrets/a")
            .body(Body::empty())
            .unwrap()
    }

    /// `response` is the CSMS-shaped internal error a panic becomes, with a request id,
    /// and the request is journaled with its 500.
    async fn is_the_panics_journaled_internal_error(pipeline: &Pipeline, response: Response) {
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers().contains_key(X_REQUEST_ID));
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error_code"], "CSMS.0001");
        assert_eq!(body["error_msg"], "internal error");
        let journal = pipeline.observe.journal.latest(10);
        assert_eq!(journal.len(), 1, "{journal:?}");
        assert_eq!(journal[0].status, 500);
    }

    #[tokio::test]
    async fn a_handler_that_panics_is_answered_with_a_csms_internal_error_and_journaled() {
        let pipeline = pipeline();
        let handler = |_request, _classified| async {
            let detail: Option<&str> = None;
            // A bug of the emulator's own, as a handler would hit it.
            #[allow(clippy::unnecessary_literal_unwrap)]
            let _ = detail.unwrap();
            StatusCode::OK.into_response()
        };
        let response = request_context(&pipeline, a_get(), handler).await;
        is_the_panics_journaled_internal_error(&pipeline, response).await;
    }

    #[tokio::test]
    async fn a_panic_before_the_handlers_future_exists_is_answered_and_journaled_too() {
        let pipeline = pipeline();
        // As the dispatch would panic, before any future is polled.
        let handler = |_request, _classified| -> std::future::Ready<Response> {
            let detail: Option<&str> = None;
            #[allow(clippy::unnecessary_literal_unwrap)]
            let _ = detail.unwrap();
            std::future::ready(StatusCode::OK.into_response())
        };
        let response = request_context(&pipeline, a_get(), handler).await;
        is_the_panics_journaled_internal_error(&pipeline, response).await;
    }
}
