//! Backup and restore of one secret (csms-spec §2.3.12): an opaque blob holding every
//! version, value, stage and tag, sealed with AES-256-GCM so it is unreadable and any
//! change to it is detected, and bound to the project it came from.

use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::names::{ProjectId, SecretName};
use crate::domain::secret::{Secret, SecretRecord, SecretState};
use crate::error::CsmsError;

use super::CsmsService;

/// What the doc example blob starts with.
const BLOB_PREFIX: &str = ")CloudSecretManagementBackupV1.com";
const NONCE_LEN: usize = 12;
/// Format version inside the sealed payload.
const BLOB_FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct BlobPayload {
    format: u32,
    project: String,
    secret: SecretRecord,
}

/// The emulator's fixed blob key: blobs stay valid across restarts and instances, as
/// blobs of one account stay valid in its region.
fn cipher() -> Aes256Gcm {
    let key = Sha256::digest(b"csms-emulator secret backup blob key, format 1");
    Aes256Gcm::new(&key)
}

fn invalid_blob() -> CsmsError {
    CsmsError::invalid(
        "secret_blob",
        "is not a backup blob of this service, or it was changed",
    )
}

fn seal(payload: &BlobPayload) -> Result<String, CsmsError> {
    let plain = serde_json::to_vec(payload)
        .map_err(|e| CsmsError::Internal(format!("serialize backup: {e}")))?;
    let mut nonce = [0u8; NONCE_LEN];
    OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|e| CsmsError::Internal(format!("random nonce: {e}")))?;
    let sealed = cipher()
        .encrypt(Nonce::from_slice(&nonce), plain.as_slice())
        .map_err(|_| CsmsError::Internal("encrypt backup".into()))?;
    let mut bytes = nonce.to_vec();
    bytes.extend(sealed);
    Ok(format!("{BLOB_PREFIX}{}", STANDARD.encode(bytes)))
}

fn open(blob: &str) -> Result<BlobPayload, CsmsError> {
    let encoded = blob.strip_prefix(BLOB_PREFIX).ok_or_else(invalid_blob)?;
    let bytes = STANDARD.decode(encoded).map_err(|_| invalid_blob())?;
    if bytes.len() <= NONCE_LEN {
        return Err(invalid_blob());
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let plain = cipher()
        .decrypt(Nonce::from_slice(nonce), sealed)
        .map_err(|_| invalid_blob())?;
    let payload: BlobPayload = serde_json::from_slice(&plain).map_err(|_| invalid_blob())?;
    if payload.format != BLOB_FORMAT {
        return Err(invalid_blob());
    }
    Ok(payload)
}

impl CsmsService {
    /// Backup, `POST …/secrets/{secret_name}/backup`: `{"secret_blob": ...}`.
    #[tracing::instrument(skip_all, fields(project = %project, secret = %name))]
    pub fn download_secret_blob(
        &self,
        project: &ProjectId,
        name: &SecretName,
    ) -> Result<String, CsmsError> {
        let record = self.with_secret(project, name, |s| Ok(s.to_record()))?;
        seal(&BlobPayload {
            format: BLOB_FORMAT,
            project: project.to_string(),
            secret: record,
        })
    }

    /// Restore, `POST /v1/{project_id}/secrets/restore`: recreates the secret exactly,
    /// ENABLED; refuses a taken name (409), a changed blob and another project's blob.
    #[tracing::instrument(skip_all, fields(project = %project))]
    pub fn upload_secret_blob(
        &self,
        project: &ProjectId,
        blob: Option<&str>,
    ) -> Result<Arc<Secret>, CsmsError> {
        let blob = blob.ok_or_else(|| CsmsError::invalid("secret_blob", "is required"))?;
        let payload = open(blob)?;
        if payload.project != project.as_str() {
            return Err(CsmsError::invalid(
                "secret_blob",
                "was backed up in another project and cannot be restored here",
            ));
        }
        let mut secret = Secret::from_record(payload.secret).map_err(|_| invalid_blob())?;
        secret.state = SecretState::Enabled;
        secret.scheduled_delete_time = None;
        self.write(project, |tx, _| {
            if tx.get(secret.name()).is_some() || tx.get_by_id(secret.id).is_some() {
                return Err(CsmsError::NameExists(secret.name().to_string()));
            }
            Ok(tx.put(secret))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flipped_byte_anywhere_makes_the_blob_invalid() {
        let secret = Secret::create(
            uuid::Uuid::new_v4(),
            crate::domain::secret::SecretSettings::for_test("s"),
            crate::domain::value::SecretValue::Text("hunter2".into()),
            1,
        )
        .unwrap();
        let blob = seal(&BlobPayload {
            format: BLOB_FORMAT,
            project: "p".into(),
            secret: secret.to_record(),
        })
        .unwrap();
        assert!(blob.starts_with(BLOB_PREFIX));
        assert!(!blob.contains("hunter2"));
        assert!(open(&blob).is_ok());
        let encoded = &blob[BLOB_PREFIX.len()..];
        let bytes = STANDARD.decode(encoded).unwrap();
        for i in [0, NONCE_LEN, bytes.len() / 2, bytes.len() - 1] {
            let mut changed = bytes.clone();
            changed[i] ^= 0x01;
            let tampered = format!("{BLOB_PREFIX}{}", STANDARD.encode(changed));
            assert!(open(&tampered).is_err(), "byte {i}");
        }
        assert!(open("garbage").is_err());
        assert!(open(&format!("{BLOB_PREFIX}!!!")).is_err());
    }
}
