//! Work that falls due with time: destroying secrets whose recovery window ended (docs/behaviour.md §18),
//! reporting expired versions, and automatic rotation. Runs at the start of every write
//! transaction and from the background sweep.

use crate::clock::Millis;
use crate::domain::event::EventType;
use crate::domain::secret::DueWork;
use crate::store::Tx;

use super::{CsmsService, Outbox, notify, rotation};
use crate::error::CsmsError;

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

/// At most this many due moments are visited by one clock advance; work due beyond them
/// runs once, at the target moment (docs/behaviour.md §49). A 4-hour rotation has ~2,200
/// moments a year, so this covers a year of several rotating secrets while keeping a jump
/// to the year 9999 to a bounded amount of work.
pub const ADVANCE_STEPS_MAX: usize = 10_000;

impl CsmsService {
    /// The number of secrets in each project, for metrics.
    pub fn secret_counts(&self) -> Result<Vec<(String, usize)>, CsmsError> {
        let now = self.now();
        let global = crate::domain::names::ProjectId::global();
        let mut counts = Vec::new();
        for project in self.store.projects()? {
            if project == global {
                continue;
            }
            let n = crate::store::read(&*self.store, &project, |data| data.live_count(now))?;
            counts.push((project.to_string(), n));
        }
        Ok(counts)
    }

    /// Moves time to `target` the way it would pass: every due moment up to `target` is
    /// visited in time order (`set_time` moves the clock there) and its work runs before
    /// the next one; then the clock is left at `target`. Returns how many secrets were
    /// touched.
    pub fn advance_to(
        &self,
        target: Millis,
        set_time: &dyn Fn(Millis),
    ) -> Result<usize, CsmsError> {
        let mut touched = 0;
        for _ in 0..ADVANCE_STEPS_MAX {
            let mut earliest: Option<Millis> = None;
            for project in self.store.projects()? {
                let due = crate::store::read(
                    &*self.store,
                    &project,
                    crate::store::ProjectData::next_due,
                )?;
                earliest = match (earliest, due) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            match earliest {
                Some(at) if at <= target => {
                    set_time(at.max(self.now()));
                    touched += self.run_due_work()?;
                }
                _ => break,
            }
        }
        set_time(target);
        touched += self.run_due_work()?;
        Ok(touched)
    }

    /// Runs the due work of every project whose earliest due moment has come; the
    /// background sweep calls this. Returns how many secrets were touched.
    pub fn run_due_work(&self) -> Result<usize, CsmsError> {
        let now = self.now();
        let mut touched = 0;
        for project in self.store.projects()? {
            let due = crate::store::read(&*self.store, &project, |data| {
                data.next_due().is_some_and(|at| at <= now)
            })?;
            if due {
                let mut pending = false;
                touched += crate::store::transact(&*self.store, &project, |tx| {
                    let touched = run_due_work(tx, now, self.outbox());
                    pending = self.mark_pending(tx);
                    Ok(touched)
                })?;
                self.after_commit(pending);
            }
        }
        Ok(touched)
    }
}
