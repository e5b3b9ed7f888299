//! Backup and restore of one secret (docs/behaviour.md, "Backup blobs"): the secret
//! sealed into a blob (`backup_blob.rs`), and a blob of this project opened and recreated
//! exactly, ENABLED, under a free name.

use std::sync::Arc;

use crate::domain::names::{ProjectId, SecretName};
use crate::domain::secret::Secret;
use crate::error::CsmsError;

use super::backup_blob::{BackupKey, BlobPayload, invalid_blob, open, seal};
use super::handle::CsmsService;
use super::secrets::add_secret;

impl CsmsService {
    fn sealing_key(&self) -> Result<&BackupKey, CsmsError> {
        self.parts
            .backup_key
            .as_ref()
            .ok_or_else(|| CsmsError::Internal("no backup key could be drawn".into()))
    }

    /// Backup, `POST …/secrets/{secret_name}/backup`: `{"secret_blob": ...}`.
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn download_secret_blob(
        &self,
        project: &ProjectId,
        name: &SecretName,
    ) -> Result<String, CsmsError> {
        let record = self.with_secret(project, name, |s| Ok(s.to_record()))?;
        seal(
            self.sealing_key()?,
            &BlobPayload::new(project.to_string(), record),
        )
    }

    /// Restore, `POST /v1/{project_id}/secrets/restore`: recreates the secret exactly,
    /// ENABLED; refuses a taken name (409), a changed blob and another project's blob.
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project))]
    pub fn upload_secret_blob(
        &self,
        project: &ProjectId,
        blob: &str,
    ) -> Result<Arc<Secret>, CsmsError> {
        let payload = open(self.sealing_key()?, blob)?;
        if payload.project != project.as_str() {
            return Err(CsmsError::invalid(
                "secret_blob",
                "was backed up in another project and cannot be restored here",
            ));
        }
        let secret = Secret::from_record(payload.secret)
            .map_err(|_| invalid_blob())?
            .into_restored();
        self.write(project, |tx, _| add_secret(tx, secret))
    }
}
