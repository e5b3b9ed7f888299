//! Random password wire types: the generate-password body and its answer.

use serde::{Deserialize, Serialize};

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
