//! The CSMS operations: one method per operation on [`CsmsService`], with every rule
//! applied here or in `domain`. Takes plain request data, returns domain views; knows
//! nothing of HTTP.

mod batch;
mod secrets;
mod validate;
mod versions;

use std::sync::Arc;

use crate::clock::{Clock, Millis};
use crate::domain::names::{ProjectId, SecretName};
use crate::domain::secret::{Secret, SecretSettings, SecretState};
use crate::error::CsmsError;
use crate::store::{self, Store};

pub use batch::{BatchDeleteInput, BatchDeleteReport, BatchImportReport, ImportFailure};
pub use secrets::{CreateSecretInput, ListSecretsInput};
pub use versions::{CreateVersionInput, StageInfo, VersionInfo};

/// A cheap `Clone` handle to the emulator's state and clock.
#[derive(Clone)]
pub struct CsmsService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl CsmsService {
    #[must_use]
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    fn now(&self) -> Millis {
        self.clock.now_ms()
    }

    /// Runs `f` on one secret's committed state, or answers not found.
    fn with_secret<R>(
        &self,
        project: &ProjectId,
        name: &SecretName,
        f: impl FnOnce(&Secret) -> Result<R, CsmsError>,
    ) -> Result<R, CsmsError> {
        store::read(&*self.store, project, |data| match data.secrets.get(name) {
            Some(secret) => f(secret),
            None => Err(CsmsError::secret_not_found(name.as_str())),
        })?
    }
}

/// A secret's metadata as operations report it: everything but the versions.
#[derive(Debug, Clone)]
pub struct SecretInfo {
    pub id: uuid::Uuid,
    pub state: SecretState,
    pub create_time: Millis,
    pub update_time: Millis,
    pub scheduled_delete_time: Option<Millis>,
    pub rotation_time: Option<Millis>,
    pub next_rotation_time: Option<Millis>,
    pub settings: SecretSettings,
}

impl From<&Secret> for SecretInfo {
    fn from(s: &Secret) -> Self {
        Self {
            id: s.id,
            state: s.state,
            create_time: s.create_time,
            update_time: s.update_time,
            scheduled_delete_time: s.scheduled_delete_time,
            rotation_time: s.rotation_time,
            next_rotation_time: s.next_rotation_time,
            settings: s.settings.clone(),
        }
    }
}

/// A page of a marker-paged list (D16).
#[derive(Debug)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// The last item's key when more items remain; `None` on the last page.
    pub next_marker: Option<String>,
    /// The marker the request came with.
    pub previous_marker: Option<String>,
}

#[cfg(test)]
mod tests;
