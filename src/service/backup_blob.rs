//! The backup blob: an opaque string holding one secret's every version, value, stage and
//! tag, sealed with AES-256-GCM under this installation's [`BackupKey`] so it is
//! unreadable elsewhere and any change to it is detected, and naming the project it came
//! from (docs/behaviour.md, "Backup blobs"). Its format and key only; `backup.rs` holds
//! the operations.

use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};

use crate::domain::secret::SecretRecord;
use crate::error::CsmsError;

/// What the doc example blob starts with.
const BLOB_PREFIX: &str = ")CloudSecretManagementBackupV1.com";
const NONCE_LEN: usize = 12;
/// Format version inside the sealed payload.
const BLOB_FORMAT: u32 = 1;

/// What a blob holds, once opened.
#[derive(Serialize, Deserialize)]
pub(super) struct BlobPayload {
    format: u32,
    pub(super) project: String,
    pub(super) secret: SecretRecord,
}

impl BlobPayload {
    /// The payload of a blob of `secret`, from `project`, in this build's format.
    pub(super) fn new(project: String, secret: SecretRecord) -> Self {
        Self {
            format: BLOB_FORMAT,
            project,
            secret,
        }
    }
}

/// The key backup blobs are sealed with. It comes, first found, from `CSMS_BACKUP_KEY`
/// (blobs then open on every instance given the same key), from the master key of
/// `--data-dir` (blobs survive restarts on that directory), or is drawn at random for the
/// process. `Debug` never shows it.
#[derive(Clone)]
pub struct BackupKey(Arc<Aes256Gcm>);

impl std::fmt::Debug for BackupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BackupKey(<redacted>)")
    }
}

impl BackupKey {
    /// A key over 32 given bytes.
    #[must_use]
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self(Arc::new(Aes256Gcm::new(&key.into())))
    }

    /// A key given as 32 bytes in hex or base64, as `CSMS_BACKUP_KEY` takes it.
    pub fn parse(raw: &str) -> Result<Self, String> {
        crate::store::vault::decode_key_named("the backup key", raw)
            .map(Self::from_bytes)
            .map_err(|e| e.to_string())
    }

    /// A fresh random key: blobs it seals open only in this process.
    pub fn random() -> Result<Self, CsmsError> {
        let mut key = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut key)
            .map_err(|e| CsmsError::Internal(format!("random backup key: {e}")))?;
        Ok(Self::from_bytes(key))
    }
}

pub(super) fn invalid_blob() -> CsmsError {
    CsmsError::invalid(
        "secret_blob",
        "is not a backup blob of this service, or it was changed",
    )
}

pub(super) fn seal(key: &BackupKey, payload: &BlobPayload) -> Result<String, CsmsError> {
    let plain = serde_json::to_vec(payload)
        .map_err(|e| CsmsError::Internal(format!("serialize backup: {e}")))?;
    let mut nonce = [0u8; NONCE_LEN];
    OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|e| CsmsError::Internal(format!("random nonce: {e}")))?;
    let sealed = key
        .0
        .encrypt(Nonce::from_slice(&nonce), plain.as_slice())
        .map_err(|_| CsmsError::Internal("encrypt backup".into()))?;
    let mut bytes = nonce.to_vec();
    bytes.extend(sealed);
    Ok(format!("{BLOB_PREFIX}{}", STANDARD.encode(bytes)))
}

pub(super) fn open(key: &BackupKey, blob: &str) -> Result<BlobPayload, CsmsError> {
    let encoded = blob.strip_prefix(BLOB_PREFIX).ok_or_else(invalid_blob)?;
    let bytes = STANDARD.decode(encoded).map_err(|_| invalid_blob())?;
    if bytes.len() <= NONCE_LEN {
        return Err(invalid_blob());
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let plain = key
        .0
        .decrypt(Nonce::from_slice(nonce), sealed)
        .map_err(|_| invalid_blob())?;
    let payload: BlobPayload = serde_json::from_slice(&plain).map_err(|_| invalid_blob())?;
    if payload.format != BLOB_FORMAT {
        return Err(invalid_blob());
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::secret::Secret;

    #[test]
    fn a_flipped_byte_anywhere_makes_the_blob_invalid() {
        let secret = Secret::create(
            uuid::Uuid::new_v4(),
            crate::domain::secret::SecretSettings::for_test("s"),
            crate::domain::value::SecretValue::Text("hunter2".into()),
            1,
        )
        .unwrap();
        let key = BackupKey::random().unwrap();
        let blob = seal(
            &key,
            &BlobPayload {
                format: BLOB_FORMAT,
                project: "p".into(),
                secret: secret.to_record(),
            },
        )
        .unwrap();
        assert!(blob.starts_with(BLOB_PREFIX));
        assert!(!blob.contains("hunter2"));
        assert!(open(&key, &blob).is_ok());
        let other = BackupKey::random().unwrap();
        assert!(
            open(&other, &blob).is_err(),
            "another installation's key opens nothing"
        );
        let encoded = &blob[BLOB_PREFIX.len()..];
        let bytes = STANDARD.decode(encoded).unwrap();
        for i in [0, NONCE_LEN, bytes.len() / 2, bytes.len() - 1] {
            let mut changed = bytes.clone();
            changed[i] ^= 0x01;
            let tampered = format!("{BLOB_PREFIX}{}", STANDARD.encode(changed));
            assert!(open(&key, &tampered).is_err(), "byte {i}");
        }
        assert!(open(&key, "garbage").is_err());
        assert!(open(&key, &format!("{BLOB_PREFIX}!!!")).is_err());
    }

    #[test]
    fn a_backup_key_parses_from_hex_or_base64_and_never_shows() {
        let hex = "ab".repeat(32);
        let key = BackupKey::parse(&hex).unwrap();
        assert_eq!(format!("{key:?}"), "BackupKey(<redacted>)");
        assert!(BackupKey::parse(&STANDARD.encode([7u8; 32])).is_ok());
        let short = BackupKey::parse("abcd").unwrap_err();
        assert!(short.contains("the backup key"), "{short}");
    }
}
