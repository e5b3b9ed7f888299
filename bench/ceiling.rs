//! The benchmark's ceiling: a minimal axum server that answers the benchmarked routes
//! with fixed JSON of the same shape and size, with no logic behind it. Whatever rate this
//! reaches on a machine is the most the emulator could reach there. Like the emulator it
//! runs a runtime worker per core, or `CSMS_WORKERS` of them, so the two differ in their
//! logic alone.

#![allow(clippy::print_stdout)]

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderName;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{get, post};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const VERSION: &str = r#"{"version":{"version_metadata":{"id":"v1","create_time":1795374440092,"kms_key_id":"0716956c-b25c-51bd-b40e-d00c78dbd23c","secret_name":"bench","version_stages":["SYSCURRENT"]},"secret_string":"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"}}"#;
const VERSION_METADATA: &str = r#"{"version_metadata":{"id":"v2","create_time":1795374440099,"kms_key_id":"0716956c-b25c-51bd-b40e-d00c78dbd23c","secret_name":"bench","version_stages":["SYSCURRENT"]}}"#;
const SECRET: &str = r#"{"secret":{"id":"2512a471-3f06-4206-abf2-5728d368525b","name":"demo","state":"ENABLED","kms_key_id":"0716956c-b25c-51bd-b40e-d00c78dbd23c","description":"","create_time":1795374440092,"update_time":1795374440092,"scheduled_delete_time":null,"secret_type":"COMMON","auto_rotation":false,"rotation_period":null,"rotation_config":null,"rotation_time":null,"next_rotation_time":null,"event_subscriptions":[],"enterprise_project_id":"0","rotation_func_urn":null,"last_used_time":null,"domain_id":"9a6e2b1c4d3f40e58a7b6c5d4e3f2a1b","replica_type":"STANDALONE","replicas":[]}}"#;

/// The answer as the emulator sends it: its body, and its headers (every answer of the
/// emulator carries an `X-Request-Id`; here a fixed one, so no logic).
fn json(body: &'static str) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "application/json"),
            (REQUEST_ID, "435e4f8ea7034515a765e62e3e68d25a"),
        ],
        body,
    )
}

fn main() -> std::io::Result<()> {
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = std::env::var("CSMS_WORKERS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        runtime.worker_threads(workers);
    }
    runtime.enable_all().build()?.block_on(serve())
}

async fn serve() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".to_owned());
    let app = Router::new()
        .route(
            "/v1/{project_id}/secrets/{secret_name}/versions/{version_id}",
            get(|| async { json(VERSION) }),
        )
        .route(
            "/v1/{project_id}/secrets/{secret_name}/versions",
            post(|_body: Bytes| async { json(VERSION_METADATA) }),
        )
        .route(
            "/v1/{project_id}/secrets",
            post(|_body: Bytes| async { json(SECRET) }),
        );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("ceiling listening on {addr}");
    axum::serve(listener, app).await
}
