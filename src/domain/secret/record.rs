//! A complete, serializable image of a secret: every field, version, value, stage and tag.
//! Used for backup blobs (and the format persistence builds on). Loading an image
//! re-checks every rule, so a blob can never create a secret the API could not.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::limits::{STAGES_MAX, VERSIONS_MAX};
use crate::domain::names::{EventName, KmsKeyId, SecretName, StageName, VersionNumber};
use crate::domain::rotation::{RotationConfig, RotationPeriod, SecretType};
use crate::domain::tag::{TAGS_MAX, TagKey, parse_tag_value};
use crate::domain::value::SecretValue;
use crate::error::CsmsError;

use super::aggregate::{ScheduleAndTags, Secret, SecretState, StageEntry, Version};
use super::last_used::LastUsed;
use super::settings::{DEFAULT_ENTERPRISE_PROJECT, SecretSettings, SettingsExtras};
use super::sparse::Sparse;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SecretRecord {
    pub id: Uuid,
    pub name: String,
    pub state: String,
    pub create_time: Millis,
    pub update_time: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_delete_time: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_time: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_rotation_time: Option<Millis>,
    /// When a value was last read, as of the last write of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_time: Option<Millis>,
    pub kms_key_id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "common_type")]
    pub secret_type: String,
    #[serde(default)]
    pub auto_rotation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_config: Option<String>,
    #[serde(default)]
    pub event_subscriptions: Vec<String>,
    #[serde(default = "default_enterprise_project")]
    pub enterprise_project_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_func_urn: Option<String>,
    /// Empty only in the durable store's row, which keeps versions in rows of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionRecord>,
    pub stages: Vec<StageRecord>,
    pub next_version: u32,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

// A missing field reads as its default: format 4 of the durable store left such fields out
// of its JSON rows (docs/behaviour.md §60), and fixtures and blobs may too.

fn common_type() -> String {
    SecretType::Common.as_str().to_owned()
}

fn default_enterprise_project() -> String {
    DEFAULT_ENTERPRISE_PROJECT.to_owned()
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VersionRecord {
    pub number: u32,
    pub create_time: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<Millis>,
    pub kms_key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_binary: Option<String>,
    #[serde(default)]
    pub expiry_notified: bool,
}

impl std::fmt::Debug for VersionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::value::redacted;
        f.debug_struct("VersionRecord")
            .field("number", &self.number)
            .field("create_time", &self.create_time)
            .field("expire_time", &self.expire_time)
            .field("kms_key_id", &self.kms_key_id)
            .field("secret_string", &redacted(self.secret_string.as_deref()))
            .field("secret_binary", &redacted(self.secret_binary.as_deref()))
            .field("expiry_notified", &self.expiry_notified)
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StageRecord {
    pub name: String,
    pub version: u32,
    pub update_time: Millis,
}

fn state_from(raw: &str) -> Result<SecretState, CsmsError> {
    match raw {
        "ENABLED" => Ok(SecretState::Enabled),
        "DISABLED" => Ok(SecretState::Disabled),
        "PENDING_DELETE" => Ok(SecretState::PendingDelete),
        "FROZEN" => Ok(SecretState::Frozen),
        _ => Err(CsmsError::invalid("state", "unknown secret state")),
    }
}

impl Version {
    /// Rebuilds a version from its image; the secret it joins checks the rules between
    /// its versions.
    pub fn from_record(v: VersionRecord) -> Result<Self, CsmsError> {
        Ok(Self {
            number: VersionNumber(v.number),
            create_time: v.create_time,
            expire_time: v.expire_time,
            kms_key_id: KmsKeyId::parse_for_update(&v.kms_key_id)?,
            value: SecretValue::from_fields(v.secret_string, v.secret_binary, usize::MAX)?,
            expiry_notified: v.expiry_notified,
        })
    }

    /// The version's image, with its value only when asked.
    #[must_use]
    pub fn to_record(&self, with_value: bool) -> VersionRecord {
        VersionRecord {
            number: self.number.0,
            create_time: self.create_time,
            expire_time: self.expire_time,
            kms_key_id: self.kms_key_id.to_owned_string(),
            secret_string: self
                .value
                .as_text()
                .filter(|_| with_value)
                .map(str::to_owned),
            secret_binary: self
                .value
                .as_binary()
                .filter(|_| with_value)
                .map(str::to_owned),
            expiry_notified: self.expiry_notified,
        }
    }
}

impl Secret {
    /// The full image of this secret.
    #[must_use]
    pub fn to_record(&self) -> SecretRecord {
        self.image(true)
    }

    /// The image without its versions (the durable store keeps each version in a row of
    /// its own, see [`Version::to_record`]).
    #[must_use]
    pub fn to_record_without_versions(&self) -> SecretRecord {
        self.image(false)
    }

    fn image(&self, with_versions: bool) -> SecretRecord {
        let s = &self.settings;
        SecretRecord {
            id: self.id,
            name: s.name.to_string(),
            state: self.state.as_str().to_owned(),
            create_time: self.create_time,
            update_time: self.update_time,
            scheduled_delete_time: self.scheduled_delete_time(),
            rotation_time: self.rotation_time(),
            next_rotation_time: self.next_rotation_time(),
            last_used_time: self.last_used.get(),
            kms_key_id: s.kms_key_id.to_owned_string(),
            description: s.description().to_owned(),
            secret_type: s.secret_type.as_str().to_owned(),
            auto_rotation: s.auto_rotation,
            rotation_period: s.rotation_period().map(|p| p.as_str().to_owned()),
            rotation_config: s.rotation_config().map(|c| c.as_str().to_owned()),
            event_subscriptions: s
                .event_subscriptions()
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect(),
            enterprise_project_id: s.enterprise_project_id().to_owned(),
            rotation_func_urn: s.rotation_func_urn().map(str::to_owned),
            versions: if with_versions {
                self.versions.iter().map(|v| v.to_record(true)).collect()
            } else {
                Vec::new()
            },
            stages: self
                .stages
                .iter()
                .map(|st| StageRecord {
                    name: st.name.to_string(),
                    version: st.version.0,
                    update_time: st.update_time,
                })
                .collect(),
            next_version: self.next_version,
            tags: self.tags().clone(),
        }
    }

    /// Rebuilds a secret from an image, checking every rule the API enforces.
    pub fn from_record(mut r: SecretRecord) -> Result<Self, CsmsError> {
        let versions = std::mem::take(&mut r.versions)
            .into_iter()
            .map(Version::from_record)
            .collect::<Result<_, _>>()?;
        Unversioned::from_record(r)?.with_versions(versions)
    }
}

/// A secret rebuilt from an image whose versions are rebuilt apart: the durable store
/// reads secrets and versions on threads of their own, and joins them after. Nothing can
/// read it until [`Unversioned::with_versions`] has checked the whole secret.
#[derive(Debug)]
pub struct Unversioned(Secret);

impl Unversioned {
    /// Every field of `r` but its versions (which are not looked at), each checked.
    pub fn from_record(r: SecretRecord) -> Result<Self, CsmsError> {
        let secret_type = SecretType::parse(&r.secret_type)?;
        let extras = SettingsExtras {
            description: r.description,
            rotation_period: r
                .rotation_period
                .as_deref()
                .map(|p| RotationPeriod::parse(p, 1))
                .transpose()?,
            rotation_config: r
                .rotation_config
                .as_deref()
                .map(|c| RotationConfig::parse(c, secret_type))
                .transpose()?,
            event_subscriptions: r
                .event_subscriptions
                .iter()
                .map(|e| EventName::parse("event_subscriptions", e))
                .collect::<Result<_, _>>()?,
            enterprise_project_id: r.enterprise_project_id,
            rotation_func_urn: r.rotation_func_urn,
        };
        let settings = SecretSettings::new(
            SecretName::parse_lookup("name", &r.name)?,
            KmsKeyId::parse_for_update(&r.kms_key_id)?,
            secret_type,
            r.auto_rotation,
            extras,
        );
        let versions = SmallVec::new();
        let mut stages: SmallVec<[StageEntry; 1]> = SmallVec::with_capacity(r.stages.len());
        for st in r.stages {
            stages.push(StageEntry {
                name: StageName::restore(&st.name)?,
                version: VersionNumber(st.version),
                update_time: st.update_time,
            });
        }
        stages.sort_by(|a, b| a.name.cmp(&b.name));
        stages.dedup_by(|a, b| a.name == b.name);
        for (k, v) in &r.tags {
            TagKey::parse(k)?;
            parse_tag_value(Some(v))?;
        }
        Ok(Self(Secret {
            id: r.id,
            state: state_from(&r.state)?,
            create_time: r.create_time,
            update_time: r.update_time,
            settings,
            versions,
            stages,
            next_version: r.next_version,
            schedule_and_tags: Sparse::new(ScheduleAndTags {
                scheduled_delete_time: r.scheduled_delete_time,
                rotation_time: r.rotation_time,
                next_rotation_time: r.next_rotation_time,
                tags: r.tags,
            }),
            last_used: LastUsed::at(r.last_used_time),
        }))
    }

    /// The secret's name.
    #[must_use]
    pub fn name(&self) -> &SecretName {
        self.0.name()
    }

    /// The secret with its versions, when it keeps every structural rule.
    pub fn with_versions(self, versions: SmallVec<[Version; 1]>) -> Result<Secret, CsmsError> {
        Secret { versions, ..self.0 }.checked()
    }
}

impl Secret {
    /// The secret itself, when it keeps every structural rule; the rule it breaks
    /// otherwise. Loading checks it, and so does every commit (the store), so nothing a
    /// write was acknowledged for can stop a later start.
    fn checked(self) -> Result<Self, CsmsError> {
        self.check_invariants()?;
        Ok(self)
    }

    /// Checks the rules that tie a secret's parts together: 1 to 20 versions, in
    /// ascending order from `v1`, all below the version counter; at most 12 stages, each
    /// on a version the secret holds, SYSCURRENT among them; at most 20 tags.
    pub fn check_invariants(&self) -> Result<(), CsmsError> {
        if self.versions.is_empty() || self.versions.len() > VERSIONS_MAX {
            return Err(CsmsError::invalid("versions", "must hold 1 to 20 versions"));
        }
        let ascending = self.versions.first().is_some_and(|v| v.number.0 >= 1)
            && self.versions.windows(2).all(|w| w[0].number < w[1].number);
        if !ascending {
            return Err(CsmsError::invalid(
                "versions",
                "must be numbered from 1 in ascending order",
            ));
        }
        if self
            .versions
            .last()
            .is_some_and(|v| v.number.0 >= self.next_version)
        {
            return Err(CsmsError::invalid(
                "next_version",
                "must follow every version id",
            ));
        }
        if self
            .stages
            .iter()
            .any(|st| self.version_numbered(st.version).is_none())
        {
            return Err(CsmsError::invalid("stages", "must name existing versions"));
        }
        if self.stages.len() > STAGES_MAX
            || self
                .stage_by_str(crate::domain::names::SYSCURRENT)
                .is_none()
        {
            return Err(CsmsError::invalid(
                "stages",
                "must hold SYSCURRENT and at most 12 stages",
            ));
        }
        if self.tags().len() > TAGS_MAX {
            return Err(CsmsError::invalid("tags", "at most 20 tags"));
        }
        Ok(())
    }
}

/// A secret with every part a record holds: a text and a binary version, one with an
/// expiry, a second stage and a tag (the tests of this file).
#[cfg(test)]
pub(super) fn secret_with_every_part(name: &str) -> Secret {
    use super::aggregate::NewVersion;

    let mut secret = Secret::create(
        Uuid::new_v4(),
        SecretSettings::for_test(name),
        SecretValue::Text("one".into()),
        5,
    )
    .unwrap();
    secret
        .add_version(
            NewVersion {
                value: SecretValue::Binary("AAE=".into()),
                stages: Some(vec![StageName::parse("s", "BLUE").unwrap()]),
                expire_time: Some(9_000),
            },
            6,
        )
        .unwrap();
    secret
        .set_tags(vec![(TagKey::parse("env").unwrap(), "prod".into())])
        .unwrap();
    secret
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::domain::secret::NewVersion;

    #[test]
    fn a_record_round_trips_every_field() {
        let s = secret_with_every_part("s.dotted");
        s.last_used.mark(7);
        let record = s.to_record();
        assert_eq!(record.last_used_time, Some(7));
        let back = Secret::from_record(record.clone()).unwrap();
        assert_eq!(back.to_record(), record);
    }

    #[test]
    fn records_with_no_rare_field_and_with_each_one_set_round_trip() {
        let plain = Secret::create(
            Uuid::new_v4(),
            SecretSettings::for_test("plain"),
            SecretValue::Text("v".into()),
            5,
        )
        .unwrap();
        let record = plain.to_record();
        assert_eq!(record.description, "");
        assert_eq!(record.enterprise_project_id, "0");
        assert!(record.event_subscriptions.is_empty() && record.tags.is_empty());
        assert_eq!(
            (record.scheduled_delete_time, record.rotation_time),
            (None, None)
        );
        let back = Secret::from_record(record.clone()).unwrap();
        assert!(back.settings.in_default_enterprise_project());
        assert!(back.schedule_and_tags.get().is_none(), "nothing boxed");
        assert_eq!(back.to_record(), record);

        let each_set: [fn(&mut SecretRecord); 7] = [
            |r| r.description = "d".into(),
            |r| r.enterprise_project_id = "ep-1".into(),
            |r| r.event_subscriptions = vec!["e".into()],
            |r| r.rotation_func_urn = Some("urn:fss:f".into()),
            |r| r.rotation_period = Some("1d".into()),
            |r| r.rotation_time = Some(3),
            |r| drop(r.tags.insert("k".into(), "v".into())),
        ];
        for set in each_set {
            let mut changed = record.clone();
            set(&mut changed);
            let back = Secret::from_record(changed.clone()).unwrap();
            assert_eq!(back.to_record(), changed);
        }
    }

    #[test]
    fn a_key_id_an_update_may_set_loads_back_from_a_record() {
        let mut settings = SecretSettings::for_test("s");
        settings.kms_key_id =
            crate::domain::names::KmsKeyId::parse_for_update("b168fe00ff56492495a7d22974df2d0b")
                .unwrap();
        let s = Secret::create(Uuid::new_v4(), settings, SecretValue::Text("v".into()), 5).unwrap();
        let record = s.to_record();
        assert_eq!(record.kms_key_id, "b168fe00ff56492495a7d22974df2d0b");
        let back = Secret::from_record(record.clone()).unwrap();
        assert_eq!(back.to_record(), record);
    }

    #[test]
    fn a_read_marks_every_snapshot_and_never_moves_back() {
        let s = Secret::create(
            Uuid::new_v4(),
            SecretSettings::for_test("s"),
            SecretValue::Text("v".into()),
            5,
        )
        .unwrap();
        let snapshot = s.clone();
        assert_eq!(s.last_used.get(), None);
        snapshot.last_used.mark(20);
        assert_eq!(s.last_used.get(), Some(20));
        s.last_used.mark(10);
        assert_eq!(snapshot.last_used.get(), Some(20));
    }

    #[test]
    fn a_read_is_unkept_until_the_store_is_given_a_moment_at_least_as_late() {
        let s = Secret::create(
            Uuid::new_v4(),
            SecretSettings::for_test("s"),
            SecretValue::Text("v".into()),
            5,
        )
        .unwrap();
        assert!(!s.last_used.unkept(), "never read");
        s.last_used.mark(20);
        assert!(s.last_used.unkept());
        s.last_used.kept(Some(10));
        assert!(
            s.last_used.unkept(),
            "an older moment does not keep a later read"
        );
        s.last_used.kept(Some(20));
        assert!(!s.last_used.unkept());
        // Loaded from the store: what it holds is kept already.
        let loaded = Secret::from_record(s.to_record()).unwrap();
        assert_eq!(loaded.last_used.get(), Some(20));
        assert!(!loaded.last_used.unkept());
    }

    #[test]
    fn debug_output_of_a_record_never_shows_values() {
        let s = Secret::create(
            Uuid::new_v4(),
            SecretSettings::for_test("s"),
            SecretValue::Text("record-canary".into()),
            5,
        )
        .unwrap();
        let shown = format!("{:?}", s.to_record());
        assert!(!shown.contains("record-canary"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn a_record_that_breaks_a_rule_is_refused() {
        let s = Secret::create(
            Uuid::new_v4(),
            SecretSettings::for_test("s"),
            SecretValue::Text("one".into()),
            5,
        )
        .unwrap();
        let mut dangling = s.to_record();
        dangling.stages[0].version = 7;
        assert!(Secret::from_record(dangling).is_err());
        let mut reused = s.to_record();
        reused.next_version = 1;
        assert!(Secret::from_record(reused).is_err());
        let mut empty = s.to_record();
        empty.versions.clear();
        assert!(Secret::from_record(empty).is_err());
        let mut no_current = s.to_record();
        no_current.stages.clear();
        assert!(Secret::from_record(no_current).is_err());
        let mut zero = s.to_record();
        zero.versions[0].number = 0;
        zero.stages[0].version = 0;
        assert!(Secret::from_record(zero).is_err());
    }

    fn text(value: &str) -> NewVersion {
        NewVersion {
            value: SecretValue::Text(value.into()),
            stages: None,
            expire_time: None,
        }
    }

    #[test]
    fn a_counter_that_cannot_advance_refuses_the_version_and_changes_nothing() {
        let s = Secret::create(
            Uuid::new_v4(),
            SecretSettings::for_test("s"),
            SecretValue::Text("one".into()),
            5,
        )
        .unwrap();
        let mut record = s.to_record();
        record.next_version = u32::MAX - 1;
        let mut secret = Secret::from_record(record).unwrap();
        let last = secret.add_version(text("last"), 6).unwrap();
        assert_eq!(last.to_string(), "v4294967294");
        let before = secret.to_record();
        let err = secret.add_version(text("one too many"), 7).unwrap_err();
        assert_eq!(err, CsmsError::VersionIdsExhausted("s".into()));
        assert_eq!(err.code().as_str(), "CSMS.0102");
        assert_eq!(secret.to_record(), before, "nothing changed");
        // What was stored loads again: the counter stays above every id.
        assert_eq!(
            Secret::from_record(before.clone()).unwrap().to_record(),
            before
        );
    }
}
