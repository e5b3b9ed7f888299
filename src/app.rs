//! Composition: builds the service and the HTTP application from configuration, and runs the background
//! sweep. Serving connections is `server.rs`'s job.

use std::sync::Arc;
use std::time::Duration;

use crate::api::App;

use crate::api::RouterSettings;
use crate::auth::Authenticator;
use crate::clock::{Clock, EmulatorClock};
use crate::config::Config;
use crate::control::faults::FaultRules;
use crate::control::journal::Journal;
use crate::control::metrics::Metrics;
use crate::service::CsmsService;
use crate::smn::{DeliverySettings, Smn};
use crate::store::Store;
use crate::store::memory::MemoryStore;

/// The application for a configuration, on the in-memory store and a real-time clock.
#[must_use]
pub fn build(config: &Config) -> App {
    build_with(
        config,
        Arc::new(MemoryStore::new()),
        Arc::new(EmulatorClock::new()),
    )
}

/// The application over a given store and clock (tests pass a frozen clock). Inside a
/// Tokio runtime, SMN deliveries start too.
#[must_use]
pub fn build_with(config: &Config, store: Arc<dyn Store>, clock: Arc<EmulatorClock>) -> App {
    let built = build_service(config, store, clock);
    if tokio::runtime::Handle::try_current().is_ok() {
        built.smn.spawn(built.service);
    }
    built.app
}

/// What [`build_service`] builds.
pub struct Built {
    pub service: CsmsService,
    pub app: App,
    /// The SMN deliveries, for [`Smn::spawn`] once a runtime runs.
    pub smn: Smn,
}

/// The service and its application, for callers that also run the background sweep and
/// the SMN deliveries.
#[must_use]
pub fn build_service(config: &Config, store: Arc<dyn Store>, clock: Arc<EmulatorClock>) -> Built {
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    let authenticator = Authenticator::new(
        config.auth,
        config.credentials.clone(),
        config.tokens.clone(),
        Arc::clone(&dyn_clock),
    )
    .with_control_token(config.control_token.clone());
    let journal = Arc::new(Journal::new(config.journal_size));
    let faults = Arc::new(FaultRules::new());
    let metrics = Arc::new(Metrics::new());
    let smn = Smn::new(
        DeliverySettings {
            attempts: config.smn_attempts,
            timeout: config.smn_timeout,
            public_url: config
                .public_url
                .clone()
                .unwrap_or_else(|| crate::smn::default_public_url(config.listen)),
            functions: config
                .functions
                .iter()
                .map(|f| (f.urn.clone(), f.endpoint.clone()))
                .collect(),
            function_timeout: config.function_timeout,
        },
        &config.smn_subscriptions,
        (
            Arc::clone(&journal),
            Arc::clone(&metrics),
            Arc::clone(&faults),
        ),
        Arc::clone(&dyn_clock),
    );
    let mut service = CsmsService::new(store, dyn_clock).with_outbox(Arc::new(smn.clone()));
    // Subscriptions added at run time come back with the data directory (§57).
    match service.load_setting(crate::smn::SUBSCRIPTIONS_SETTING) {
        Ok(Some(saved)) => smn.subscriptions().restore_saved(&saved),
        Ok(None) => {}
        Err(err) => tracing::error!(%err, "cannot read the kept SMN subscriptions"),
    }
    if let Some(key) = &config.backup_key {
        service = service.with_backup_key(key.clone());
    }
    let settings = RouterSettings {
        body_limit: config.max_body_bytes,
        body_read_timeout: config.body_read_timeout,
        auth: Arc::new(authenticator),
        project_id: config.project_id.clone(),
        clock,
        journal,
        faults,
        metrics,
        request_log: config.request_log,
        smn: smn.clone(),
    };
    let app = crate::api::router(service.clone(), settings);
    Built { service, app, smn }
}

/// Runs the work that falls due with time (scheduled deletions, version expiry, automatic
/// rotation) every `interval`, for as long as the runtime lives (docs/behaviour.md §18).
#[allow(clippy::must_use_candidate)] // the handle may be dropped: the task runs on
pub fn spawn_sweeper(service: CsmsService, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match service.run_due_work() {
                Ok(0) => {}
                Ok(touched) => tracing::debug!(touched, "due work ran"),
                Err(err) => tracing::error!(%err, "due work failed"),
            }
        }
    })
}
