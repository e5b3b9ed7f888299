//! One rotation of a secret inside a write transaction, shared by rotate-secret and by
//! automatic rotation when it falls due. Database secrets (RDS-FG, GaussDB-FG) rotate: a
//! new SYSCURRENT version whose JSON value carries a freshly generated `password`, and a
//! SUCCESS task; with a rotation function mapped, the task waits for the function
//! (docs/behaviour.md §59). Other secrets cannot be rotated by the service: the task ends
//! FAILED with a code and message, as terraform's acceptance test expects.

use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::event::EventType;
use crate::domain::names::{SecretName, VersionNumber, VersionRef};
use crate::domain::password::{self, PasswordPolicy};
use crate::domain::rotation::SecretType;
use crate::domain::secret::NewVersion;
use crate::domain::task::{RotationTask, TaskStatus};
use crate::domain::value::SecretValue;
use crate::error::CsmsError;
use crate::store::Tx;

use super::notify;
use super::outbox::Outbox;

/// The answer of rotate-secret.
#[derive(Debug, Clone)]
pub struct RotationOutcome {
    pub version_id: VersionNumber,
    pub secret_name: SecretName,
    pub task_id: Uuid,
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
        .rotation_func_urn()
        .map(str::to_owned)
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
        rotation_func_urn: secret.settings().rotation_func_urn().map(str::to_owned),
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
