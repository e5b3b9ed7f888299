//! Rotate-secret and the rotation tasks it leaves (§2.4): rotating one secret now, and
//! listing the project's tasks.

use uuid::Uuid;

use crate::domain::names::{ProjectId, SecretName};
use crate::domain::page::PageLimit;
use crate::domain::task::{RotationTask, TaskStatus};
use crate::error::CsmsError;
use crate::store;

use super::handle::CsmsService;
use super::rotation::{RotationOutcome, rotate_in_tx};

/// List-secret-task's filter, validated: `task_id` alone, or `secret` and `status`.
#[derive(Debug, Clone)]
pub struct TaskFilter {
    pub limit: PageLimit,
    pub task_id: Option<Uuid>,
    pub secret: Option<SecretName>,
    pub status: Option<TaskStatus>,
    pub marker: Option<Uuid>,
}

/// A page of tasks; tasks page with a top-level `next_marker` and a `total`.
#[derive(Debug)]
pub struct TaskListing {
    pub total: usize,
    pub tasks: Vec<RotationTask>,
    pub next_marker: Option<String>,
}

impl CsmsService {
    /// Rotate secret, `POST …/secrets/{secret_name}/rotate`.
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn rotate_secret(
        &self,
        project: &ProjectId,
        name: &SecretName,
    ) -> Result<RotationOutcome, CsmsError> {
        self.write(project, |tx, now| {
            tx.get(name)
                .ok_or_else(|| CsmsError::secret_not_found(name.as_str()))?
                .ensure_enabled()?;
            rotate_in_tx(tx, name, now, self.outbox())
                .ok_or_else(|| CsmsError::secret_not_found(name.as_str()))
        })
    }

    /// List rotation tasks, `GET /v1/{project_id}/csms/tasks`: `task_id` alone, or
    /// `secret_name` and `status` filters; creation order, marker = task id (exclusive).
    pub fn list_secret_tasks(
        &self,
        project: &ProjectId,
        filter: &TaskFilter,
    ) -> Result<TaskListing, CsmsError> {
        let TaskFilter {
            limit,
            task_id,
            secret,
            status,
            marker,
        } = filter.clone();
        store::read(self.store(), project, |data| {
            let matching: Vec<&RotationTask> = data
                .tasks
                .iter()
                .filter(|t| task_id.is_none_or(|id| t.id == id))
                .filter(|t| secret.as_ref().is_none_or(|n| t.secret_name == n.as_str()))
                .filter(|t| status.is_none_or(|s| t.status == s))
                .collect();
            let start = marker
                .and_then(|m| matching.iter().position(|t| t.id == m).map(|i| i + 1))
                .unwrap_or(0);
            let tasks: Vec<RotationTask> = matching
                .iter()
                .skip(start)
                .take(limit.get())
                .map(|t| (*t).clone())
                .collect();
            let more = start + tasks.len() < matching.len();
            TaskListing {
                total: matching.len(),
                next_marker: more
                    .then(|| tasks.last().map(|t| t.id.to_string()))
                    .flatten(),
                tasks,
            }
        })
    }
}
