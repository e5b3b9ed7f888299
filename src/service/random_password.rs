//! Generate-password (§2.3.14): a random password drawn under the request's policy.

use crate::domain::password::{self, PasswordPolicy};
use crate::error::CsmsError;

use super::handle::CsmsService;

impl CsmsService {
    /// Generate password, `POST /v1/{project_id}/csms/generate-password`.
    pub fn generate_random_password(&self, policy: &PasswordPolicy) -> Result<String, CsmsError> {
        password::generate(policy)
    }
}
