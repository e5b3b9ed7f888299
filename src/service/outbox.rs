//! The service's side of event delivery (docs/behaviour.md §56): a notification record
//! whose topic has subscriptions is committed pending, in the same transaction as the
//! change, so it is the outbox entry; the deliverer is woken after the commit, reads the
//! pending records and settles each with its outcome. Knows nothing of HTTP.

use std::sync::Arc;

use uuid::Uuid;

use crate::domain::event::{NotificationRecord, NotificationStatus};
use crate::domain::names::ProjectId;
use crate::error::CsmsError;
use crate::store::{self, Tx};

use super::CsmsService;

/// What delivers notifications, as the service sees it.
pub trait Outbox: Send + Sync {
    /// Whether anything subscribes to this SMN topic: only then is a record pending.
    fn has_subscriptions(&self, topic_urn: &str) -> bool;
    /// Whether a rotation function URN is mapped to an endpoint: only then does a
    /// database secret rotate through its function (docs/behaviour.md §59).
    fn has_function(&self, _urn: &str) -> bool {
        false
    }
    /// Called after a commit that left a record or a task pending.
    fn committed(&self);
}

/// No deliveries: every record is settled when it is made (the emulator without `smn`).
#[derive(Debug, Default)]
pub struct NoOutbox;

impl Outbox for NoOutbox {
    fn has_subscriptions(&self, _topic_urn: &str) -> bool {
        false
    }

    fn committed(&self) {}
}

/// A record waiting for delivery, with the project that holds it.
#[derive(Debug, Clone)]
pub struct PendingNotification {
    pub project: ProjectId,
    pub record: NotificationRecord,
}

impl CsmsService {
    /// Delivers this service's notifications through `outbox`.
    #[must_use]
    pub fn with_outbox(mut self, outbox: Arc<dyn Outbox>) -> Self {
        self.outbox = outbox;
        self
    }

    /// The deliverer, as rotation asks it about functions.
    pub(super) fn outbox(&self) -> &dyn Outbox {
        &*self.outbox
    }

    /// Marks the records this transaction made pending where their topic has
    /// subscriptions; returns whether any record or task is pending.
    pub(super) fn mark_pending(&self, tx: &mut Tx<'_>) -> bool {
        let mut any = tx.records_a_pending_task();
        for record in tx.new_records_mut() {
            if self.outbox.has_subscriptions(&record.target_id) {
                record.status = NotificationStatus::Pending;
                any = true;
            }
        }
        any
    }

    /// Wakes the deliverer when a commit left a record pending.
    pub(super) fn after_commit(&self, pending: bool) {
        if pending {
            self.outbox.committed();
        }
    }

    /// Every pending record of every project that `skip` does not name (the deliverer
    /// skips those it already holds, so a scan copies only new ones), each project's
    /// oldest first.
    pub fn pending_notifications(
        &self,
        skip: &dyn Fn(Uuid) -> bool,
    ) -> Result<Vec<PendingNotification>, CsmsError> {
        let mut pending = Vec::new();
        for project in self.store.projects()? {
            let records: Vec<NotificationRecord> = store::read(&*self.store, &project, |data| {
                data.pending_records()
                    .filter(|r| !skip(r.id))
                    .cloned()
                    .collect()
            })?;
            pending.extend(records.into_iter().map(|record| PendingNotification {
                project: project.clone(),
                record,
            }));
        }
        Ok(pending)
    }

    /// Gives a record its delivery outcome.
    pub fn settle_notification(
        &self,
        project: &ProjectId,
        id: Uuid,
        status: NotificationStatus,
    ) -> Result<(), CsmsError> {
        store::transact(&*self.store, project, |tx| {
            tx.settle_record(id, status);
            Ok(())
        })
    }
}
