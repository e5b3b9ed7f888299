//! Events: named notification rules that secrets subscribe to,
//! and the records of notifications they produced.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Millis;
use crate::error::CsmsError;

use super::names::EventName;

/// The base event types (`CreateSecretEvent.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    VersionCreated,
    VersionExpired,
    Rotated,
    Deleted,
    RotatedFailed,
}

impl EventType {
    pub fn parse(raw: &str) -> Result<Self, CsmsError> {
        match raw {
            "SECRET_VERSION_CREATED" => Ok(Self::VersionCreated),
            "SECRET_VERSION_EXPIRED" => Ok(Self::VersionExpired),
            "SECRET_ROTATED" => Ok(Self::Rotated),
            "SECRET_DELETED" => Ok(Self::Deleted),
            "SECRET_ROTATED_FAILED" => Ok(Self::RotatedFailed),
            _ => Err(CsmsError::invalid(
                "event_types",
                "each must be one of SECRET_VERSION_CREATED, SECRET_VERSION_EXPIRED, \
                 SECRET_ROTATED, SECRET_DELETED, SECRET_ROTATED_FAILED",
            )),
        }
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::VersionCreated => "SECRET_VERSION_CREATED",
            Self::VersionExpired => "SECRET_VERSION_EXPIRED",
            Self::Rotated => "SECRET_ROTATED",
            Self::Deleted => "SECRET_DELETED",
            Self::RotatedFailed => "SECRET_ROTATED_FAILED",
        }
    }

    /// 1–12 known, distinct types.
    pub fn parse_list(raw: &[String]) -> Result<Vec<Self>, CsmsError> {
        if raw.is_empty() || raw.len() > 12 {
            return Err(CsmsError::invalid("event_types", "must have 1 to 12 items"));
        }
        let mut types = Vec::with_capacity(raw.len());
        for t in raw {
            let parsed = Self::parse(t)?;
            if types.contains(&parsed) {
                return Err(CsmsError::invalid("event_types", "must not repeat a type"));
            }
            types.push(parsed);
        }
        Ok(types)
    }
}

/// `ENABLED` or `DISABLED`; only enabled events notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventState {
    Enabled,
    Disabled,
}

impl EventState {
    pub fn parse(raw: &str) -> Result<Self, CsmsError> {
        match raw {
            "ENABLED" => Ok(Self::Enabled),
            "DISABLED" => Ok(Self::Disabled),
            _ => Err(CsmsError::invalid("state", "must be ENABLED or DISABLED")),
        }
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
        }
    }
}

/// Where notifications go; the service does not check that the target exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub target_type: String,
    pub target_id: String,
    pub target_name: String,
}

impl Notification {
    /// `target_type` `^SMN$`, `target_id` `^[a-zA-Z0-9\-._:]{1,256}$`, `target_name`
    /// `^[a-zA-Z0-9_-]{1,64}$` (`CreateSecretEvent.json`).
    pub fn parse(target_type: &str, target_id: &str, target_name: &str) -> Result<Self, CsmsError> {
        if target_type != "SMN" {
            return Err(CsmsError::invalid(
                "notification.target_type",
                "must be SMN",
            ));
        }
        let id_ok = (1..=256).contains(&target_id.len())
            && target_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c));
        if !id_ok {
            return Err(CsmsError::invalid(
                "notification.target_id",
                r"must match ^[a-zA-Z0-9\-._:]{1,256}$",
            ));
        }
        let name_ok = (1..=64).contains(&target_name.len())
            && target_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err(CsmsError::invalid(
                "notification.target_name",
                "must match ^[a-zA-Z0-9_-]{1,64}$",
            ));
        }
        Ok(Self {
            target_type: target_type.to_owned(),
            target_id: target_id.to_owned(),
            target_name: target_name.to_owned(),
        })
    }
}

/// An event. Serde is for storage and fixtures, not the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub name: EventName,
    pub id: Uuid,
    pub types: Vec<EventType>,
    pub state: EventState,
    pub notification: Notification,
    pub create_time: Millis,
    pub update_time: Millis,
}

impl Event {
    /// Whether a happening of `kind` on a subscribed secret notifies.
    #[must_use]
    pub fn fires_on(&self, kind: EventType) -> bool {
        self.state == EventState::Enabled && self.types.contains(&kind)
    }
}

/// Where a notification's delivery stands (docs/behaviour.md §55).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationStatus {
    /// Delivered to every subscription of its topic, or its topic had none. Records kept
    /// before deliveries existed read as this, which is what they showed.
    #[default]
    Success,
    /// A subscription still refused it after every attempt.
    Fail,
    /// Committed, and not yet delivered to every subscription of its topic.
    Pending,
}

impl NotificationStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "SUCCESS",
            Self::Fail => "FAIL",
            Self::Pending => "PENDING",
        }
    }
}

/// One notification: what a happening on a secret sent to its event's SMN topic. A
/// pending one is the outbox entry its delivery works from (docs/behaviour.md §56).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRecord {
    /// The SMN message id; nil for records kept before deliveries existed.
    #[serde(default)]
    pub id: Uuid,
    #[serde(default)]
    pub status: NotificationStatus,
    /// The SMN message's subject (docs/behaviour.md §54).
    #[serde(default)]
    pub subject: String,
    pub event_name: String,
    pub trigger_event_type: EventType,
    pub create_time: Millis,
    pub secret_name: String,
    pub secret_type: super::rotation::SecretType,
    pub target_name: String,
    pub target_id: String,
    pub content: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_known_distinct_and_one_to_twelve() {
        let ok = EventType::parse_list(&["SECRET_ROTATED".into(), "SECRET_DELETED".into()]);
        assert_eq!(ok.unwrap(), vec![EventType::Rotated, EventType::Deleted]);
        assert!(EventType::parse_list(&[]).is_err());
        assert!(
            EventType::parse_list(&["SECRET_ROTATED".into(), "SECRET_ROTATED".into()]).is_err()
        );
        assert!(EventType::parse_list(&["SOMETHING".into()]).is_err());
    }

    #[test]
    fn notifications_need_an_smn_target_with_valid_id_and_name() {
        assert!(Notification::parse("SMN", "urn:smn:cn-north-4:p:topic", "topic").is_ok());
        assert!(Notification::parse("SMS", "urn", "topic").is_err());
        assert!(Notification::parse("SMN", "", "topic").is_err());
        assert!(Notification::parse("SMN", "a b", "topic").is_err());
        assert!(Notification::parse("SMN", "urn", "bad name").is_err());
        assert!(Notification::parse("SMN", &"u".repeat(257), "t").is_err());
    }

    #[test]
    fn only_enabled_events_fire_for_their_types() {
        let mut event = Event {
            name: EventName::parse("n", "e").unwrap(),
            id: Uuid::nil(),
            types: vec![EventType::VersionCreated],
            state: EventState::Enabled,
            notification: Notification::parse("SMN", "urn", "t").unwrap(),
            create_time: 0,
            update_time: 0,
        };
        assert!(event.fires_on(EventType::VersionCreated));
        assert!(!event.fires_on(EventType::Deleted));
        event.state = EventState::Disabled;
        assert!(!event.fires_on(EventType::VersionCreated));
    }
}
