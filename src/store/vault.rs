//! Encryption at rest (an emulated KMS): a 32-byte master key, one data key per project and
//! KMS key id derived from it with HMAC-SHA256, and AES-256-GCM for every stored value.
//! The master key comes from `CSMS_MASTER_KEY` or `DIR/master.key` (created mode 0600).

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::Sha256;

use crate::error::StoreError;

const NONCE_LEN: usize = 12;
/// The file the master key lives in when it is not given in the environment.
pub const MASTER_KEY_FILE: &str = "master.key";

/// Data keys kept at most; past this the cache starts over (each project and key id has
/// one, and a client can make many projects).
const KEYS_KEPT: usize = 1024;

/// The data keys derived so far, and how many.
#[derive(Default)]
struct DataKeys {
    by_project: HashMap<String, HashMap<String, Arc<Aes256Gcm>>>,
    len: usize,
}

impl DataKeys {
    fn get(&self, project: &str) -> Option<&HashMap<String, Arc<Aes256Gcm>>> {
        self.by_project.get(project)
    }
}

/// Holds the master key and the data keys derived from it; `Debug` never shows them.
pub struct Vault {
    master: [u8; 32],
    /// By project, then by key id: a lookup borrows both, so finding a key allocates
    /// nothing (a restart looks one up for each of a million versions).
    keys: RwLock<DataKeys>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(<master key redacted>)")
    }
}

fn decode_key(raw: &str) -> Result<[u8; 32], StoreError> {
    decode_key_named("the master key", raw)
}

/// A 32-byte key given as hex (64 characters) or base64; `what` names it in the error.
pub fn decode_key_named(what: &str, raw: &str) -> Result<[u8; 32], StoreError> {
    let raw = raw.trim();
    let bytes = hex::decode(raw)
        .ok()
        .or_else(|| STANDARD.decode(raw).ok())
        .ok_or_else(|| {
            StoreError::Key(format!(
                "{what} must be 32 bytes in hex (64 characters) or base64"
            ))
        })?;
    bytes
        .try_into()
        .map_err(|_| StoreError::Key(format!("{what} must be exactly 32 bytes")))
}

impl Vault {
    /// The master key from `env_key` if given, else from `DIR/master.key`. A fresh random
    /// key (mode 0600) is created only when the file is missing and `holds_data` is false:
    /// a new key cannot open values sealed with the lost one, so a directory that holds a
    /// database without its key is refused, and nothing is written.
    pub fn open(dir: &Path, env_key: Option<&str>, holds_data: bool) -> Result<Self, StoreError> {
        if let Some(raw) = env_key {
            return decode_key(raw).map(Self::from_key);
        }
        let path = dir.join(MASTER_KEY_FILE);
        if path.exists() {
            let raw = std::fs::read_to_string(&path).map_err(StoreError::file("read", &path))?;
            return decode_key(&raw)
                .map(Self::from_key)
                .map_err(|e| StoreError::Key(format!("{}: {e}", path.display())));
        }
        if holds_data {
            return Err(StoreError::Key(format!(
                "{} holds a database but no {MASTER_KEY_FILE}: put back the master key file, or give the key in CSMS_MASTER_KEY; nothing was changed",
                dir.display()
            )));
        }
        let mut master = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut master)
            .map_err(|_| StoreError::Seal("cannot draw a master key"))?;
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&path)
            .map_err(StoreError::file("create", &path))?;
        file.write_all(hex::encode(master).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(StoreError::file("write", &path))?;
        Ok(Self::from_key(master))
    }

    /// A vault over a given master key.
    #[must_use]
    pub fn from_key(master: [u8; 32]) -> Self {
        Self {
            master,
            keys: RwLock::default(),
        }
    }

    /// The key that seals backup blobs of this installation, derived from the master key so
    /// blobs survive restarts on the same data directory and open nowhere else.
    pub fn backup_key(&self) -> Result<[u8; 32], StoreError> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.master)
            .map_err(|_| StoreError::Seal("cannot derive the backup key"))?;
        mac.update(b"csms-emulator backup blob key\0format 1");
        Ok(mac.finalize().into_bytes().into())
    }

    /// The data key of (`project`, `kms_key_id`), derived once and then kept.
    fn data_key(&self, project: &str, kms_key_id: &str) -> Result<Arc<Aes256Gcm>, StoreError> {
        if let Some(key) = self
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(project)
            .and_then(|by_id| by_id.get(kms_key_id))
        {
            return Ok(Arc::clone(key));
        }
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.master)
            .map_err(|_| StoreError::Seal("cannot derive a data key"))?;
        mac.update(b"csms-emulator data key\0");
        mac.update(project.as_bytes());
        mac.update(b"\0");
        mac.update(kms_key_id.as_bytes());
        let derived = mac.finalize().into_bytes();
        let key = Arc::new(
            Aes256Gcm::new_from_slice(&derived)
                .map_err(|_| StoreError::Seal("a data key has the wrong length"))?,
        );
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        if keys.len >= KEYS_KEPT {
            // Bounded: keys are cheap to derive again.
            *keys = DataKeys::default();
        }
        let by_id = keys.by_project.entry(project.to_owned()).or_default();
        if by_id
            .insert(kms_key_id.to_owned(), Arc::clone(&key))
            .is_none()
        {
            keys.len += 1;
        }
        Ok(key)
    }

    /// Encrypts `plain` under the data key of (`project`, `kms_key_id`), bound to `aad`:
    /// nonce followed by ciphertext and tag.
    pub fn seal_bytes(
        &self,
        project: &str,
        kms_key_id: &str,
        aad: &str,
        plain: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| StoreError::Seal("cannot draw a random nonce"))?;
        let sealed = self
            .data_key(project, kms_key_id)?
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Seal("encryption failed"))?;
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend(sealed);
        Ok(bytes)
    }

    /// Decrypts what [`Vault::seal_bytes`] produced with the same inputs.
    pub fn open_bytes(
        &self,
        project: &str,
        kms_key_id: &str,
        aad: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        if sealed.len() <= NONCE_LEN {
            return Err(StoreError::Seal("the sealed value is too short"));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.data_key(project, kms_key_id)?
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| {
                StoreError::Seal(
                    "the value does not decrypt: it is damaged, or was not sealed for this place",
                )
            })
    }

    /// [`Vault::seal_bytes`] as base64 text.
    pub fn seal(
        &self,
        project: &str,
        kms_key_id: &str,
        aad: &str,
        plain: &[u8],
    ) -> Result<String, StoreError> {
        self.seal_bytes(project, kms_key_id, aad, plain)
            .map(|bytes| STANDARD.encode(bytes))
    }

    /// Decrypts what [`Vault::seal`] produced with the same inputs.
    pub fn open_sealed(
        &self,
        project: &str,
        kms_key_id: &str,
        aad: &str,
        sealed: &str,
    ) -> Result<Vec<u8>, StoreError> {
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|_| StoreError::Seal("the sealed value is not base64"))?;
        self.open_bytes(project, kms_key_id, aad, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_only_with_the_same_key_project_kms_key_and_aad() {
        let vault = Vault::from_key([7; 32]);
        let sealed = vault.seal("p", "k", "p/s/v1", b"hunter2").unwrap();
        assert!(!sealed.contains("hunter2"));
        assert_eq!(
            vault.open_sealed("p", "k", "p/s/v1", &sealed).unwrap(),
            b"hunter2"
        );
        assert!(vault.open_sealed("q", "k", "p/s/v1", &sealed).is_err());
        assert!(vault.open_sealed("p", "other", "p/s/v1", &sealed).is_err());
        assert!(vault.open_sealed("p", "k", "p/s/v2", &sealed).is_err());
        assert!(
            Vault::from_key([8; 32])
                .open_sealed("p", "k", "p/s/v1", &sealed)
                .is_err()
        );
    }

    #[test]
    fn a_master_key_file_is_created_once_with_mode_0600() {
        let dir = std::env::temp_dir().join(format!("csms-vault-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = Vault::open(&dir, None, false).unwrap();
        let sealed = first.seal("p", "k", "a", b"x").unwrap();
        let second = Vault::open(&dir, None, true).unwrap();
        assert_eq!(second.open_sealed("p", "k", "a", &sealed).unwrap(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(MASTER_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(Vault::open(&dir, Some("short"), true).is_err());
        let env = Vault::open(&dir, Some(&"ab".repeat(32)), true).unwrap();
        assert!(env.open_sealed("p", "k", "a", &sealed).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn no_key_is_created_beside_data_it_could_not_open() {
        let dir = std::env::temp_dir().join(format!("csms-vault-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = Vault::open(&dir, None, true).unwrap_err();
        assert!(err.to_string().contains("no master.key"), "{err}");
        assert!(!dir.join(MASTER_KEY_FILE).exists(), "nothing was written");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
