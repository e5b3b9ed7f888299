//! Composition: builds the service and router from configuration, and serves a listener
//! until a shutdown future completes.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::service::CsmsService;
use crate::store::Store;
use crate::store::memory::MemoryStore;

/// The router for a configuration, on the in-memory store and the system clock.
pub fn build(config: &Config) -> Router {
    build_with(config, Arc::new(MemoryStore::new()), Arc::new(SystemClock))
}

/// The router over a given store and clock (tests pass a manual clock).
pub fn build_with(config: &Config, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Router {
    crate::api::router(CsmsService::new(store, clock), config.max_body_bytes)
}

/// Serves `router` on `listener` until `shutdown` completes, then finishes in-flight
/// requests and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
