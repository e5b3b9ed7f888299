//! When a secret's value was last read: a cell shared by every snapshot of the secret,
//! marked by reads without a write transaction.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::clock::Millis;

/// When a secret's value was last read. Reads mark it without a write transaction: the
/// cell is shared by every snapshot of the secret, and its moment is kept with the secret
/// the next time the secret is written, or at a graceful stop (docs/behaviour.md §48).
#[derive(Debug, Clone)]
pub struct LastUsed(Arc<ReadMarks>);

/// The latest read, and the latest one written to the store.
#[derive(Debug)]
struct ReadMarks {
    latest: AtomicI64,
    kept: AtomicI64,
}

impl Default for LastUsed {
    fn default() -> Self {
        Self::at(None)
    }
}

/// The cell's "never read" value.
const NEVER_USED: Millis = Millis::MIN;

impl LastUsed {
    /// A cell holding `moment`, as loaded from the store (so already kept).
    pub(crate) fn at(moment: Option<Millis>) -> Self {
        let moment = moment.unwrap_or(NEVER_USED);
        Self(Arc::new(ReadMarks {
            latest: AtomicI64::new(moment),
            kept: AtomicI64::new(moment),
        }))
    }

    /// The moment of the last value read, if any.
    #[must_use]
    pub fn get(&self) -> Option<Millis> {
        Some(self.0.latest.load(Ordering::Relaxed)).filter(|t| *t != NEVER_USED)
    }

    /// Records a value read at `now` (never moving the moment back).
    pub fn mark(&self, now: Millis) {
        // Reads of one secret within a millisecond share the mark: only a later moment
        // writes the cell, so busy readers do not contend on it.
        if self.0.latest.load(Ordering::Relaxed) < now {
            self.0.latest.fetch_max(now, Ordering::Relaxed);
        }
    }

    /// Notes that the store was given `moment` (what [`LastUsed::get`] said when the
    /// secret's row was made).
    pub fn kept(&self, moment: Option<Millis>) {
        self.0
            .kept
            .fetch_max(moment.unwrap_or(NEVER_USED), Ordering::Relaxed);
    }

    /// Whether a read happened after the last moment the store was given.
    #[must_use]
    pub fn unkept(&self) -> bool {
        self.0.latest.load(Ordering::Relaxed) > self.0.kept.load(Ordering::Relaxed)
    }
}
