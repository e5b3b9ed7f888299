//! The checkpointer: copies the WAL into the database file every 200 ms, and starts the
//! WAL over when the writer allows it, so the WAL stays bounded.

use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::Connection;

/// How often the WAL is copied into the database file.
pub(super) const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// What the writer and the checkpointer tell each other.
#[derive(Debug, Default)]
pub(super) struct WalSignals {
    /// Tells the checkpointer to stop.
    pub(super) stop: AtomicBool,
    /// Set by the checkpointer once it has copied most of the WAL; the writer then copies
    /// the rest between two commits, so the WAL starts over from its beginning.
    pub(super) rewind: AtomicBool,
}

/// A rewind is asked for once a checkpoint pass copied at most this many frames: the
/// writer is then left about as many to copy while it holds up the queue.
pub(super) const REWIND_FRAMES: i64 = 256;
/// At most this many checkpoint passes in a row before the writer is asked to finish.
pub(super) const PASSES_MAX: usize = 8;

/// Copies the WAL into the database file now and then, so that the writer seldom waits
/// for a checkpoint's copying and fsync. Durability does not depend on it: committed data
/// is in the WAL already.
///
/// A checkpoint beside a busy writer never catches up with it, and SQLite reuses the WAL
/// only once every frame is copied, so the WAL would grow without end. So passes run back
/// to back until one copies few frames (those written during the pass before); then the
/// writer finishes the job between two commits ([`rewind_wal`]) and the WAL starts over.
pub(super) fn checkpoint_loop(conn: &Connection, signals: &WalSignals) {
    while !signals.stop.load(Ordering::SeqCst) {
        std::thread::park_timeout(CHECKPOINT_EVERY);
        checkpoint_passes(conn, signals);
    }
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
}

/// One round of [`checkpoint_loop`]: passes until one copies few frames, then a rewind
/// request for the writer.
pub(super) fn checkpoint_passes(conn: &Connection, signals: &WalSignals) {
    if signals.rewind.load(Ordering::SeqCst) {
        return; // the writer has not finished the last round yet
    }
    let mut copied_before = 0;
    for pass in 1..=PASSES_MAX {
        // (busy, frames in the WAL, frames copied into the database)
        let checkpoint = conn.query_row("PRAGMA wal_checkpoint(PASSIVE);", [], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        });
        match checkpoint {
            Ok((0, frames, copied)) => {
                let this_pass = copied - copied_before;
                copied_before = copied;
                if this_pass <= REWIND_FRAMES || pass == PASSES_MAX {
                    if frames > 0 {
                        signals.rewind.store(true, Ordering::SeqCst);
                    }
                    return;
                }
            }
            Ok(_) => return, // busy: the next round retries
            Err(err) => {
                tracing::warn!(%err, "checkpoint failed; the next one retries");
                return;
            }
        }
    }
}

/// The writer's share of a checkpoint pass: copies the frames left and restarts the WAL.
pub(super) fn rewind_wal(conn: &Connection, signals: &WalSignals) {
    if signals.rewind.swap(false, Ordering::SeqCst) {
        if let Err(err) = conn.execute_batch("PRAGMA wal_checkpoint(RESTART);") {
            tracing::warn!(%err, "checkpoint failed; the next one retries");
        }
    }
}
