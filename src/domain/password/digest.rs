//! The emulated IAM user's password (`users/change-password`), kept only as an Argon2id
//! hash in PHC form: no file, export or log ever holds the password itself.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};

use crate::error::CsmsError;

/// An Argon2id hash of a password (`$argon2id$v=19$…`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PasswordDigest(String);

impl PasswordDigest {
    /// Hashes `plain` with a fresh random salt.
    pub fn of(plain: &str) -> Result<Self, CsmsError> {
        let salt_bytes: [u8; 16] = rand::random();
        let salt = SaltString::encode_b64(&salt_bytes)
            .map_err(|e| CsmsError::Internal(format!("password salt: {e}")))?;
        Argon2::default()
            .hash_password(plain.as_bytes(), &salt)
            .map(|hash| Self(hash.to_string()))
            .map_err(|e| CsmsError::Internal(format!("password hash: {e}")))
    }

    /// Whether `plain` is the password this digest was made from.
    #[must_use]
    pub fn matches(&self, plain: &str) -> bool {
        PasswordHash::new(&self.0).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(plain.as_bytes(), &hash)
                .is_ok()
        })
    }
}

impl TryFrom<String> for PasswordDigest {
    type Error = CsmsError;

    /// A stored digest; anything else is a password kept in plaintext by an older build,
    /// hashed now (the data directory's format 3 migration rewrites it).
    fn try_from(stored: String) -> Result<Self, CsmsError> {
        if PasswordHash::new(&stored).is_ok_and(|h| h.algorithm.as_str() == "argon2id") {
            Ok(Self(stored))
        } else {
            Self::of(&stored)
        }
    }
}

impl From<PasswordDigest> for String {
    fn from(digest: PasswordDigest) -> Self {
        digest.0
    }
}

impl std::fmt::Debug for PasswordDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordDigest(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_matches_its_password_only_and_never_holds_it() {
        let digest = PasswordDigest::of("n3w-pass").unwrap();
        assert!(digest.matches("n3w-pass"));
        assert!(!digest.matches("n3w-pas"));
        let stored: String = digest.clone().into();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("n3w-pass"));
        assert_ne!(PasswordDigest::of("n3w-pass").unwrap(), digest, "salted");
        assert!(!format!("{digest:?}").contains("argon2"));
    }

    #[test]
    fn a_stored_digest_loads_as_it_is_and_a_legacy_plaintext_is_hashed() {
        let digest = PasswordDigest::of("p").unwrap();
        let again = PasswordDigest::try_from(String::from(digest.clone())).unwrap();
        assert_eq!(again, digest);
        let legacy = PasswordDigest::try_from("old-plain".to_owned()).unwrap();
        assert!(legacy.matches("old-plain"));
        assert!(!String::from(legacy).contains("old-plain"));
    }
}
