//! The secrets checker: its config (whether secret strength is checked, per project) and
//! the check itself, which finds nothing to report and echoes what it was given.

use crate::domain::names::ProjectId;
use crate::error::CsmsError;
use crate::store;

use super::handle::CsmsService;

impl CsmsService {
    /// Show checker config, `GET /v1/{project_id}/secrets/checker/config`.
    pub fn show_secrets_config(&self, project: &ProjectId) -> Result<bool, CsmsError> {
        store::read(&*self.store, project, |data| {
            data.settings.checking_secret_strength
        })
    }

    /// Update checker config, `POST /v1/{project_id}/secrets/checker/config`.
    pub fn update_secrets_config(
        &self,
        project: &ProjectId,
        checking: Option<bool>,
    ) -> Result<bool, CsmsError> {
        let checking = checking
            .ok_or_else(|| CsmsError::invalid("checking_secret_strength", "is required"))?;
        self.write(project, |tx, _| {
            tx.settings_mut().checking_secret_strength = checking;
            Ok(checking)
        })
    }

    /// Check secrets, `POST /v1/{project_id}/secrets/checker/check`: `type` and a JSON
    /// object `data` are required (CheckSecrets.json); the emulator finds nothing to
    /// report, and the answer echoes both.
    pub fn check_secrets(
        &self,
        kind: Option<&str>,
        data: Option<serde_json::Value>,
    ) -> Result<(String, serde_json::Value), CsmsError> {
        let kind = kind
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| CsmsError::invalid("type", "is required"))?;
        match data {
            Some(data @ serde_json::Value::Object(_)) => Ok((kind, data)),
            Some(_) => Err(CsmsError::invalid("data", "must be a JSON object")),
            None => Err(CsmsError::invalid("data", "is required")),
        }
    }
}
