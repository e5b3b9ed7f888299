//! Random password wire types: the generate-password body and its answer.

use serde::{Deserialize, Serialize};

use crate::domain::password::PasswordPolicy;

/// `{"password": ...}`. `Debug` hides the password.
#[derive(Serialize)]
pub struct PasswordResponse {
    pub password: String,
}

impl std::fmt::Debug for PasswordResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordResponse { password: <redacted> }")
    }
}

/// The body of generate-password, as sent.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct PasswordBody {
    pub password_policy_name: Option<String>,
    #[schemars(range(min = crate::domain::password::LENGTH_MIN, max = crate::domain::password::LENGTH_MAX))]
    pub length: Option<i64>,
    pub exclude_characters: Option<String>,
    pub exclude_lowercase: Option<bool>,
    pub exclude_uppercase: Option<bool>,
    pub exclude_numbers: Option<bool>,
    pub exclude_punctuation: Option<bool>,
    pub include_space: Option<bool>,
    pub require_each_included_type: Option<bool>,
}

impl From<PasswordBody> for PasswordPolicy {
    /// A field left out keeps the domain's default; the policy checks itself when used.
    fn from(b: PasswordBody) -> Self {
        let d = Self::default();
        Self {
            length: b.length.or(d.length),
            exclude_characters: b.exclude_characters.unwrap_or(d.exclude_characters),
            exclude_lowercase: b.exclude_lowercase.unwrap_or(d.exclude_lowercase),
            exclude_uppercase: b.exclude_uppercase.unwrap_or(d.exclude_uppercase),
            exclude_numbers: b.exclude_numbers.unwrap_or(d.exclude_numbers),
            exclude_punctuation: b.exclude_punctuation.unwrap_or(d.exclude_punctuation),
            include_space: b.include_space.unwrap_or(d.include_space),
            require_each_included_type: b
                .require_each_included_type
                .unwrap_or(d.require_each_included_type),
        }
    }
}
