//! Due work across projects: the background sweep runs it in every project whose earliest
//! due moment has come, and a clock advance visits each due moment in time order on its
//! way to the target (docs/behaviour.md §49).

use crate::clock::Millis;
use crate::error::CsmsError;

use super::due::run_due_work;
use super::handle::CsmsService;

/// At most this many due moments are visited by one clock advance; work due beyond them
/// runs once, at the target moment (docs/behaviour.md §49). A 4-hour rotation has ~2,200
/// moments a year, so this covers a year of several rotating secrets while keeping a jump
/// to the year 9999 to a bounded amount of work.
pub const ADVANCE_STEPS_MAX: usize = 10_000;

impl CsmsService {
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
            for project in self.store().projects()? {
                let due = crate::store::read(
                    self.store(),
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
        for project in self.store().projects()? {
            let due = crate::store::read(self.store(), &project, |data| {
                data.next_due().is_some_and(|at| at <= now)
            })?;
            if due {
                let mut pending = false;
                touched += crate::store::transact(self.store(), &project, |tx| {
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
