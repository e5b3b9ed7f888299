//! The secrets checker: its config (whether secret strength is checked, per project) and
//! the check itself, which finds nothing to report and echoes what it was given.

use crate::domain::names::ProjectId;
use crate::error::CsmsError;
use crate::store;

use super::handle::CsmsService;

impl CsmsService {
    /// Show checker config, `GET /v1/{project_id}/secrets/checker/config`.
    pub fn show_secrets_config(&self, project: &ProjectId) -> Result<bool, CsmsError> {
        store::read(self.store(), project, |data| {
            data.settings.checking_secret_strength
        })
    }

    /// Update checker config, `POST /v1/{project_id}/secrets/checker/config`.
    pub fn update_secrets_config(
        &self,
        project: &ProjectId,
        checking: bool,
    ) -> Result<bool, CsmsError> {
        self.write(project, |tx, _| {
            tx.settings_mut().checking_secret_strength = checking;
            Ok(checking)
        })
    }

    /// Check secrets, `POST /v1/{project_id}/secrets/checker/check`: the emulator finds
    /// nothing to report in any project, whatever kind of check is asked for; the edge
    /// echoes the request's `type` and `data` (docs/behaviour.md §39).
    pub fn check_secrets(&self, _project: &ProjectId) -> Result<(), CsmsError> {
        Ok(())
    }
}
