//! The service handle: [`CsmsService`], a cheap `Clone` over the store, the clock, the
//! backup key and the outbox, and the helpers every operation builds on: reading one
//! secret, and the write transaction that first runs the work fallen due and afterwards
//! wakes the deliverer. The operations themselves live in the other files of `service/`,
//! each an `impl CsmsService` block.

use std::sync::Arc;

use crate::clock::{Clock, Millis};
use crate::domain::event::NotificationStatus;
use crate::domain::names::{ProjectId, SecretName};
use crate::domain::secret::Secret;
use crate::error::CsmsError;
use crate::store::{self, ProjectData, Store, Tx};

use super::backup_blob::BackupKey;
use super::due::run_due_work;
use super::outbox::{NoOutbox, Outbox};

/// A cheap `Clone` handle to the emulator's state and clock: one `Arc`, so a clone (one
/// per request) writes one shared reference count rather than one per part. Each of those
/// counts is a cache line the runtime's workers pass back and forth under load.
#[derive(Clone)]
pub struct CsmsService {
    pub(super) parts: Arc<ServiceParts>,
}

/// What a [`CsmsService`] shares.
#[derive(Clone)]
pub(super) struct ServiceParts {
    pub(super) store: Arc<dyn Store>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) backup_key: Option<BackupKey>,
    pub(super) outbox: Arc<dyn Outbox>,
}

impl CsmsService {
    /// What `pick` copies out of every project, each with its project, a project at a
    /// time (never all under one lock).
    pub(super) fn copy_from_every_project<T>(
        &self,
        pick: impl Fn(&ProjectData) -> Vec<T>,
    ) -> Result<Vec<(ProjectId, T)>, CsmsError> {
        let mut found = Vec::new();
        for project in self.store().projects()? {
            let items = store::read(self.store(), &project, &pick)?;
            found.extend(items.into_iter().map(|item| (project.clone(), item)));
        }
        Ok(found)
    }

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
            parts: Arc::new(ServiceParts {
                store,
                clock,
                backup_key,
                outbox: Arc::new(NoOutbox),
            }),
        }
    }

    /// Seals backup blobs with `key` (from `CSMS_BACKUP_KEY`).
    #[must_use]
    pub fn with_backup_key(mut self, key: BackupKey) -> Self {
        Arc::make_mut(&mut self.parts).backup_key = Some(key);
        self
    }

    /// Delivers this service's notifications through `outbox`.
    #[must_use]
    pub fn with_outbox(mut self, outbox: Arc<dyn Outbox>) -> Self {
        Arc::make_mut(&mut self.parts).outbox = outbox;
        self
    }

    /// Whether this service's store commits only once a disk has the commit
    /// ([`Store::commits_wait_for_disk`]).
    #[must_use]
    pub fn commits_wait_for_disk(&self) -> bool {
        self.store().commits_wait_for_disk()
    }

    pub(super) fn now(&self) -> Millis {
        self.parts.clock.now_ms()
    }

    /// Runs `f` on one secret's committed state, or answers not found. A secret whose
    /// recovery window has ended is gone even before the sweep removes it (docs/behaviour.md §18).
    pub(super) fn with_secret<R>(
        &self,
        project: &ProjectId,
        name: &SecretName,
        f: impl FnOnce(&Arc<Secret>) -> Result<R, CsmsError>,
    ) -> Result<R, CsmsError> {
        self.with_secret_at(self.now(), project, name, f)
    }

    /// [`Self::with_secret`] as of `now`, for a caller that needs the same moment itself.
    pub(super) fn with_secret_at<R>(
        &self,
        now: Millis,
        project: &ProjectId,
        name: &SecretName,
        f: impl FnOnce(&Arc<Secret>) -> Result<R, CsmsError>,
    ) -> Result<R, CsmsError> {
        store::read(self.store(), project, |data| {
            match data.live_secret(name, now) {
                Some(secret) => f(secret),
                None => Err(CsmsError::secret_not_found(name.as_str())),
            }
        })?
    }

    /// A write transaction on `project` that first runs the work that has fallen due
    /// there (destroying secrets, reporting expiries, automatic rotation), so state is
    /// current whenever it is touched.
    pub(super) fn write<R>(
        &self,
        project: &ProjectId,
        f: impl FnOnce(&mut Tx<'_>, Millis) -> Result<R, CsmsError>,
    ) -> Result<R, CsmsError> {
        let now = self.now();
        self.write_at(project, now, |tx| f(tx, now))
    }

    /// [`Self::write`] as of `now`, read by a caller that made something for the
    /// transaction before it (outside the store's lock) at the same time.
    pub(super) fn write_at<R>(
        &self,
        project: &ProjectId,
        now: Millis,
        f: impl FnOnce(&mut Tx<'_>) -> Result<R, CsmsError>,
    ) -> Result<R, CsmsError> {
        let mut pending = false;
        let out = store::transact(self.store(), project, |tx| {
            run_due_work(tx, now, self.outbox());
            let out = f(tx)?;
            pending = self.mark_pending(tx);
            Ok(out)
        })?;
        self.after_commit(pending);
        Ok(out)
    }

    /// A write transaction on one secret: loads it (or answers not found), lets `f` change
    /// a copy, and stores the copy when `f` succeeds; returns the stored secret.
    pub(super) fn update_secret_with(
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

    /// The deliverer, as rotation asks it about functions.
    pub(super) fn store(&self) -> &dyn Store {
        &*self.parts.store
    }

    pub(super) fn outbox(&self) -> &dyn Outbox {
        &*self.parts.outbox
    }

    /// Marks the records this transaction made pending where their topic has
    /// subscriptions; returns whether any record or task is pending.
    pub(super) fn mark_pending(&self, tx: &mut Tx<'_>) -> bool {
        let mut any = tx.records_a_pending_task();
        for record in tx.new_records_mut() {
            if self.parts.outbox.has_subscriptions(&record.target_id) {
                record.status = NotificationStatus::Pending;
                any = true;
            }
        }
        any
    }

    /// Wakes the deliverer when a commit left a record pending.
    pub(super) fn after_commit(&self, pending: bool) {
        if pending {
            self.parts.outbox.committed();
        }
    }
}
