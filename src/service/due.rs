//! Work that falls due with time, run inside one project's write transaction: destroying
//! secrets whose recovery window ended (docs/behaviour.md §18), reporting expired
//! versions, and automatic rotation. Runs at the start of every write transaction and
//! from the sweep (`sweep.rs`).

use crate::clock::Millis;
use crate::domain::event::EventType;
use crate::domain::secret::DueWork;
use crate::store::Tx;

use super::outbox::Outbox;
use super::{notify, rotation};

/// Runs everything due at `now` in the transaction; returns how many secrets it touched.
pub(super) fn run_due_work(tx: &mut Tx<'_>, now: Millis, outbox: &dyn Outbox) -> usize {
    let names = tx.due_at(now);
    for name in &names {
        let Some(secret) = tx.get(name) else { continue };
        for work in secret.due_work(now) {
            match work {
                DueWork::Destroy => {
                    notify::destroy_secret(tx, name, now);
                }
                DueWork::Expire(version) => {
                    if let Some(mut secret) = tx.get(name).cloned() {
                        secret.mark_expiry_notified(version);
                        notify::notify(tx, &secret, EventType::VersionExpired, Some(version), now);
                        tx.put(secret);
                    }
                }
                DueWork::Rotate => {
                    rotation::rotate_in_tx(tx, name, now, outbox);
                }
            }
        }
    }
    names.len()
}
