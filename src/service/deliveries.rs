//! The deliverer's side of notification records: every pending record to deliver, and
//! settling each with its outcome (docs/behaviour.md §56).

use uuid::Uuid;

use crate::domain::event::{NotificationRecord, NotificationStatus};
use crate::domain::names::ProjectId;
use crate::error::CsmsError;
use crate::store;

use super::handle::CsmsService;

/// A record waiting for delivery, with the project that holds it.
#[derive(Debug, Clone)]
pub struct PendingNotification {
    pub project: ProjectId,
    pub record: NotificationRecord,
}

impl CsmsService {
    /// Every pending record of every project that `skip` does not name (the deliverer
    /// skips those it already holds, so a scan copies only new ones), each project's
    /// oldest first.
    pub fn pending_notifications(
        &self,
        skip: &dyn Fn(Uuid) -> bool,
    ) -> Result<Vec<PendingNotification>, CsmsError> {
        let pending = self.copy_from_every_project(|data| {
            data.pending_records()
                .filter(|r| !skip(r.id))
                .cloned()
                .collect()
        })?;
        Ok(pending
            .into_iter()
            .map(|(project, record)| PendingNotification { project, record })
            .collect())
    }

    /// Gives a record its delivery outcome.
    pub fn settle_notification(
        &self,
        project: &ProjectId,
        id: Uuid,
        status: NotificationStatus,
    ) -> Result<(), CsmsError> {
        store::transact(self.store(), project, |tx| {
            tx.settle_record(id, status);
            Ok(())
        })
    }
}
