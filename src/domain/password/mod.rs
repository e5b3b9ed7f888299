//! Passwords, two unrelated kinds kept apart by file: `random.rs` draws random passwords
//! for generate-password and rotation under a [`PasswordPolicy`]; `digest.rs` keeps the
//! emulated IAM user's password as a [`PasswordDigest`] only. This file only declares the
//! parts and re-exports them.

mod digest;
mod random;

pub use digest::PasswordDigest;
pub use random::{LENGTH_DEFAULT, LENGTH_MAX, LENGTH_MIN, PUNCTUATION, PasswordPolicy, generate};
