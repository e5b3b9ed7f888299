//! The secret aggregate's tests: creation, versions and their cap, stages, states.

use uuid::Uuid;

use super::*;
use crate::domain::names::{KmsKeyId, StageName, VersionNumber, VersionRef};
use crate::domain::rotation::RotationPeriod;
use crate::domain::value::SecretValue;

fn settings(name: &str) -> SecretSettings {
    SecretSettings::for_test(name)
}

fn text(v: &str) -> SecretValue {
    SecretValue::Text(v.into())
}

fn secret() -> Secret {
    Secret::create(Uuid::nil(), settings("s"), text("one"), 1_000).unwrap()
}

#[allow(clippy::unnecessary_wraps)] // mirrors NewVersion::stages
fn stages(names: &[&str]) -> Option<Vec<StageName>> {
    Some(
        names
            .iter()
            .map(|n| StageName::parse("s", n).unwrap())
            .collect(),
    )
}

fn version(secret: &mut Secret, value: &str, labels: Option<Vec<StageName>>) -> VersionNumber {
    secret
        .add_version(
            NewVersion {
                value: text(value),
                stages: labels,
                expire_time: None,
            },
            2_000,
        )
        .unwrap()
}

fn holder(secret: &Secret, stage: &str) -> Option<u32> {
    secret.stage_by_str(stage).map(|s| s.version.0)
}

#[test]
fn a_new_secret_has_v1_holding_syscurrent() {
    let s = secret();
    assert_eq!(s.versions().len(), 1);
    assert_eq!(holder(&s, "SYSCURRENT"), Some(1));
    assert_eq!(holder(&s, "SYSPREVIOUS"), None);
    assert_eq!(s.state, SecretState::Enabled);
    assert_eq!(
        s.version(VersionRef::Latest).unwrap().number,
        VersionNumber(1)
    );
}

#[test]
fn a_default_version_takes_syscurrent_and_pushes_sysprevious() {
    let mut s = secret();
    assert_eq!(version(&mut s, "two", None), VersionNumber(2));
    assert_eq!(holder(&s, "SYSCURRENT"), Some(2));
    assert_eq!(holder(&s, "SYSPREVIOUS"), Some(1));
    version(&mut s, "three", None);
    assert_eq!(holder(&s, "SYSCURRENT"), Some(3));
    assert_eq!(holder(&s, "SYSPREVIOUS"), Some(2));
    assert_eq!(s.stages_of(VersionNumber(1)), Vec::<&str>::new());
    assert_eq!(s.update_time, 2_000);
}

#[test]
fn explicit_stages_without_syscurrent_move_nothing_else() {
    let mut s = secret();
    version(&mut s, "two", stages(&["PENDING"]));
    assert_eq!(holder(&s, "SYSCURRENT"), Some(1));
    assert_eq!(holder(&s, "SYSPREVIOUS"), None);
    assert_eq!(holder(&s, "PENDING"), Some(2));
    // latest stays the SYSCURRENT holder (docs/behaviour.md §7)
    let latest = s.version(VersionRef::Latest).unwrap();
    assert_eq!(latest.number, VersionNumber(1));
}

#[test]
fn explicit_stages_with_syscurrent_push_sysprevious() {
    let mut s = secret();
    version(&mut s, "two", stages(&["SYSCURRENT", "BLUE"]));
    assert_eq!(holder(&s, "SYSCURRENT"), Some(2));
    assert_eq!(holder(&s, "SYSPREVIOUS"), Some(1));
    assert_eq!(s.stages_of(VersionNumber(2)), vec!["BLUE", "SYSCURRENT"]);
}

#[test]
fn a_custom_stage_moves_from_its_old_version() {
    let mut s = secret();
    version(&mut s, "two", stages(&["BLUE"]));
    version(&mut s, "three", stages(&["BLUE"]));
    assert_eq!(holder(&s, "BLUE"), Some(3));
    assert!(s.stages_of(VersionNumber(2)).is_empty());
}

#[test]
fn the_thirteenth_stage_is_refused_and_changes_nothing() {
    let mut s = secret();
    let eleven: Vec<String> = (0..11).map(|i| format!("S{i:02}")).collect();
    let refs: Vec<&str> = eleven.iter().map(String::as_str).collect();
    version(&mut s, "two", stages(&refs));
    assert_eq!(s.stages().len(), 12);
    let before = s.clone();
    let err = s
        .add_version(
            NewVersion {
                value: text("x"),
                stages: stages(&["ONE_MORE"]),
                expire_time: None,
            },
            3_000,
        )
        .unwrap_err();
    assert_eq!(err.code(), crate::error::ErrorCode::StageLimitReached);
    assert_eq!(s.versions().len(), before.versions().len());
    assert_eq!(s.stages(), before.stages());
    assert_eq!(s.update_time, before.update_time);
    // Reusing a label that exists is still fine at the limit.
    version(&mut s, "three", stages(&["S00"]));
    assert_eq!(holder(&s, "S00"), Some(3));
}

#[test]
fn the_twenty_first_version_removes_the_oldest_unstaged_one() {
    let mut s = secret();
    for i in 2..=20 {
        version(&mut s, &format!("v{i}"), None);
    }
    assert_eq!(s.versions().len(), 20);
    // v1 is unstaged (SYSPREVIOUS is on v19), so v1 goes.
    version(&mut s, "v21", None);
    assert_eq!(s.versions().len(), 20);
    assert_eq!(s.versions()[0].number, VersionNumber(2));
    assert_eq!(s.versions()[19].number, VersionNumber(21));
}

#[test]
fn the_version_cap_keeps_staged_versions_even_when_oldest() {
    let mut s = secret();
    // v1 keeps a custom label; later versions are default ones.
    version(&mut s, "v2", stages(&["KEEP"]));
    s.put_stage(StageName::parse("s", "KEEP").unwrap(), VersionNumber(1), 0);
    for i in 3..=21 {
        version(&mut s, &format!("v{i}"), None);
    }
    assert_eq!(s.versions().len(), 20);
    assert_eq!(s.versions()[0].number, VersionNumber(1));
    assert_eq!(s.versions()[1].number, VersionNumber(3));
}

#[test]
fn version_ids_are_never_reused() {
    let mut s = secret();
    for i in 2..=30 {
        assert_eq!(version(&mut s, "x", None), VersionNumber(i));
    }
    assert!(s.version(VersionRef::Number(VersionNumber(1))).is_err());
}

#[test]
fn only_enabled_secrets_take_new_versions() {
    for (state, code) in [
        (
            SecretState::PendingDelete,
            crate::error::ErrorCode::PendingDelete,
        ),
        (SecretState::Disabled, crate::error::ErrorCode::NotEnabled),
        (SecretState::Frozen, crate::error::ErrorCode::NotEnabled),
    ] {
        let mut s = secret();
        s.state = state;
        let err = s
            .add_version(
                NewVersion {
                    value: text("x"),
                    stages: None,
                    expire_time: None,
                },
                5,
            )
            .unwrap_err();
        assert_eq!(err.code(), code);
        assert_eq!(s.versions().len(), 1);
    }
}

#[test]
fn versions_record_the_key_in_force_when_created() {
    let mut s = secret();
    let first_key = s.settings.kms_key_id.clone();
    s.settings.kms_key_id = KmsKeyId::parse("0d0466b0-e727-4d9c-b35d-f84bb474a37f").unwrap();
    version(&mut s, "two", None);
    assert_eq!(s.versions()[0].kms_key_id, first_key);
    assert_eq!(
        s.versions()[1].kms_key_id.as_str(),
        "0d0466b0-e727-4d9c-b35d-f84bb474a37f"
    );
}

#[test]
fn missing_versions_and_stages_are_not_found() {
    let s = secret();
    let err = s.version(VersionRef::Number(VersionNumber(7))).unwrap_err();
    assert_eq!(err.code(), crate::error::ErrorCode::NotFound);
    let err = s
        .stage(&StageName::parse("s", "NOPE").unwrap())
        .unwrap_err();
    assert_eq!(err.code(), crate::error::ErrorCode::NotFound);
}

#[test]
fn rotation_sets_the_next_rotation_time() {
    let mut cfg = settings("r");
    cfg.auto_rotation = true;
    cfg.change_extras(|e| e.rotation_period = Some(RotationPeriod::parse("1d", 4 * 3600).unwrap()));
    let s = Secret::create(Uuid::nil(), cfg, text("x"), 1_000).unwrap();
    assert_eq!(s.next_rotation_time(), Some(1_000 + 86_400_000));
    assert_eq!(secret().next_rotation_time(), None);
}

#[test]
fn fields_are_at_their_defaults_exactly_when_they_equal_the_defaults() {
    use super::aggregate::ScheduleAndTags;
    use super::sparse::AtDefaults;
    use crate::domain::names::EventName;
    use crate::domain::rotation::{RotationConfig, SecretType};

    let config = r#"{"InstanceId":"i-1","SecretSubType":"SingleUser"}"#;
    let extras = [
        SettingsExtras::default(),
        SettingsExtras {
            description: "d".into(),
            ..SettingsExtras::default()
        },
        SettingsExtras {
            rotation_period: Some(RotationPeriod::parse("30d", 1).unwrap()),
            ..SettingsExtras::default()
        },
        SettingsExtras {
            rotation_config: Some(RotationConfig::parse(config, SecretType::RdsFg).unwrap()),
            ..SettingsExtras::default()
        },
        SettingsExtras {
            event_subscriptions: vec![EventName::parse("e", "e1").unwrap()],
            ..SettingsExtras::default()
        },
        SettingsExtras {
            enterprise_project_id: "ep".into(),
            ..SettingsExtras::default()
        },
        SettingsExtras {
            rotation_func_urn: Some("urn".into()),
            ..SettingsExtras::default()
        },
    ];
    for (i, fields) in extras.iter().enumerate() {
        assert_eq!(fields.at_defaults(), i == 0, "{fields:?}");
        assert_eq!(fields.at_defaults(), *fields == SettingsExtras::default());
    }
    let schedules = [
        ScheduleAndTags::default(),
        ScheduleAndTags {
            scheduled_delete_time: Some(1),
            ..ScheduleAndTags::default()
        },
        ScheduleAndTags {
            rotation_time: Some(1),
            ..ScheduleAndTags::default()
        },
        ScheduleAndTags {
            next_rotation_time: Some(1),
            ..ScheduleAndTags::default()
        },
        ScheduleAndTags {
            tags: [("k".to_owned(), "v".to_owned())].into(),
            ..ScheduleAndTags::default()
        },
    ];
    for (i, fields) in schedules.iter().enumerate() {
        assert_eq!(fields.at_defaults(), i == 0, "{fields:?}");
        assert_eq!(fields.at_defaults(), *fields == ScheduleAndTags::default());
    }
}

#[test]
fn a_stored_secret_fits_the_allocators_256_byte_class() {
    // Stored as an `Arc<Secret>`: two counts, then the secret. mimalloc's size classes
    // step from 256 bytes to 320, so a field that crosses the line costs every secret 64
    // bytes (RSS per 100,000 secrets, bench/footprint.py).
    let stored = 2 * std::mem::size_of::<usize>() + std::mem::size_of::<Secret>();
    assert!(stored <= 256, "a stored secret takes {stored} bytes");
}
