//! Events reach the user's code (docs/behaviour.md §54–§59): SMN push deliveries of
//! notification records to subscribed HTTP endpoints, signed as SMN signs them, and
//! calls of rotation functions. Sits beside `api`: it reads and settles the service's
//! outbox, and the control API manages its subscriptions. Never on a request's path: a
//! background task delivers.

mod deliver;
pub mod signing;
pub mod subscriptions;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use uuid::Uuid;

use crate::clock::{Clock, Millis};
use crate::control::faults::FaultRules;
use crate::control::journal::Journal;
use crate::control::metrics::Metrics;
use crate::service::Outbox;
use signing::Signer;
use subscriptions::{SubscriptionSpec, Subscriptions};

/// The signing certificate's path, served open (SMN's is fetched without credentials).
pub const SIGNING_CERT_PATH: &str = "/_emulator/smn/signing-cert.pem";
/// The setting under which a data directory keeps the subscriptions added at run time.
pub const SUBSCRIPTIONS_SETTING: &str = "smn_subscriptions";
/// How many delivery attempts `GET /_emulator/smn/deliveries` keeps.
pub const ATTEMPTS_KEPT: usize = 200;
/// The wait before the second attempt; each later wait doubles.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// How deliveries are made.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Attempts per subscription before a message counts as failed (at least 1).
    pub attempts: u32,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// Where the emulator is reached, for `signing_cert_url` and `unsubscribe_url`.
    pub public_url: String,
    /// Rotation functions by URN (docs/behaviour.md §59).
    pub functions: BTreeMap<String, String>,
    /// How long a rotation function may take.
    pub function_timeout: Duration,
}

/// One attempt to deliver a message to one subscription.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryAttempt {
    /// The emulator clock's moment.
    pub time: Millis,
    pub message_id: String,
    pub project: String,
    pub secret_name: String,
    pub event_type: &'static str,
    pub topic_urn: String,
    pub subscription_urn: String,
    pub endpoint: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The endpoint's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why the attempt failed, when it did.
    pub error: Option<String>,
    pub delivered: bool,
}

struct Shared {
    subscriptions: Subscriptions,
    signer: tokio::sync::OnceCell<Arc<Signer>>,
    settings: DeliverySettings,
    wake: tokio::sync::Notify,
    /// Records a worker holds; the scan skips them.
    inflight: Mutex<HashSet<Uuid>>,
    attempts: Mutex<VecDeque<DeliveryAttempt>>,
    journal: Arc<Journal>,
    metrics: Arc<Metrics>,
    faults: Arc<FaultRules>,
    clock: Arc<dyn Clock>,
}

/// A cheap `Clone` handle to the SMN side of the emulator.
#[derive(Clone)]
pub struct Smn(Arc<Shared>);

impl std::fmt::Debug for Smn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smn")
            .field("subscriptions", &self.0.subscriptions.list().len())
            .finish_non_exhaustive()
    }
}

impl Smn {
    /// The SMN side with the subscriptions given at start (they count as confirmed).
    #[must_use]
    pub fn new(
        settings: DeliverySettings,
        initial: &[SubscriptionSpec],
        control: (Arc<Journal>, Arc<Metrics>, Arc<FaultRules>),
        clock: Arc<dyn Clock>,
    ) -> Self {
        let (journal, metrics, faults) = control;
        let subscriptions = Subscriptions::default();
        for spec in initial {
            subscriptions.add(spec, "flag");
        }
        Self(Arc::new(Shared {
            subscriptions,
            signer: tokio::sync::OnceCell::new(),
            settings,
            wake: tokio::sync::Notify::new(),
            inflight: Mutex::new(HashSet::new()),
            attempts: Mutex::new(VecDeque::new()),
            journal,
            metrics,
            faults,
            clock,
        }))
    }

    #[must_use]
    pub fn subscriptions(&self) -> &Subscriptions {
        &self.0.subscriptions
    }

    /// The signing key, drawn on first use on a blocking thread.
    pub async fn signer(&self) -> Result<Arc<Signer>, String> {
        self.0
            .signer
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(Signer::generate)
                    .await
                    .map_err(|e| format!("key generation stopped: {e}"))?
                    .map(Arc::new)
            })
            .await
            .cloned()
    }

    /// The latest delivery attempts, oldest first.
    #[must_use]
    pub fn attempts(&self) -> Vec<DeliveryAttempt> {
        self.0
            .attempts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// `signing_cert_url`.
    #[must_use]
    pub fn signing_cert_url(&self) -> String {
        format!(
            "{}{SIGNING_CERT_PATH}",
            self.0.settings.public_url.trim_end_matches('/')
        )
    }

    /// `unsubscribe_url`: the control route that removes the subscription (§57).
    #[must_use]
    pub fn unsubscribe_url(&self, subscription_urn: &str) -> String {
        format!(
            "{}/_emulator/smn/subscriptions/{subscription_urn}",
            self.0.settings.public_url.trim_end_matches('/')
        )
    }

    /// Wakes the deliverer (after a subscription was added, pending records may have a
    /// topic to go to).
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }
}

impl Outbox for Smn {
    fn has_subscriptions(&self, topic_urn: &str) -> bool {
        self.0.subscriptions.has_topic(topic_urn)
    }

    fn has_function(&self, urn: &str) -> bool {
        self.0.settings.functions.contains_key(urn)
    }

    fn committed(&self) {
        self.0.wake.notify_one();
    }
}

/// The public URL for a listen address: a wildcard address is reached on loopback.
#[must_use]
pub fn default_public_url(listen: std::net::SocketAddr) -> String {
    let url = crate::healthcheck::default_url(listen);
    url.trim_end_matches("/_emulator/ready").to_owned()
}
