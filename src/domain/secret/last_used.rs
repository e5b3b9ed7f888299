//! When a secret's value was last read: a cell shared by every snapshot of the secret,
//! marked by reads without a write transaction, and allocated only once a secret is read
//! or copied (most stored secrets are neither: memory per secret).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

use crate::clock::Millis;

/// When a secret's value was last read. Reads mark it without a write transaction: the
/// cell is shared by every snapshot of the secret, and its moment is kept with the secret
/// the next time the secret is written, or at a graceful stop (docs/behaviour.md §48).
///
/// The shared cell is made on first need: a read marking it, or a copy of the secret (a
/// copy made before the cell existed would otherwise get a cell of its own). Until then
/// the secret was never read since it was loaded or created.
#[derive(Debug)]
pub struct LastUsed(OnceLock<Arc<ReadMarks>>);

/// The latest read, and the latest one written to the store.
#[derive(Debug)]
struct ReadMarks {
    latest: AtomicI64,
    kept: AtomicI64,
}

impl Default for LastUsed {
    fn default() -> Self {
        Self(OnceLock::new())
    }
}

impl Clone for LastUsed {
    /// The copy shares the cell, made now if it was not yet.
    fn clone(&self) -> Self {
        Self(OnceLock::from(Arc::clone(self.marks())))
    }
}

/// The cell's "never read" value.
const NEVER_USED: Millis = Millis::MIN;

impl LastUsed {
    /// A cell holding `moment`, as loaded from the store (so already kept).
    pub(crate) fn at(moment: Option<Millis>) -> Self {
        match moment {
            None => Self::default(),
            Some(moment) => Self(OnceLock::from(Arc::new(ReadMarks::at(moment)))),
        }
    }

    /// The shared cell, made if it was not yet.
    fn marks(&self) -> &Arc<ReadMarks> {
        self.0.get_or_init(|| Arc::new(ReadMarks::at(NEVER_USED)))
    }

    /// The moment of the last value read, if any.
    #[must_use]
    pub fn get(&self) -> Option<Millis> {
        let marks = self.0.get()?;
        Some(marks.latest.load(Ordering::Relaxed)).filter(|t| *t != NEVER_USED)
    }

    /// Records a value read at `now` (never moving the moment back).
    pub fn mark(&self, now: Millis) {
        // Reads of one secret within a millisecond share the mark: only a later moment
        // writes the cell, so busy readers do not contend on it.
        let marks = self.marks();
        if marks.latest.load(Ordering::Relaxed) < now {
            marks.latest.fetch_max(now, Ordering::Relaxed);
        }
    }

    /// Notes that the store was given `moment` (what [`LastUsed::get`] said when the
    /// secret's row was made).
    pub fn kept(&self, moment: Option<Millis>) {
        // No moment and no cell: nothing was read, and nothing is to remember.
        if let Some(moment) = moment {
            self.marks().kept.fetch_max(moment, Ordering::Relaxed);
        }
    }

    /// Whether a read happened after the last moment the store was given.
    #[must_use]
    pub fn unkept(&self) -> bool {
        self.0.get().is_some_and(|marks| {
            marks.latest.load(Ordering::Relaxed) > marks.kept.load(Ordering::Relaxed)
        })
    }
}

impl ReadMarks {
    /// Marks holding `moment` as both the latest read and the one kept.
    fn at(moment: Millis) -> Self {
        Self {
            latest: AtomicI64::new(moment),
            kept: AtomicI64::new(moment),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_made_before_any_read_still_shares_the_marks() {
        let original = LastUsed::default();
        assert!(original.0.get().is_none(), "no cell until needed");
        assert_eq!(original.get(), None);
        assert!(!original.unkept());
        original.kept(None);
        assert!(original.0.get().is_none(), "keeping nothing makes no cell");
        let copy = original.clone();
        copy.mark(5);
        assert_eq!(original.get(), Some(5));
        original.mark(9);
        assert_eq!(copy.get(), Some(9));
        assert!(copy.unkept());
        original.kept(Some(9));
        assert!(!copy.unkept());
    }

    #[test]
    fn a_loaded_moment_is_already_kept() {
        let loaded = LastUsed::at(Some(3));
        assert_eq!(loaded.get(), Some(3));
        assert!(!loaded.unkept());
        assert_eq!(LastUsed::at(None).get(), None);
    }
}
