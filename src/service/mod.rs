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
use crate::domain::secret::Secret;
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
        f: impl FnOnce(&Arc<Secret>) -> Result<R, CsmsError>,
    ) -> Result<R, CsmsError> {
        store::read(&*self.store, project, |data| match data.secrets.get(name) {
            Some(secret) => f(secret),
            None => Err(CsmsError::secret_not_found(name.as_str())),
        })?
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
