//! Rotation through the user's function (docs/behaviour.md §59): a database secret whose
//! `rotation_func_urn` is mapped leaves its task `ROTATING` (the outbox entry, like a
//! pending notification); the deliverer calls the function with a [`RotationCall`] and
//! settles the task here from its answer. Knows nothing of HTTP.

use uuid::Uuid;

use crate::domain::event::EventType;
use crate::domain::names::{ProjectId, SecretName, VersionRef};
use crate::domain::task::{RotationTask, TaskStatus};
use crate::error::{CsmsError, ErrorCode};
use crate::store;

use super::handle::CsmsService;
use super::notify;

/// A task waiting for its rotation function, with the project that holds it.
#[derive(Debug, Clone)]
pub struct PendingRotation {
    pub project: ProjectId,
    pub task: RotationTask,
}

/// What a rotation function is told: names and ids, never a value (the function reads
/// and writes versions through the API, as a FunctionGraph function does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationCall {
    pub secret_name: String,
    pub secret_id: Uuid,
    pub secret_type: &'static str,
    pub rotation_config: Option<String>,
    /// The latest version when the function is called: the one it rotates from.
    pub version_id: String,
}

impl CsmsService {
    /// Every task waiting for its function that `skip` does not name, each project's
    /// oldest first.
    pub fn pending_rotations(
        &self,
        skip: &dyn Fn(Uuid) -> bool,
    ) -> Result<Vec<PendingRotation>, CsmsError> {
        let pending = self.copy_from_every_project(|data| {
            data.pending_tasks()
                .filter(|t| !skip(t.id))
                .cloned()
                .collect()
        })?;
        Ok(pending
            .into_iter()
            .map(|(project, task)| PendingRotation { project, task })
            .collect())
    }

    /// What the function of `task` is sent; `None` when the secret is gone.
    pub fn rotation_call(
        &self,
        project: &ProjectId,
        task: &RotationTask,
    ) -> Result<Option<RotationCall>, CsmsError> {
        let name = SecretName::parse_lookup("secret_name", &task.secret_name)?;
        let now = self.now();
        store::read(self.store(), project, |data| {
            data.live_secret(&name, now).map(|secret| RotationCall {
                secret_name: secret.name().to_string(),
                secret_id: secret.id(),
                secret_type: secret.settings().secret_type.as_str(),
                rotation_config: secret
                    .settings()
                    .rotation_config()
                    .map(|c| c.as_str().to_owned()),
                version_id: secret
                    .version(VersionRef::Latest)
                    .map_or_else(|_| String::new(), |v| v.number.to_string()),
            })
        })
    }

    /// Settles a task from its function's answer: `SUCCESS` marks the secret rotated and
    /// notifies `SECRET_ROTATED` (with the latest version, which the function may have
    /// made); a failure (`Err` with the reason) is `FAILED` with `CSMS.0001` and notifies
    /// `SECRET_ROTATED_FAILED`.
    pub fn finish_rotation(
        &self,
        project: &ProjectId,
        task: &RotationTask,
        outcome: Result<(), String>,
    ) -> Result<(), CsmsError> {
        let name = SecretName::parse_lookup("secret_name", &task.secret_name)?;
        self.write(project, |tx, now| {
            let (status, error, kind) = match outcome {
                Ok(()) => (TaskStatus::Success, None, EventType::Rotated),
                Err(reason) => (
                    TaskStatus::Failed,
                    Some((ErrorCode::Internal.as_str().to_owned(), reason)),
                    EventType::RotatedFailed,
                ),
            };
            tx.settle_task(task.id, status, error);
            if let Some(mut secret) = tx.get(&name).cloned() {
                let version = match kind {
                    EventType::Rotated => {
                        secret.mark_rotated(now);
                        secret.version(VersionRef::Latest).ok().map(|v| v.number)
                    }
                    _ => None,
                };
                notify::notify(tx, &secret, kind, version, now);
                tx.put(secret);
            }
            Ok(())
        })
    }
}
