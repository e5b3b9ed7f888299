//! Records as the durable store writes them: every field that holds its default is left
//! out (docs/behaviour.md §60). A `--data-dir` restart parses every row back, and JSON
//! parsing was most of the loading thread's time; the fewer keys a row holds, the sooner
//! the emulator serves. Reading needs nothing of its own: a [`SecretRecord`] takes a
//! missing field as its default. Exports and backups still write every field.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::rotation::SecretType;

use super::record::{SecretRecord, StageRecord, VersionRecord};
use super::settings::DEFAULT_ENTERPRISE_PROJECT;

/// A secret's record, its fields at their default left out.
#[derive(Serialize)]
pub struct CompactSecret<'a> {
    id: Uuid,
    name: &'a str,
    state: &'a str,
    create_time: Millis,
    update_time: Millis,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_delete_time: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rotation_time: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_rotation_time: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_used_time: Option<Millis>,
    kms_key_id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "is_common")]
    secret_type: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    auto_rotation: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    rotation_period: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rotation_config: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    event_subscriptions: &'a [String],
    #[serde(skip_serializing_if = "is_default_enterprise_project")]
    enterprise_project_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rotation_func_urn: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    versions: Vec<CompactVersion<'a>>,
    stages: &'a [StageRecord],
    next_version: u32,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: &'a BTreeMap<String, String>,
}

/// A version's record, its fields at their default left out.
#[derive(Serialize)]
pub struct CompactVersion<'a> {
    number: u32,
    create_time: Millis,
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_time: Option<Millis>,
    kms_key_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_string: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_binary: Option<&'a str>,
    #[serde(skip_serializing_if = "is_false")]
    expiry_notified: bool,
}

impl<'a> From<&'a SecretRecord> for CompactSecret<'a> {
    fn from(record: &'a SecretRecord) -> Self {
        // Destructured whole: a new field must be written here too, or be lost on disk.
        let SecretRecord {
            id,
            name,
            state,
            create_time,
            update_time,
            scheduled_delete_time,
            rotation_time,
            next_rotation_time,
            last_used_time,
            kms_key_id,
            description,
            secret_type,
            auto_rotation,
            rotation_period,
            rotation_config,
            event_subscriptions,
            enterprise_project_id,
            rotation_func_urn,
            versions,
            stages,
            next_version,
            tags,
        } = record;
        Self {
            id: *id,
            name,
            state,
            create_time: *create_time,
            update_time: *update_time,
            scheduled_delete_time: *scheduled_delete_time,
            rotation_time: *rotation_time,
            next_rotation_time: *next_rotation_time,
            last_used_time: *last_used_time,
            kms_key_id,
            description,
            secret_type,
            auto_rotation: *auto_rotation,
            rotation_period: rotation_period.as_deref(),
            rotation_config: rotation_config.as_deref(),
            event_subscriptions,
            enterprise_project_id,
            rotation_func_urn: rotation_func_urn.as_deref(),
            versions: versions.iter().map(CompactVersion::from).collect(),
            stages,
            next_version: *next_version,
            tags,
        }
    }
}

impl<'a> From<&'a VersionRecord> for CompactVersion<'a> {
    fn from(record: &'a VersionRecord) -> Self {
        let VersionRecord {
            number,
            create_time,
            expire_time,
            kms_key_id,
            secret_string,
            secret_binary,
            expiry_notified,
        } = record;
        Self {
            number: *number,
            create_time: *create_time,
            expire_time: *expire_time,
            kms_key_id,
            secret_string: secret_string.as_deref(),
            secret_binary: secret_binary.as_deref(),
            expiry_notified: *expiry_notified,
        }
    }
}

fn is_common(secret_type: &&str) -> bool {
    *secret_type == SecretType::Common.as_str()
}

fn is_default_enterprise_project(id: &&str) -> bool {
    *id == DEFAULT_ENTERPRISE_PROJECT
}

#[allow(clippy::trivially_copy_pass_by_ref)] // `skip_serializing_if` passes a reference.
fn is_false(flag: &bool) -> bool {
    !*flag
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::super::record::secret_with_every_part;
    use super::*;
    use crate::domain::secret::{Secret, SecretSettings};
    use crate::domain::value::SecretValue;

    /// The keys a record at its defaults leaves out, with the value each stands for.
    const DEFAULTS: [(&str, &str); 6] = [
        ("description", r#""""#),
        ("secret_type", r#""COMMON""#),
        ("auto_rotation", "false"),
        ("event_subscriptions", "[]"),
        ("enterprise_project_id", r#""0""#),
        ("tags", "{}"),
    ];

    fn plain_record() -> SecretRecord {
        Secret::create(
            Uuid::new_v4(),
            SecretSettings::for_test("plain"),
            SecretValue::Text("v".into()),
            5,
        )
        .unwrap()
        .to_record()
    }

    #[test]
    fn a_record_at_its_defaults_is_written_without_them_and_reads_back_the_same() {
        let record = plain_record();
        let compact = serde_json::to_value(CompactSecret::from(&record)).unwrap();
        for (key, _) in DEFAULTS {
            assert!(compact.get(key).is_none(), "{key} in {compact}");
        }
        assert!(compact["versions"][0].get("expiry_notified").is_none());
        let back: SecretRecord = serde_json::from_value(compact).unwrap();
        assert_eq!(back, record);

        // The full image (exports, backups) still carries every field, at the same value.
        let full = serde_json::to_value(&record).unwrap();
        for (key, default) in DEFAULTS {
            let default: serde_json::Value = serde_json::from_str(default).unwrap();
            assert_eq!(full[key], default, "{key}");
        }
        assert_eq!(full["versions"][0]["expiry_notified"], false);
    }

    #[test]
    fn a_record_with_every_field_set_is_written_whole() {
        let mut record = secret_with_every_part("full").to_record();
        record.description = "d".into();
        record.secret_type = "RDS-FG".into();
        record.auto_rotation = true;
        record.rotation_period = Some("30d".into());
        record.rotation_config = Some("{}".into());
        record.event_subscriptions = vec!["e".into()];
        record.enterprise_project_id = "ep-1".into();
        record.rotation_func_urn = Some("urn:fss:f".into());
        record.scheduled_delete_time = Some(1);
        record.rotation_time = Some(2);
        record.next_rotation_time = Some(3);
        record.last_used_time = Some(4);
        for version in &mut record.versions {
            version.expiry_notified = true;
        }

        let compact = serde_json::to_value(CompactSecret::from(&record)).unwrap();
        assert_eq!(compact, serde_json::to_value(&record).unwrap());
        let back: SecretRecord = serde_json::from_value(compact).unwrap();
        assert_eq!(back, record);
    }
}
