//! What happenings on a secret leave behind: a notification record for each enabled
//! event it subscribes to, and destroying a secret (its `SECRET_DELETED`, then removal).

use crate::clock::Millis;
use crate::domain::event::{EventType, NotificationRecord};
use crate::domain::names::SecretName;
use crate::domain::secret::Secret;
use crate::store::Tx;

/// Destroys a secret: records `SECRET_DELETED` for its subscribed events, then removes
/// it. Delete, batch delete and the end of a recovery window all go through here. Returns
/// whether there was a secret to destroy.
pub(super) fn destroy_secret(tx: &mut Tx<'_>, name: &SecretName, now: Millis) -> bool {
    let Some(secret) = tx.get(name).cloned() else {
        return false;
    };
    notify(tx, &secret, EventType::Deleted, now);
    tx.remove(name);
    true
}

/// Records a notification for each enabled event the secret subscribes to whose types
/// include `kind`. Nothing is delivered: the record is what a test can observe.
pub(super) fn notify(tx: &mut Tx<'_>, secret: &Secret, kind: EventType, now: Millis) {
    let records: Vec<NotificationRecord> = secret
        .settings()
        .event_subscriptions
        .iter()
        .filter_map(|name| tx.events().get(name))
        .filter(|event| event.fires_on(kind))
        .map(|event| NotificationRecord {
            event_name: event.name.as_str().to_owned(),
            trigger_event_type: kind,
            create_time: now,
            secret_name: secret.name().to_string(),
            secret_type: secret.settings().secret_type,
            target_name: event.notification.target_name.clone(),
            target_id: event.notification.target_id.clone(),
            content: format!("{} happened on secret {}", kind.as_str(), secret.name()),
        })
        .collect();
    for record in records {
        tx.push_record(record);
    }
}
