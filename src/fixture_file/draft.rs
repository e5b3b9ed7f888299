//! The fast reading of one fixture secret: straight from its JSON text into typed fields,
//! then completed as a hand-written secret is. It must never accept what the general
//! reading (through a `Value`, in `mod.rs`) refuses, nor read anything differently: a
//! field left out and a field given are told apart, so an explicit `null` is refused where
//! the general reading refuses it. Whatever this reading refuses is read again the
//! general way, which gives the error its message.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use uuid::Uuid;

use crate::clock::{Millis, parse_duration};
use crate::domain::rotation::SecretType;
use crate::domain::secret::{DEFAULT_ENTERPRISE_PROJECT, SecretRecord, StageRecord, VersionRecord};

/// `"now"`, `"now-2d"` or `"now+1h"` against `now`; `None` for anything else.
pub(super) fn relative_time(raw: &str, now: Millis) -> Option<Millis> {
    let rest = raw.strip_prefix("now")?;
    if rest.is_empty() {
        return Some(now);
    }
    if let Some(duration) = rest.strip_prefix('+') {
        now.checked_add(parse_duration(duration)?)
    } else {
        now.checked_sub(parse_duration(rest.strip_prefix('-')?)?)
    }
}

/// A field as the document has it: left out, or given (`null` is refused unless `T` takes
/// it).
#[derive(Debug, Default)]
enum Given<T> {
    #[default]
    Absent,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Given::Value)
    }
}

impl<T> Given<T> {
    fn or(self, default: T) -> T {
        self.or_else(|| default)
    }

    fn or_else(self, default: impl FnOnce() -> T) -> T {
        self.or_none().unwrap_or_else(default)
    }

    fn or_none(self) -> Option<T> {
        match self {
            Given::Absent => None,
            Given::Value(v) => Some(v),
        }
    }
}

/// A time under one of the time keys: milliseconds, or `"now"`, `"now-2d"`, `"now+1h"`.
#[derive(Debug)]
enum Time {
    At(Millis),
    Relative(String),
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimeVisitor;
        impl serde::de::Visitor<'_> for TimeVisitor {
            type Value = Time;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a time")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Time, E> {
                Ok(Time::At(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Time, E> {
                Millis::try_from(v)
                    .map(Time::At)
                    .map_err(|_| E::custom("time out of range"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Time, E> {
                Ok(Time::Relative(v.to_owned()))
            }
        }
        deserializer.deserialize_any(TimeVisitor)
    }
}

impl Time {
    fn at(self, now: Millis) -> Option<Millis> {
        match self {
            Time::At(at) => Some(at),
            Time::Relative(raw) => relative_time(&raw, now),
        }
    }
}

fn resolve(time: Option<Time>, now: Millis) -> Result<Option<Millis>, ()> {
    time.map(|t| t.at(now).ok_or(())).transpose()
}

/// A time that is `default` when left out.
fn resolve_or(time: Given<Time>, default: Millis, now: Millis) -> Result<Millis, ()> {
    resolve(time.or_none(), now).map(|t| t.unwrap_or(default))
}

#[derive(Deserialize)]
struct SecretDraft {
    #[serde(default)]
    id: Given<Uuid>,
    name: String,
    #[serde(default)]
    state: Given<String>,
    #[serde(default)]
    create_time: Given<Time>,
    #[serde(default)]
    update_time: Given<Time>,
    #[serde(default)]
    scheduled_delete_time: Option<Time>,
    #[serde(default)]
    rotation_time: Option<Time>,
    #[serde(default)]
    next_rotation_time: Option<Time>,
    #[serde(default)]
    last_used_time: Option<Millis>,
    #[serde(default)]
    kms_key_id: Given<String>,
    #[serde(default)]
    description: Given<String>,
    #[serde(default)]
    secret_type: Given<String>,
    #[serde(default)]
    auto_rotation: Given<bool>,
    #[serde(default)]
    rotation_period: Option<String>,
    #[serde(default)]
    rotation_config: Option<String>,
    #[serde(default)]
    event_subscriptions: Given<Vec<String>>,
    #[serde(default)]
    enterprise_project_id: Given<String>,
    #[serde(default)]
    rotation_func_urn: Option<String>,
    #[serde(default)]
    versions: Given<Vec<VersionDraft>>,
    #[serde(default)]
    stages: Given<Vec<StageDraft>>,
    #[serde(default)]
    next_version: Given<u32>,
    #[serde(default)]
    tags: Given<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct VersionDraft {
    #[serde(default)]
    number: Given<u32>,
    #[serde(default)]
    create_time: Given<Time>,
    #[serde(default)]
    expire_time: Option<Time>,
    #[serde(default)]
    kms_key_id: Given<String>,
    #[serde(default)]
    secret_string: Option<String>,
    #[serde(default)]
    secret_binary: Option<String>,
    #[serde(default)]
    expiry_notified: Given<bool>,
}

#[derive(Deserialize)]
struct StageDraft {
    name: String,
    version: u32,
    update_time: Time,
}

/// Reads one secret's JSON text and completes it; `None` when the text is anything the
/// general reading should look at (an error, or a number it reads otherwise).
pub(super) fn read_secret(raw: &str, default_key: &str, now: Millis) -> Option<SecretRecord> {
    let draft: SecretDraft = serde_json::from_str(raw).ok()?;
    draft.complete(default_key, now).ok()
}

impl SecretDraft {
    fn complete(self, default_key: &str, now: Millis) -> Result<SecretRecord, ()> {
        let created = resolve_or(self.create_time, now, now)?;
        let updated = resolve_or(self.update_time, created, now)?;
        let key = self.kms_key_id.or_else(|| default_key.to_owned());
        let mut last: u32 = 0;
        let mut versions = Vec::new();
        for (i, v) in self.versions.or(Vec::new()).into_iter().enumerate() {
            let number = match v.number {
                Given::Absent => u32::try_from(i + 1).map_err(|_| ())?,
                Given::Value(n) => n,
            };
            last = last.max(number);
            versions.push(VersionRecord {
                number,
                create_time: resolve_or(v.create_time, created, now)?,
                expire_time: resolve(v.expire_time, now)?,
                kms_key_id: v.kms_key_id.or_else(|| key.clone()),
                secret_string: v.secret_string,
                secret_binary: v.secret_binary,
                expiry_notified: v.expiry_notified.or(false),
            });
        }
        let stages = match self.stages {
            Given::Absent => vec![StageRecord {
                name: "SYSCURRENT".to_owned(),
                version: last,
                update_time: created,
            }],
            Given::Value(stages) => stages
                .into_iter()
                .map(|s| {
                    Ok(StageRecord {
                        name: s.name,
                        version: s.version,
                        update_time: s.update_time.at(now).ok_or(())?,
                    })
                })
                .collect::<Result<_, ()>>()?,
        };
        Ok(SecretRecord {
            id: self.id.or_else(Uuid::new_v4),
            name: self.name,
            state: self.state.or_else(|| "ENABLED".to_owned()),
            create_time: created,
            update_time: updated,
            scheduled_delete_time: resolve(self.scheduled_delete_time, now)?,
            rotation_time: resolve(self.rotation_time, now)?,
            next_rotation_time: resolve(self.next_rotation_time, now)?,
            last_used_time: self.last_used_time,
            kms_key_id: key,
            description: self.description.or(String::new()),
            secret_type: self
                .secret_type
                .or_else(|| SecretType::Common.as_str().to_owned()),
            auto_rotation: self.auto_rotation.or(false),
            rotation_period: self.rotation_period,
            rotation_config: self.rotation_config,
            event_subscriptions: self.event_subscriptions.or(Vec::new()),
            enterprise_project_id: self
                .enterprise_project_id
                .or_else(|| DEFAULT_ENTERPRISE_PROJECT.to_owned()),
            rotation_func_urn: self.rotation_func_urn,
            // The general reading saturates; a number past u32 is refused there.
            next_version: match self.next_version {
                Given::Absent => last.checked_add(1).ok_or(())?,
                Given::Value(n) => n,
            },
            versions,
            stages,
            tags: self.tags.or(BTreeMap::new()),
        })
    }
}
