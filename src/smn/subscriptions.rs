//! SMN subscriptions the emulator delivers to: a topic URN and a plain-HTTP endpoint,
//! given by flag at start or through the control API at run time (docs/behaviour.md §57).
//! Plain data; no delivery here.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

/// A subscription as `--smn-subscription TOPIC_URN=URL` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionSpec {
    pub topic_urn: String,
    pub endpoint: String,
}

impl SubscriptionSpec {
    /// `TOPIC_URN=URL`: the URN as an event's `target_id` may be
    /// (`^[a-zA-Z0-9\-._:]{1,256}$`), the URL `http://host[:port]/path`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (topic, url) = raw
            .split_once('=')
            .ok_or("expected TOPIC_URN=URL, such as urn:smn:cn-north-4:PROJECT:topic=http://127.0.0.1:9000/hook")?;
        Self::new(topic.trim(), url.trim())
    }

    /// A checked subscription.
    pub fn new(topic_urn: &str, endpoint: &str) -> Result<Self, String> {
        let topic_ok = (1..=256).contains(&topic_urn.len())
            && topic_urn
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c));
        if !topic_ok {
            return Err(r"topic_urn must match ^[a-zA-Z0-9\-._:]{1,256}$".to_owned());
        }
        check_endpoint(endpoint)?;
        Ok(Self {
            topic_urn: topic_urn.to_owned(),
            endpoint: endpoint.to_owned(),
        })
    }
}

/// A plain-HTTP URL with a host, at most 2048 characters (§57: HTTPS endpoints are not
/// delivered to).
pub fn check_endpoint(endpoint: &str) -> Result<(), String> {
    let uri: hyper::Uri = endpoint
        .parse()
        .map_err(|e| format!("endpoint is not a URL: {e}"))?;
    if endpoint.len() > 2048 || uri.scheme_str() != Some("http") || uri.host().is_none() {
        return Err("endpoint must be an http:// URL with a host (at most 2048 characters)".into());
    }
    Ok(())
}

/// A rotation function mapped to an endpoint, as `--function URN=URL` gives it
/// (docs/behaviour.md §59).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSpec {
    pub urn: String,
    pub endpoint: String,
}

impl FunctionSpec {
    /// `URN=URL`: a `rotation_func_urn` (1–512 characters, no spaces) and a plain
    /// `http://` URL.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (urn, url) = raw
            .split_once('=')
            .ok_or("expected URN=URL, such as urn:fss:cn-north-4:PROJECT:function:default:rotate:latest=http://127.0.0.1:9000/rotate")?;
        let (urn, url) = (urn.trim(), url.trim());
        if urn.is_empty() || urn.len() > 512 || urn.chars().any(char::is_whitespace) {
            return Err("the function URN must be 1 to 512 characters without spaces".into());
        }
        check_endpoint(url)?;
        Ok(Self {
            urn: urn.to_owned(),
            endpoint: url.to_owned(),
        })
    }
}

/// The URN of a subscription: the topic's and an id drawn from the topic and the endpoint,
/// so a flag names the same subscription at every start and an `unsubscribe_url` already
/// delivered stays good after a restart (docs/behaviour.md §57).
#[must_use]
pub fn subscription_urn(spec: &SubscriptionSpec) -> String {
    let name = format!("csms-emulator-smn/{}={}", spec.topic_urn, spec.endpoint);
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes());
    format!("{}:{}", spec.topic_urn, id.simple())
}

/// One subscription in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// `TOPIC_URN:ID`, as SMN names subscriptions.
    pub subscription_urn: String,
    pub topic_urn: String,
    pub endpoint: String,
    /// Always `http`.
    pub protocol: &'static str,
    /// `flag` (given at start) or `api` (added at run time).
    pub origin: &'static str,
    /// Always `confirmed` (§57).
    pub status: &'static str,
}

/// Every subscription, by URN.
#[derive(Debug, Default)]
pub struct Subscriptions {
    by_urn: Mutex<BTreeMap<String, Subscription>>,
}

impl Subscriptions {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Subscription>> {
        // Each change is one insert or remove, so a panic elsewhere leaves the map whole.
        self.by_urn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a subscription; the same topic and endpoint twice is one subscription.
    pub fn add(&self, spec: &SubscriptionSpec, origin: &'static str) -> Subscription {
        let mut map = self.lock();
        if let Some(existing) = map
            .values()
            .find(|s| s.topic_urn == spec.topic_urn && s.endpoint == spec.endpoint)
        {
            return existing.clone();
        }
        let urn = subscription_urn(spec);
        let subscription = Subscription {
            subscription_urn: urn.clone(),
            topic_urn: spec.topic_urn.clone(),
            endpoint: spec.endpoint.clone(),
            protocol: "http",
            origin,
            status: "confirmed",
        };
        map.insert(urn, subscription.clone());
        subscription
    }

    /// Puts back a subscription kept by an earlier run, under its own URN.
    pub fn restore(&self, urn: &str, spec: &SubscriptionSpec) {
        let subscription = Subscription {
            subscription_urn: urn.to_owned(),
            topic_urn: spec.topic_urn.clone(),
            endpoint: spec.endpoint.clone(),
            protocol: "http",
            origin: "api",
            status: "confirmed",
        };
        self.lock().insert(urn.to_owned(), subscription);
    }

    /// The subscriptions added at run time, as `[{subscription_urn, topic_urn,
    /// endpoint}]` JSON: what a data directory keeps.
    #[must_use]
    pub fn saved(&self) -> String {
        let kept: Vec<serde_json::Value> = self
            .lock()
            .values()
            .filter(|s| s.origin == "api")
            .map(|s| {
                serde_json::json!({
                    "subscription_urn": s.subscription_urn,
                    "topic_urn": s.topic_urn,
                    "endpoint": s.endpoint,
                })
            })
            .collect();
        serde_json::Value::Array(kept).to_string()
    }

    /// Puts back what [`Self::saved`] wrote; entries that no longer check are skipped.
    pub fn restore_saved(&self, saved: &str) {
        let Ok(serde_json::Value::Array(items)) = serde_json::from_str(saved) else {
            tracing::warn!("the kept SMN subscriptions are unreadable; none restored");
            return;
        };
        for item in items {
            let field = |key: &str| item[key].as_str().unwrap_or_default().to_owned();
            match SubscriptionSpec::new(&field("topic_urn"), &field("endpoint")) {
                Ok(spec) if !field("subscription_urn").is_empty() => {
                    self.restore(&field("subscription_urn"), &spec);
                }
                _ => tracing::warn!("a kept SMN subscription no longer checks; skipped"),
            }
        }
    }

    /// Removes one; false when no subscription has that URN.
    pub fn remove(&self, urn: &str) -> bool {
        self.lock().remove(urn).is_some()
    }

    /// Every subscription, by URN.
    #[must_use]
    pub fn list(&self) -> Vec<Subscription> {
        self.lock().values().cloned().collect()
    }

    /// The subscriptions of one topic, by URN.
    #[must_use]
    pub fn of_topic(&self, topic_urn: &str) -> Vec<Subscription> {
        self.lock()
            .values()
            .filter(|s| s.topic_urn == topic_urn)
            .cloned()
            .collect()
    }

    #[must_use]
    pub fn has_topic(&self, topic_urn: &str) -> bool {
        self.lock().values().any(|s| s.topic_urn == topic_urn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_names_a_topic_and_a_plain_http_url() {
        let spec = SubscriptionSpec::parse("urn:smn:r:p:t=http://127.0.0.1:9/a?b=c").unwrap();
        assert_eq!(spec.topic_urn, "urn:smn:r:p:t");
        assert_eq!(spec.endpoint, "http://127.0.0.1:9/a?b=c");
        for bad in [
            "urn:smn:r:p:t",
            "=http://h/",
            "urn smn=http://h/",
            "urn:smn:r:p:t=https://h/",
            "urn:smn:r:p:t=ftp://h/",
            "urn:smn:r:p:t=not a url",
        ] {
            assert!(SubscriptionSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_same_topic_and_endpoint_is_one_subscription() {
        let subs = Subscriptions::default();
        let spec = SubscriptionSpec::parse("urn:smn:r:p:t=http://h/").unwrap();
        let first = subs.add(&spec, "flag");
        let again = subs.add(&spec, "api");
        assert_eq!(first, again);
        assert!(first.subscription_urn.starts_with("urn:smn:r:p:t:"));
        let other = SubscriptionSpec::parse("urn:smn:r:p:t=http://other/").unwrap();
        assert_ne!(subscription_urn(&other), first.subscription_urn);
        assert_eq!(
            subscription_urn(&spec),
            first.subscription_urn,
            "the same at every start"
        );
        assert!(subs.has_topic("urn:smn:r:p:t"));
        assert!(subs.remove(&first.subscription_urn));
        assert!(!subs.has_topic("urn:smn:r:p:t"));
        assert!(!subs.remove(&first.subscription_urn));
    }
}
