//! How a secret's row (`secrets.body`) and a version's metadata (`versions.meta`) are
//! encoded (docs/behaviour.md §62). Format 5 writes each as a postcard blob: every field in
//! a fixed order, integers as varints, an id as its 16 bytes after a length byte, and no
//! field names to match. Formats 2 to 4 (and the format-1 migration) wrote JSON text, which
//! is still read: SQLite keeps each value's storage class, so a row is told apart by it (a
//! blob, or text), never by guessing at its bytes.
//!
//! The structs below are the format, and only these: the records they mirror are
//! serialized as JSON elsewhere (exports, backups), where a change that is harmless there
//! (a field moved, one left out when empty) would misread every row here. Changing the
//! order of their fields, or a field's type, needs a new format number; a new field at the
//! end does too, since an older build would not read it. `the_encoding_is_pinned_byte_for_byte`
//! fails when the bytes change.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::secret::{SecretRecord, StageRecord, VersionRecord};
use crate::error::StoreError;

/// A secret's row: its record without versions, which have rows of their own.
#[derive(Serialize, Deserialize)]
struct SecretRow<'a> {
    id: Uuid,
    name: Cow<'a, str>,
    state: Cow<'a, str>,
    create_time: Millis,
    update_time: Millis,
    scheduled_delete_time: Option<Millis>,
    rotation_time: Option<Millis>,
    next_rotation_time: Option<Millis>,
    last_used_time: Option<Millis>,
    kms_key_id: Cow<'a, str>,
    description: Cow<'a, str>,
    secret_type: Cow<'a, str>,
    auto_rotation: bool,
    rotation_period: Option<Cow<'a, str>>,
    rotation_config: Option<Cow<'a, str>>,
    event_subscriptions: Cow<'a, [String]>,
    enterprise_project_id: Cow<'a, str>,
    rotation_func_urn: Option<Cow<'a, str>>,
    stages: Vec<StageRow<'a>>,
    next_version: u32,
    tags: Cow<'a, BTreeMap<String, String>>,
}

/// One stage of a secret's row.
#[derive(Serialize, Deserialize)]
struct StageRow<'a> {
    name: Cow<'a, str>,
    version: u32,
    update_time: Millis,
}

/// A version's metadata: its record without the value, which is sealed in a column of
/// its own.
#[derive(Serialize, Deserialize)]
struct VersionMeta<'a> {
    number: u32,
    create_time: Millis,
    expire_time: Option<Millis>,
    kms_key_id: Cow<'a, str>,
    expiry_notified: bool,
}

/// `record`'s row. Its versions are left out: they are written as rows of their own.
pub(super) fn secret_row(record: &SecretRecord) -> Result<Vec<u8>, StoreError> {
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
        versions: _,
        stages,
        next_version,
        tags,
    } = record;
    encode(&SecretRow {
        id: *id,
        name: Cow::Borrowed(name),
        state: Cow::Borrowed(state),
        create_time: *create_time,
        update_time: *update_time,
        scheduled_delete_time: *scheduled_delete_time,
        rotation_time: *rotation_time,
        next_rotation_time: *next_rotation_time,
        last_used_time: *last_used_time,
        kms_key_id: Cow::Borrowed(kms_key_id),
        description: Cow::Borrowed(description),
        secret_type: Cow::Borrowed(secret_type),
        auto_rotation: *auto_rotation,
        rotation_period: rotation_period.as_deref().map(Cow::Borrowed),
        rotation_config: rotation_config.as_deref().map(Cow::Borrowed),
        event_subscriptions: Cow::Borrowed(event_subscriptions),
        enterprise_project_id: Cow::Borrowed(enterprise_project_id),
        rotation_func_urn: rotation_func_urn.as_deref().map(Cow::Borrowed),
        stages: stages
            .iter()
            .map(|stage| StageRow {
                name: Cow::Borrowed(&stage.name),
                version: stage.version,
                update_time: stage.update_time,
            })
            .collect(),
        next_version: *next_version,
        tags: Cow::Borrowed(tags),
    })
}

/// `record`'s metadata. Its value is left out: it is sealed into a column of its own.
pub(super) fn version_meta(record: &VersionRecord) -> Result<Vec<u8>, StoreError> {
    let VersionRecord {
        number,
        create_time,
        expire_time,
        kms_key_id,
        secret_string: _,
        secret_binary: _,
        expiry_notified,
    } = record;
    encode(&VersionMeta {
        number: *number,
        create_time: *create_time,
        expire_time: *expire_time,
        kms_key_id: Cow::Borrowed(kms_key_id),
        expiry_notified: *expiry_notified,
    })
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    Ok(postcard::to_allocvec(value)?)
}

/// The record a secret's row holds, with no versions; `Err` holds why it did not read.
pub(super) fn read_secret_row(stored: ValueRef<'_>) -> Result<SecretRecord, String> {
    read_stored(stored, "a row", |bytes| {
        let row: SecretRow<'_> = decode(bytes)?;
        Ok(SecretRecord {
            id: row.id,
            name: row.name.into_owned(),
            state: row.state.into_owned(),
            create_time: row.create_time,
            update_time: row.update_time,
            scheduled_delete_time: row.scheduled_delete_time,
            rotation_time: row.rotation_time,
            next_rotation_time: row.next_rotation_time,
            last_used_time: row.last_used_time,
            kms_key_id: row.kms_key_id.into_owned(),
            description: row.description.into_owned(),
            secret_type: row.secret_type.into_owned(),
            auto_rotation: row.auto_rotation,
            rotation_period: row.rotation_period.map(Cow::into_owned),
            rotation_config: row.rotation_config.map(Cow::into_owned),
            event_subscriptions: row.event_subscriptions.into_owned(),
            enterprise_project_id: row.enterprise_project_id.into_owned(),
            rotation_func_urn: row.rotation_func_urn.map(Cow::into_owned),
            versions: Vec::new(),
            stages: row
                .stages
                .into_iter()
                .map(|stage| StageRecord {
                    name: stage.name.into_owned(),
                    version: stage.version,
                    update_time: stage.update_time,
                })
                .collect(),
            next_version: row.next_version,
            tags: row.tags.into_owned(),
        })
    })
}

/// The record a version's metadata holds, with no value; `Err` holds why it did not read.
pub(super) fn read_version_meta(stored: ValueRef<'_>) -> Result<VersionRecord, String> {
    read_stored(stored, "metadata", |bytes| {
        let meta: VersionMeta<'_> = decode(bytes)?;
        Ok(VersionRecord {
            number: meta.number,
            create_time: meta.create_time,
            expire_time: meta.expire_time,
            kms_key_id: meta.kms_key_id.into_owned(),
            secret_string: None,
            secret_binary: None,
            expiry_notified: meta.expiry_notified,
        })
    })
}

/// A stored value told apart by its storage class: a blob is this format's, read by
/// `from_blob`; text is JSON from formats 1 to 4, where a missing field reads as its
/// default; anything else (`what` names what belongs there) does not read.
fn read_stored<T: serde::de::DeserializeOwned>(
    stored: ValueRef<'_>,
    what: &str,
    from_blob: impl FnOnce(&[u8]) -> Result<T, String>,
) -> Result<T, String> {
    match stored {
        ValueRef::Blob(bytes) => from_blob(bytes),
        ValueRef::Text(json) => serde_json::from_slice(json).map_err(|e| e.to_string()),
        other => Err(format!("a {:?} where {what} belongs", other.data_type())),
    }
}

/// `bytes` as one `T`, every byte used: a row with bytes left over was not written whole
/// by this format.
fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(format!("{} bytes past its end", rest.len())),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn record_with_every_field() -> SecretRecord {
        SecretRecord {
            id: Uuid::new_v4(),
            name: "név/ü".into(),
            state: "PENDING_DELETE".into(),
            create_time: 1,
            update_time: 2,
            scheduled_delete_time: Some(3),
            rotation_time: Some(4),
            next_rotation_time: Some(-5),
            last_used_time: Some(i64::MAX),
            kms_key_id: "0716956c-b25c-51bd-b40e-d00c78dbd23c".into(),
            description: "d\n\"".into(),
            secret_type: "RDS-FG".into(),
            auto_rotation: true,
            rotation_period: Some("30d".into()),
            rotation_config: Some("{\"k\":1}".into()),
            event_subscriptions: vec!["a".into(), "b".into()],
            enterprise_project_id: "ep".into(),
            rotation_func_urn: Some("urn:fss:f".into()),
            versions: Vec::new(),
            stages: vec![StageRecord {
                name: "SYSCURRENT".into(),
                version: 7,
                update_time: 8,
            }],
            next_version: 9,
            tags: BTreeMap::from([("k".into(), "v".into()), ("tag".into(), String::new())]),
        }
    }

    fn version_with_every_field() -> VersionRecord {
        VersionRecord {
            number: u32::MAX,
            create_time: i64::MIN,
            expire_time: Some(10),
            kms_key_id: "key".into(),
            secret_string: None,
            secret_binary: None,
            expiry_notified: true,
        }
    }

    #[test]
    fn a_secret_row_reads_back_every_field() {
        let record = record_with_every_field();
        let row = secret_row(&record).unwrap();
        assert_eq!(read_secret_row(ValueRef::Blob(&row)).unwrap(), record);

        let mut plain = record;
        plain.scheduled_delete_time = None;
        plain.rotation_period = None;
        plain.tags.clear();
        plain.event_subscriptions.clear();
        let row = secret_row(&plain).unwrap();
        assert_eq!(read_secret_row(ValueRef::Blob(&row)).unwrap(), plain);
    }

    #[test]
    fn a_secret_row_leaves_out_versions_and_a_version_row_its_value() {
        let mut record = record_with_every_field();
        let without = secret_row(&record).unwrap();
        let mut version = version_with_every_field();
        version.secret_string = Some("the value".into());
        record.versions.push(version.clone());
        assert_eq!(secret_row(&record).unwrap(), without);

        let meta = version_meta(&version).unwrap();
        assert!(!meta.windows(9).any(|w| w == b"the value"));
        version.secret_string = None;
        assert_eq!(read_version_meta(ValueRef::Blob(&meta)).unwrap(), version);
    }

    #[test]
    fn json_rows_of_earlier_formats_still_read() {
        let record = record_with_every_field();
        let json = serde_json::to_vec(&record).unwrap();
        assert_eq!(read_secret_row(ValueRef::Text(&json)).unwrap(), record);
        let version = version_with_every_field();
        let json = br#"{"number":4294967295,"create_time":-9223372036854775808,"expire_time":10,"kms_key_id":"key","expiry_notified":true}"#;
        assert_eq!(read_version_meta(ValueRef::Text(json)).unwrap(), version);
    }

    #[test]
    fn a_damaged_blob_is_an_error_never_a_panic() {
        let row = secret_row(&record_with_every_field()).unwrap();
        for end in 0..row.len() {
            assert!(
                read_secret_row(ValueRef::Blob(&row[..end])).is_err(),
                "{end}"
            );
        }
        let mut longer = row.clone();
        longer.push(0);
        let err = read_secret_row(ValueRef::Blob(&longer)).unwrap_err();
        assert!(err.contains("past its end"), "{err}");
        let meta = version_meta(&version_with_every_field()).unwrap();
        for end in 0..meta.len() {
            assert!(read_version_meta(ValueRef::Blob(&meta[..end])).is_err());
        }
        for stored in [ValueRef::Null, ValueRef::Integer(1), ValueRef::Real(1.0)] {
            assert!(read_secret_row(stored).is_err());
            assert!(read_version_meta(stored).is_err());
        }
    }

    #[test]
    fn the_encoding_is_pinned_byte_for_byte() {
        // Rows already on disk are read with these bytes: a change here is a new format.
        let record = SecretRecord {
            id: Uuid::from_u128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10),
            name: "n".into(),
            state: "ENABLED".into(),
            create_time: 1,
            update_time: 300,
            scheduled_delete_time: None,
            rotation_time: Some(2),
            next_rotation_time: None,
            last_used_time: Some(-1),
            kms_key_id: "k".into(),
            description: "d".into(),
            secret_type: "COMMON".into(),
            auto_rotation: true,
            rotation_period: Some("1d".into()),
            rotation_config: None,
            event_subscriptions: vec!["e".into()],
            enterprise_project_id: "0".into(),
            rotation_func_urn: None,
            versions: Vec::new(),
            stages: vec![StageRecord {
                name: "S".into(),
                version: 3,
                update_time: 4,
            }],
            next_version: 5,
            tags: BTreeMap::from([("t".into(), "v".into())]),
        };
        let expected = concat!(
            "10",
            "0102030405060708090a0b0c0d0e0f10", // id: length, bytes
            "016e",
            "07454e41424c4544", // name, state
            "02",
            "d804", // create_time 1, update_time 300 (zigzag varints)
            "00",
            "0104",
            "00",
            "0101", // deletion, rotation 2, next rotation, last used -1
            "016b",
            "0164",
            "06434f4d4d4f4e",
            "01",         // key id, description, type, auto rotation
            "0102316400", // rotation period "1d", rotation config none
            "010165",
            "0130",
            "00", // event subscriptions, enterprise project, function urn
            "0101530308",
            "05",         // stages [("S", 3, 4)], next version
            "0101740176", // tags {"t": "v"}
        );
        assert_eq!(hex::encode(secret_row(&record).unwrap()), expected);
        let version = VersionRecord {
            number: 300,
            create_time: 1,
            expire_time: Some(2),
            kms_key_id: "k".into(),
            secret_string: Some("not written".into()),
            secret_binary: None,
            expiry_notified: true,
        };
        assert_eq!(
            hex::encode(version_meta(&version).unwrap()),
            "ac02020104016b01"
        );
    }

    /// `bytes` read as a row or as metadata: whatever decodes must encode to bytes that
    /// decode to the same record, and nothing may panic.
    fn read_back_consistently(bytes: &[u8]) -> Result<(), TestCaseError> {
        if let Ok(record) = read_secret_row(ValueRef::Blob(bytes)) {
            let again = secret_row(&record).unwrap();
            prop_assert_eq!(read_secret_row(ValueRef::Blob(&again)).unwrap(), record);
        }
        if let Ok(meta) = read_version_meta(ValueRef::Blob(bytes)) {
            let again = version_meta(&meta).unwrap();
            prop_assert_eq!(read_version_meta(ValueRef::Blob(&again)).unwrap(), meta);
        }
        Ok(())
    }

    proptest! {
        /// Real rows with bytes changed, cut out or spliced in: most still decode (a
        /// changed length or value), which exercises every field, not only the first.
        #[test]
        fn damaged_rows_read_as_a_record_or_an_error(
            changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..6),
            which in 0..2u8,
        ) {
            let mut bytes = if which == 0 {
                secret_row(&record_with_every_field()).unwrap()
            } else {
                version_meta(&version_with_every_field()).unwrap()
            };
            for (at, byte, how) in changes {
                let i = at.index(bytes.len().max(1));
                match how {
                    0 if i < bytes.len() => bytes[i] = byte,
                    1 if i < bytes.len() => { bytes.remove(i); }
                    _ => bytes.insert(i.min(bytes.len()), byte),
                }
            }
            read_back_consistently(&bytes)?;
        }

        #[test]
        fn any_bytes_read_as_a_record_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
            read_back_consistently(&bytes)?;
        }
    }
}
