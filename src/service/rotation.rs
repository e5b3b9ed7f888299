//! Rotation, rotation tasks (§2.4) and password generation (§2.3.14).
//!
//! Database secrets (RDS-FG, GaussDB-FG) rotate: a new SYSCURRENT version whose JSON value
//! carries a freshly generated `password`, and a SUCCESS task. Other secrets cannot be
//! rotated by the service: the task ends FAILED with a code and message, as terraform's
//! acceptance test expects.

use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::event::EventType;
use crate::domain::names::{ProjectId, SecretName, VersionNumber, VersionRef};
use crate::domain::page::PageLimit;
use crate::domain::password::{self, PasswordPolicy};
use crate::domain::rotation::SecretType;
use crate::domain::secret::NewVersion;
use crate::domain::task::{RotationTask, TaskStatus};
use crate::domain::value::SecretValue;
use crate::error::CsmsError;
use crate::store::{self, Tx};

use super::{CsmsService, Outbox, notify};

/// The answer of rotate-secret.
#[derive(Debug, Clone)]
pub struct RotationOutcome {
    pub version_id: VersionNumber,
    pub secret_name: SecretName,
    pub task_id: Uuid,
}

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

/// The value a database secret gets on rotation: its JSON object with a new `password`
/// (an object with only `password` when the old value was not a JSON object).
fn rotated_value(old: &SecretValue, password: String) -> SecretValue {
    let mut object = old
        .as_text()
        .and_then(|t| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(t).ok())
        .unwrap_or_default();
    object.insert("password".to_owned(), serde_json::Value::String(password));
    SecretValue::Text(serde_json::Value::Object(object).to_string().into())
}

/// Rotates one secret inside a transaction, records the task and the notification, and
/// returns the outcome; `None` when the secret does not exist.
pub(super) fn rotate_in_tx(
    tx: &mut Tx<'_>,
    name: &SecretName,
    now: Millis,
    outbox: &dyn Outbox,
) -> Option<RotationOutcome> {
    let mut secret = tx.get(name).cloned()?;
    let task_id = Uuid::new_v4();
    let database = matches!(
        secret.settings().secret_type,
        SecretType::RdsFg | SecretType::GaussDbFg
    );
    let function = secret
        .settings()
        .rotation_func_urn
        .clone()
        .filter(|urn| database && outbox.has_function(urn));
    if let Some(urn) = function {
        // The function rotates; the task waits for its answer (docs/behaviour.md §59).
        secret.advance_rotation_schedule(now);
        let current = secret
            .version(VersionRef::Latest)
            .map_or(VersionNumber(0), |v| v.number);
        tx.push_task(RotationTask {
            id: task_id,
            secret_name: name.to_string(),
            rotation_func_urn: Some(urn),
            status: TaskStatus::Rotating,
            time: now,
            error: None,
        });
        tx.put(secret);
        return Some(RotationOutcome {
            version_id: current,
            secret_name: name.clone(),
            task_id,
        });
    }
    let attempt = if database {
        let current = secret.version(VersionRef::Latest).ok()?.value.clone();
        password::generate(&PasswordPolicy::default()).and_then(|pw| {
            secret.record_rotation(
                NewVersion {
                    value: rotated_value(&current, pw),
                    stages: None,
                    expire_time: None,
                },
                now,
            )
        })
    } else {
        Err(CsmsError::invalid(
            "secret_type",
            format!(
                "secrets of type {} cannot be rotated by the service",
                secret.settings().secret_type.as_str()
            ),
        ))
    };
    let (status, error, version_id, kind) = match attempt {
        Ok(version) => (TaskStatus::Success, None, version, EventType::Rotated),
        Err(err) => {
            secret.advance_rotation_schedule(now);
            let current = secret
                .version(VersionRef::Latest)
                .map_or(VersionNumber(0), |v| v.number);
            let error = Some((err.code().as_str().to_owned(), err.client_message()));
            (TaskStatus::Failed, error, current, EventType::RotatedFailed)
        }
    };
    tx.push_task(RotationTask {
        id: task_id,
        secret_name: name.to_string(),
        rotation_func_urn: secret.settings().rotation_func_urn.clone(),
        status,
        time: now,
        error,
    });
    let rotated = (status == TaskStatus::Success).then_some(version_id);
    notify::notify(tx, &secret, kind, rotated, now);
    tx.put(secret);
    Some(RotationOutcome {
        version_id,
        secret_name: name.clone(),
        task_id,
    })
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
        store::read(&*self.store, project, |data| {
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

    /// Generate password, `POST /v1/{project_id}/csms/generate-password`.
    pub fn generate_random_password(&self, policy: &PasswordPolicy) -> Result<String, CsmsError> {
        password::generate(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_the_other_json_fields_and_replaces_the_password() {
        let old = SecretValue::Text(r#"{"username":"app","password":"old"}"#.into());
        let new = rotated_value(&old, "n3w".into());
        let parsed: serde_json::Value = serde_json::from_str(new.as_text().unwrap()).unwrap();
        assert_eq!(parsed["username"], "app");
        assert_eq!(parsed["password"], "n3w");
        let plain = rotated_value(&SecretValue::Text("not json".into()), "p".into());
        assert_eq!(plain.as_text(), Some(r#"{"password":"p"}"#));
    }
}
