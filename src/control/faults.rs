//! Fault rules: match an operation (optionally a project and a secret-name pattern) and
//! answer a chosen status and error code, or add latency, for every call, the next N
//! calls, or a fraction of calls. Checked before any state changes.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rand::Rng;
use regex::Regex;
use serde::{Deserialize, Serialize};

/// What a matching rule does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer this error instead of serving the request.
    Error {
        status: u16,
        error_code: String,
        error_msg: String,
    },
    /// Serve the request after this delay.
    Latency { latency_ms: u64 },
}

/// A rule as a client sends it.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct FaultSpec {
    /// An operation name such as `CreateSecret`, or `*` for every CSMS operation.
    pub operation: Option<String>,
    pub project: Option<String>,
    /// A regular expression the secret name must match.
    pub secret_pattern: Option<String>,
    pub status: Option<u16>,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    pub latency_ms: Option<u64>,
    /// Apply to the next N matching calls only.
    pub times: Option<u32>,
    /// Apply to this fraction (0–1] of matching calls.
    pub probability: Option<f64>,
}

/// A rule in force.
#[derive(Debug, Clone, Serialize)]
pub struct FaultRule {
    pub id: u64,
    pub operation: String,
    pub project: Option<String>,
    pub secret_pattern: Option<String>,
    pub action: FaultAction,
    /// Calls left, for a rule limited to the next N.
    pub remaining: Option<u32>,
    pub probability: Option<f64>,
    #[serde(skip)]
    pattern: Option<Regex>,
}

/// The operation name fault rules use for the emulator's SMN delivery attempts; only a
/// rule naming it affects them, not `*` (docs/behaviour.md §58).
pub const SMN_DELIVERY: &str = "SmnDelivery";
/// The operation name fault rules use for calls of rotation functions (§58).
pub const ROTATION_FUNCTION: &str = "RotationFunction";

impl FaultRule {
    fn matches(&self, operation: &str, project: Option<&str>, secret: Option<&str>) -> bool {
        let wildcard =
            self.operation == "*" && operation != SMN_DELIVERY && operation != ROTATION_FUNCTION;
        (wildcard || self.operation == operation)
            && self.project.as_deref().is_none_or(|p| Some(p) == project)
            && self
                .pattern
                .as_ref()
                .is_none_or(|re| secret.is_some_and(|s| re.is_match(s)))
    }
}

/// The rules in force.
#[derive(Debug, Default)]
pub struct FaultRules {
    rules: Mutex<Vec<FaultRule>>,
    next_id: AtomicU64,
    /// How many rules there are, kept beside the list so a request can skip the lock
    /// (and the work of naming its project and secret) while there are none.
    count: AtomicUsize,
}

impl FaultRules {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks and adds a rule.
    pub fn add(&self, spec: FaultSpec) -> Result<FaultRule, String> {
        let operation = spec
            .operation
            .filter(|o| !o.is_empty())
            .ok_or("operation is required (an operation name, or *)")?;
        let pattern = spec
            .secret_pattern
            .as_deref()
            .map(Regex::new)
            .transpose()
            .map_err(|e| format!("secret_pattern is not a valid regular expression: {e}"))?;
        let action = match (spec.status, spec.latency_ms) {
            (Some(status), None) => {
                if !(400..=599).contains(&status) {
                    return Err("status must be from 400 to 599".into());
                }
                FaultAction::Error {
                    status,
                    error_code: spec.error_code.unwrap_or_else(|| "CSMS.0001".into()),
                    error_msg: spec
                        .error_msg
                        .unwrap_or_else(|| "fault injected by csms-emulator".into()),
                }
            }
            (None, Some(latency_ms)) => {
                if latency_ms > 60_000 {
                    return Err("latency_ms must be at most 60000".into());
                }
                FaultAction::Latency { latency_ms }
            }
            _ => return Err("give either status (with error_code) or latency_ms".into()),
        };
        if let Some(p) = spec.probability {
            if !(p > 0.0 && p <= 1.0) {
                return Err("probability must be in (0, 1]".into());
            }
        }
        if spec.times == Some(0) {
            return Err("times must be at least 1".into());
        }
        let rule = FaultRule {
            id: self.next_id.fetch_add(1, Ordering::SeqCst) + 1,
            operation,
            project: spec.project,
            secret_pattern: spec.secret_pattern,
            action,
            remaining: spec.times,
            probability: spec.probability,
            pattern,
        };
        let mut rules = self.lock();
        rules.push(rule.clone());
        self.count.store(rules.len(), Ordering::SeqCst);
        Ok(rule)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[must_use]
    pub fn list(&self) -> Vec<FaultRule> {
        self.lock().clone()
    }

    pub fn clear(&self) {
        let mut rules = self.lock();
        rules.clear();
        self.count.store(0, Ordering::SeqCst);
    }

    /// Whether no rule is set: then no request is affected.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.count.load(Ordering::SeqCst) == 0
    }

    /// Removes one rule; false when no rule has that id.
    pub fn remove(&self, id: u64) -> bool {
        let mut rules = self.lock();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        self.count.store(rules.len(), Ordering::SeqCst);
        rules.len() != before
    }

    /// The actions that apply to a call, in rule order; counts the call against limited
    /// rules and drops the ones used up.
    pub fn check(
        &self,
        operation: &str,
        project: Option<&str>,
        secret: Option<&str>,
    ) -> Vec<FaultAction> {
        let mut rules = self.lock();
        if rules.is_empty() {
            return Vec::new();
        }
        let mut rng = rand::rng();
        let mut actions = Vec::new();
        for rule in rules.iter_mut() {
            if !rule.matches(operation, project, secret) {
                continue;
            }
            if rule.probability.is_some_and(|p| rng.random::<f64>() >= p) {
                continue;
            }
            if let Some(left) = rule.remaining.as_mut() {
                *left = left.saturating_sub(1);
            }
            actions.push(rule.action.clone());
        }
        rules.retain(|r| r.remaining != Some(0));
        self.count.store(rules.len(), Ordering::SeqCst);
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_spec(operation: &str) -> FaultSpec {
        FaultSpec {
            operation: Some(operation.into()),
            status: Some(503),
            error_code: Some("CSMS.0001".into()),
            ..FaultSpec::default()
        }
    }

    #[test]
    fn a_limited_rule_fires_exactly_n_times() {
        let rules = FaultRules::new();
        rules
            .add(FaultSpec {
                times: Some(2),
                ..error_spec("CreateSecret")
            })
            .unwrap();
        assert_eq!(rules.check("CreateSecret", None, None).len(), 1);
        assert!(rules.check("ListSecrets", None, None).is_empty());
        assert_eq!(rules.check("CreateSecret", None, None).len(), 1);
        assert!(rules.check("CreateSecret", None, None).is_empty());
        assert!(rules.list().is_empty());
    }

    #[test]
    fn project_and_secret_pattern_narrow_a_rule() {
        let rules = FaultRules::new();
        rules
            .add(FaultSpec {
                project: Some("p1".into()),
                secret_pattern: Some("^db-".into()),
                ..error_spec("*")
            })
            .unwrap();
        assert_eq!(
            rules.check("ShowSecret", Some("p1"), Some("db-main")).len(),
            1
        );
        assert!(
            rules
                .check("ShowSecret", Some("p2"), Some("db-main"))
                .is_empty()
        );
        assert!(
            rules
                .check("ShowSecret", Some("p1"), Some("app"))
                .is_empty()
        );
        assert!(rules.check("ListSecrets", Some("p1"), None).is_empty());
    }

    #[test]
    fn a_fraction_applies_to_some_calls() {
        let rules = FaultRules::new();
        rules
            .add(FaultSpec {
                probability: Some(0.5),
                ..error_spec("ShowSecret")
            })
            .unwrap();
        let hits = (0..2000)
            .filter(|_| !rules.check("ShowSecret", None, None).is_empty())
            .count();
        assert!((700..1300).contains(&hits), "{hits}");
    }

    #[test]
    fn bad_rules_are_refused_and_rules_can_be_removed() {
        let rules = FaultRules::new();
        assert!(rules.add(FaultSpec::default()).is_err());
        assert!(
            rules
                .add(FaultSpec {
                    status: Some(200),
                    ..error_spec("x")
                })
                .is_err()
        );
        assert!(
            rules
                .add(FaultSpec {
                    latency_ms: Some(5),
                    ..error_spec("x")
                })
                .is_err()
        );
        assert!(
            rules
                .add(FaultSpec {
                    secret_pattern: Some("(".into()),
                    ..error_spec("x")
                })
                .is_err()
        );
        assert!(
            rules
                .add(FaultSpec {
                    probability: Some(1.5),
                    ..error_spec("x")
                })
                .is_err()
        );
        let rule = rules.add(error_spec("x")).unwrap();
        let latency = rules
            .add(FaultSpec {
                operation: Some("x".into()),
                latency_ms: Some(10),
                ..FaultSpec::default()
            })
            .unwrap();
        assert_eq!(rules.check("x", None, None).len(), 2);
        assert!(rules.remove(rule.id));
        assert!(!rules.remove(rule.id));
        assert_eq!(
            rules.check("x", None, None),
            vec![FaultAction::Latency { latency_ms: 10 }]
        );
        rules.remove(latency.id);
        rules.add(error_spec("y")).unwrap();
        rules.clear();
        assert!(rules.list().is_empty());
    }
}
