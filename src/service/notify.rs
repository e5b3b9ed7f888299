//! What happenings on a secret leave behind: a notification record for each enabled
//! event it subscribes to, and destroying a secret (its `SECRET_DELETED`, then removal).
//! The record is also the SMN message the emulator delivers (docs/behaviour.md §54), so it
//! never holds a secret value.

use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::event::{EventType, NotificationRecord, NotificationStatus};
use crate::domain::names::{SecretName, VersionNumber};
use crate::domain::secret::Secret;
use crate::store::Tx;

/// Destroys a secret: records `SECRET_DELETED` for its subscribed events, then removes
/// it. Delete, batch delete and the end of a recovery window all go through here. Returns
/// whether there was a secret to destroy.
pub(super) fn destroy_secret(tx: &mut Tx<'_>, name: &SecretName, now: Millis) -> bool {
    let Some(secret) = tx.get(name).cloned() else {
        return false;
    };
    notify(tx, &secret, EventType::Deleted, None, now);
    tx.remove(name);
    true
}

/// An epoch-milliseconds moment as SMN writes its `timestamp`: `2016-08-15T07:29:16Z`.
#[must_use]
pub fn iso_seconds(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// The SMN message of one notification: a JSON object naming the event, the happening,
/// the secret and, where one is concerned, the version (docs/behaviour.md §54). Names and
/// ids only: never a value.
fn message(
    event_name: &str,
    kind: EventType,
    secret: &Secret,
    version: Option<VersionNumber>,
    now: Millis,
) -> String {
    let mut body = serde_json::json!({
        "event_name": event_name,
        "event_type": kind.as_str(),
        "secret_name": secret.name().as_str(),
        "secret_id": secret.id().to_string(),
        "secret_type": secret.settings().secret_type.as_str(),
        "event_time": iso_seconds(now),
    });
    if let (Some(version), Some(object)) = (version, body.as_object_mut()) {
        object.insert(
            "version_id".to_owned(),
            serde_json::Value::String(version.to_string()),
        );
    }
    body.to_string()
}

/// Records a notification for each enabled event the secret subscribes to whose types
/// include `kind`. The records start as delivered; the service marks those whose topic
/// has subscriptions pending before the transaction commits (`CsmsService::write`).
pub(super) fn notify(
    tx: &mut Tx<'_>,
    secret: &Secret,
    kind: EventType,
    version: Option<VersionNumber>,
    now: Millis,
) {
    let records: Vec<NotificationRecord> = secret
        .settings()
        .event_subscriptions()
        .iter()
        .filter_map(|name| tx.events().get(name))
        .filter(|event| event.fires_on(kind))
        .map(|event| NotificationRecord {
            id: Uuid::new_v4(),
            status: NotificationStatus::Success,
            subject: kind.as_str().to_owned(),
            event_name: event.name.as_str().to_owned(),
            trigger_event_type: kind,
            create_time: now,
            secret_name: secret.name().to_string(),
            secret_type: secret.settings().secret_type,
            target_name: event.notification.target_name.clone(),
            target_id: event.notification.target_id.clone(),
            content: message(event.name.as_str(), kind, secret, version, now),
        })
        .collect();
    for record in records {
        tx.push_record(record);
    }
}
