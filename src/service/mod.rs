//! The CSMS operations: one method per operation on [`CsmsService`], with every rule
//! applied here or in `domain`. Takes plain request data, returns domain views; knows
//! nothing of HTTP.

mod backup;
mod backup_blob;
mod batch;
mod browse;
mod clock;
mod due;
mod events;
mod fixtures;
mod functions;
mod notify;
pub mod outbox;
mod peripheral;
mod random_password;
mod rotation;
mod secrets;
mod sweep;
mod tags;
mod tasks;
mod versions;

use std::sync::Arc;

use crate::clock::{Clock, Millis};
use crate::domain::names::{ProjectId, SecretName};
use crate::domain::page::Page;
use crate::domain::secret::Secret;
use crate::error::CsmsError;
use crate::store::{self, Store, Tx};

pub use backup_blob::BackupKey;
pub use batch::{
    BatchDeleteFilter, BatchDeleteReport, BatchImportReport, ImportFailure, ImportItem,
};
pub use browse::{BROWSE_LIMIT_MAX, BrowseFilter, BrowsePage, BrowseRow};
pub use events::{EventPatch, NewEvent};
pub use fixtures::{CheckedFixture, Seeded, SeededProject, check_fixture};
pub use functions::{PendingRotation, RotationCall};
pub use notify::iso_seconds;
pub use outbox::{NoOutbox, Outbox, PendingNotification};
pub use peripheral::{DOMAIN_ID, UserInfo, UserView};
pub use rotation::RotationOutcome;
pub use secrets::{NewSecret, SecretFilter};
pub use tags::{ResourcePage, ResourceSearch, Search, TagAction};
pub use tasks::{TaskFilter, TaskListing};
pub use versions::{CreateVersion, StageInfo, VersionInfo};

/// A cheap `Clone` handle to the emulator's state and clock.
#[derive(Clone)]
pub struct CsmsService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    backup_key: Option<BackupKey>,
    outbox: Arc<dyn Outbox>,
}

impl CsmsService {
    /// A service over `store` and `clock`. Backup blobs are sealed with the store's own key
    /// if it has one, else with a key drawn for this process; [`Self::with_backup_key`]
    /// overrides both.
    #[must_use]
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        let backup_key = match store.backup_key() {
            Ok(Some(key)) => Some(BackupKey::from_bytes(key)),
            Ok(None) => BackupKey::random().ok(),
            Err(err) => {
                tracing::error!(%err, "no backup key: backup and restore will fail");
                None
            }
        };
        Self {
            store,
            clock,
            backup_key,
            outbox: Arc::new(NoOutbox),
        }
    }

    /// Seals backup blobs with `key` (from `CSMS_BACKUP_KEY`).
    #[must_use]
    pub fn with_backup_key(mut self, key: BackupKey) -> Self {
        self.backup_key = Some(key);
        self
    }

    fn now(&self) -> Millis {
        self.clock.now_ms()
    }

    /// Runs `f` on one secret's committed state, or answers not found. A secret whose
    /// recovery window has ended is gone even before the sweep removes it (docs/behaviour.md §18).
    fn with_secret<R>(
        &self,
        project: &ProjectId,
        name: &SecretName,
        f: impl FnOnce(&Arc<Secret>) -> Result<R, CsmsError>,
    ) -> Result<R, CsmsError> {
        let now = self.now();
        store::read(&*self.store, project, |data| {
            match data.live_secret(name, now) {
                Some(secret) => f(secret),
                None => Err(CsmsError::secret_not_found(name.as_str())),
            }
        })?
    }

    /// A write transaction on `project` that first runs the work that has fallen due
    /// there (destroying secrets, reporting expiries, automatic rotation), so state is
    /// current whenever it is touched.
    fn write<R>(
        &self,
        project: &ProjectId,
        f: impl FnOnce(&mut Tx<'_>, Millis) -> Result<R, CsmsError>,
    ) -> Result<R, CsmsError> {
        let now = self.now();
        let mut pending = false;
        let out = store::transact(&*self.store, project, |tx| {
            due::run_due_work(tx, now, self.outbox());
            let out = f(tx, now)?;
            pending = self.mark_pending(tx);
            Ok(out)
        })?;
        self.after_commit(pending);
        Ok(out)
    }

    /// A write transaction on one secret: loads it (or answers not found), lets `f` change
    /// a copy, and stores the copy when `f` succeeds; returns the stored secret.
    fn update_secret_with(
        &self,
        project: &ProjectId,
        name: &SecretName,
        f: impl FnOnce(&mut Secret, &mut Tx<'_>, Millis) -> Result<(), CsmsError>,
    ) -> Result<Arc<Secret>, CsmsError> {
        self.write(project, |tx, now| {
            let mut secret = tx
                .get(name)
                .cloned()
                .ok_or_else(|| CsmsError::secret_not_found(name.as_str()))?;
            f(&mut secret, tx, now)?;
            Ok(tx.put(secret))
        })
    }
}

impl<T> Listing<T> {
    /// A page whose `next_marker` is the last item's key when more items remain (docs/behaviour.md §16).
    fn new(page: Page<T>, key: impl Fn(&T) -> String, previous_marker: Option<String>) -> Self {
        let Page { items, more } = page;
        let next_marker = if more { items.last().map(key) } else { None };
        Self {
            items,
            next_marker,
            previous_marker,
        }
    }
}

/// A page of a marker-paged list (docs/behaviour.md §16).
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
