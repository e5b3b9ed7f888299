//! Prometheus metrics (the `prometheus-client` crate): requests by operation and status, a
//! latency histogram by operation, and secrets per project.
//!
//! A request's counter and histogram are looked up in their families (a lock and a hash)
//! once per operation and status, then kept in that operation's slot: `prometheus-client`'s
//! handles share their values with the family's, so what is exposed is the same.

use std::sync::{Mutex, OnceLock, PoisonError};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProjectLabels {
    project: String,
}

type HistogramFamily = Family<OperationLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 100 µs to ~3.3 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

/// How many operations get a slot of kept handles; a slot past it looks its metrics up
/// in the families each time (the same numbers, only slower).
pub const OPERATION_SLOTS: usize = 128;

/// How many statuses an operation keeps counters for; further ones are looked up.
const STATUSES_KEPT: usize = 4;

/// One operation's handles, each taken from its family on first use.
#[derive(Debug, Default)]
struct OperationHandles {
    latency: OnceLock<Histogram>,
    /// The counters of the first statuses the operation answered with.
    requests: [OnceLock<(u16, Counter)>; STATUSES_KEPT],
}

/// The registry and its metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    secrets: Family<ProjectLabels, Gauge>,
    delivery_attempts: Family<ResultLabels, Counter>,
    deliveries: Family<ResultLabels, Counter>,
    /// By operation slot (see [`Self::observe_in`]).
    operations: Box<[OperationHandles]>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    #[must_use]
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("csms_emulator");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let secrets = Family::<ProjectLabels, Gauge>::default();
        registry.register(
            "requests",
            "Requests by operation and status",
            requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Request latency by operation",
            latency.clone(),
        );
        registry.register("secrets", "Secrets per project", secrets.clone());
        let delivery_attempts = Family::<ResultLabels, Counter>::default();
        let deliveries = Family::<ResultLabels, Counter>::default();
        registry.register(
            "smn_delivery_attempts",
            "SMN delivery attempts by result (success, failure)",
            delivery_attempts.clone(),
        );
        registry.register(
            "smn_deliveries",
            "Notifications settled by outcome (SUCCESS, FAIL)",
            deliveries.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            latency,
            secrets,
            delivery_attempts,
            deliveries,
            operations: (0..OPERATION_SLOTS)
                .map(|_| OperationHandles::default())
                .collect(),
        }
    }

    /// Counts one attempt to deliver an SMN message to one subscription.
    pub fn observe_delivery_attempt(&self, delivered: bool) {
        let result = if delivered { "success" } else { "failure" };
        self.delivery_attempts
            .get_or_create(&ResultLabels { result })
            .inc();
    }

    /// Counts one notification settled as `SUCCESS` or `FAIL`.
    pub fn observe_delivery(&self, result: &'static str) {
        self.deliveries
            .get_or_create(&ResultLabels { result })
            .inc();
    }

    /// Counts one answered request.
    pub fn observe(&self, operation: &'static str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels { operation, status })
            .inc();
        self.latency
            .get_or_create(&OperationLabels { operation })
            .observe(seconds);
    }

    /// Counts one answered request of the operation whose handles are kept in `slot`
    /// (below [`OPERATION_SLOTS`]); every call with a slot must name the same operation.
    pub fn observe_in(&self, slot: usize, operation: &'static str, status: u16, seconds: f64) {
        let Some(handles) = self.operations.get(slot) else {
            return self.observe(operation, status, seconds);
        };
        handles
            .latency
            .get_or_init(|| {
                self.latency
                    .get_or_create(&OperationLabels { operation })
                    .clone()
            })
            .observe(seconds);
        for kept in &handles.requests {
            let (kept_status, counter) = kept.get_or_init(|| {
                let counter = self
                    .requests
                    .get_or_create(&RequestLabels { operation, status })
                    .clone();
                (status, counter)
            });
            if *kept_status == status {
                counter.inc();
                return;
            }
        }
        self.requests
            .get_or_create(&RequestLabels { operation, status })
            .inc();
    }

    /// The text exposition, with the secret counts given as of now.
    #[must_use]
    pub fn render(&self, secrets_per_project: &[(String, usize)]) -> String {
        self.secrets.clear();
        for (project, count) in secrets_per_project {
            self.secrets
                .get_or_create(&ProjectLabels {
                    project: project.clone(),
                })
                .set(i64::try_from(*count).unwrap_or(i64::MAX));
        }
        let registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = String::new();
        if encode(&mut out, &registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_latency_and_secrets_are_exposed() {
        let metrics = Metrics::new();
        metrics.observe("CreateSecret", 200, 0.002);
        metrics.observe("CreateSecret", 200, 0.004);
        metrics.observe("CreateSecret", 409, 0.001);
        let text = metrics.render(&[("p1".into(), 3)]);
        assert!(
            text.contains(
                r#"csms_emulator_requests_total{operation="CreateSecret",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"csms_emulator_requests_total{operation="CreateSecret",status="409"} 1"#
            )
        );
        assert!(text.contains(
            r#"csms_emulator_request_duration_seconds_count{operation="CreateSecret"} 3"#
        ));
        assert!(text.contains(r#"csms_emulator_secrets{project="p1"} 3"#));
        let later = metrics.render(&[]);
        assert!(!later.contains(r#"project="p1""#));
        assert!(later.ends_with("# EOF\n"));
    }

    #[test]
    fn kept_handles_count_what_the_families_count() {
        let (kept, looked_up) = (Metrics::new(), Metrics::new());
        let statuses = [200, 404, 200, 409, 500, 503, 200, 400, 503, 201];
        for (i, status) in statuses.into_iter().enumerate() {
            let seconds = 0.0005 * i as f64;
            kept.observe_in(3, "ShowSecret", status, seconds);
            looked_up.observe("ShowSecret", status, seconds);
            kept.observe_in(OPERATION_SLOTS, "Unknown", status, seconds);
            looked_up.observe("Unknown", status, seconds);
        }
        let text = kept.render(&[]);
        assert!(
            text.contains(r#"csms_emulator_requests_total{operation="ShowSecret",status="200"} 3"#),
            "{text}"
        );
        // The families list their entries in hash order: compare the lines as sets.
        let lines = |text: &str| {
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            lines.sort();
            lines
        };
        assert_eq!(lines(&text), lines(&looked_up.render(&[])));
    }
}
