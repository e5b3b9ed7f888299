//! The group-commit writer: callers queue jobs, one thread commits them to SQLite in
//! groups (a short linger lets a burst share one commit), then answers every caller.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};

use rusqlite::{Connection, params};

use super::checkpoint::{WalSignals, rewind_wal};
use super::rows::{self, WriteJob, reset_rows};
use crate::error::StoreError;
use crate::store::durability::Outcome;
use crate::store::memory::MemoryStore;
use crate::store::vault::Vault;

/// Where the writer reports a job's outcome: a blocked caller, or a request's ticket
/// (see [`durability`](crate::store::durability)).
pub(super) enum Reply {
    Blocking(SyncSender<Outcome>),
    Ticket(tokio::sync::oneshot::Sender<Outcome>),
}

impl Reply {
    pub(super) fn send(self, outcome: Outcome) {
        // A caller that went away (a dropped request) needs no answer.
        match self {
            Self::Blocking(done) => drop(done.send(outcome)),
            Self::Ticket(done) => drop(done.send(outcome)),
        }
    }
}

/// Work for the writer thread, answered once durable (or failed).
pub(super) enum Job {
    Write(WriteJob, Reply),
    Reset(Option<String>, Reply),
    Setting(String, String, Reply),
}

/// How many queued transactions one disk commit takes at most (group commit).
pub(super) const BATCH_MAX: usize = 512;
/// When the previous commit was shared and fewer than this many jobs are queued, the
/// writer waits [`LINGER`] for more (measured: batches of about 5 became about 14).
pub(super) const LINGER_BELOW: usize = 8;
pub(super) const LINGER: std::time::Duration = std::time::Duration::from_micros(150);

/// Whether a disk commit failed, and whether it found the disk full: set once, by the
/// writer; read by the store to refuse writes and report why.
#[derive(Debug, Default)]
pub(super) struct Failure {
    failed: AtomicBool,
    disk_full: AtomicBool,
}

impl Failure {
    /// Records `error` as the failure, unless one was recorded already; returns whether
    /// one was.
    pub(super) fn record(&self, error: &StoreError) -> bool {
        if self.failed.load(Ordering::SeqCst) {
            return true;
        }
        // The cause first, so whoever sees `failed` also sees why.
        self.disk_full.store(error.is_disk_full(), Ordering::SeqCst);
        self.failed.swap(true, Ordering::SeqCst)
    }

    /// The refusal every write gets once a commit failed.
    pub(super) fn refusal(&self) -> Option<StoreError> {
        self.failed
            .load(Ordering::SeqCst)
            .then(|| StoreError::Failed {
                disk_full: self.disk_full.load(Ordering::SeqCst),
            })
    }
}

/// What the writer thread shares with the store.
pub(super) struct Writer {
    pub(super) failed: Arc<Failure>,
    pub(super) wal: Arc<WalSignals>,
    pub(super) memory: Arc<MemoryStore>,
    pub(super) vault: Arc<Vault>,
}

impl Writer {
    /// After the first failed commit: refuse every later write and put memory back to what
    /// the disk holds, so reads show exactly the acknowledged history. Memory is reloaded
    /// before anyone is answered; a transaction that slipped in before `failed` was set is
    /// wiped with it, and any later one is refused under the memory lock.
    pub(super) fn fail(&self, conn: &Connection, error: &StoreError) {
        if self.failed.record(error) {
            tracing::debug!(%error, "a write after a failed commit was refused");
            return;
        }
        tracing::error!(%error, "writing the data directory failed; further writes are refused");
        match rows::read_state(conn, &self.vault) {
            Ok(state) => self.memory.replace_all(state),
            Err(err) => tracing::error!(%err, "cannot reload the state from the data directory"),
        }
    }
}

/// The writer thread: takes every queued job at once (group commit), writes them in one
/// SQLite transaction, and tells each caller once it is on disk.
pub(super) fn writer_loop(mut conn: Connection, jobs: &Receiver<Job>, writer: &Writer) {
    let (failed, wal) = (&*writer.failed, &*writer.wal);
    let mut last_batch = 0;
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        drain_into(&mut batch, jobs);
        // Under concurrent load a short wait fills the commit: fewer, fuller commits write
        // fewer pages per change. A lone sequential client never waits.
        if last_batch > 1 && batch.len() < LINGER_BELOW {
            std::thread::sleep(LINGER);
            drain_into(&mut batch, jobs);
        }
        last_batch = batch.len();
        // After a failed commit nothing more is written, not even jobs queued behind it:
        // they may build on the lost change, and the disk must stay a prefix of history.
        let result = match failed.refusal() {
            Some(refusal) => Err(Arc::new(refusal)),
            None => commit(&mut conn, &batch).map_err(Arc::new),
        };
        if let Err(e) = &result {
            writer.fail(&conn, e);
        }
        for job in batch {
            let (Job::Write(_, reply) | Job::Reset(_, reply) | Job::Setting(_, _, reply)) = job;
            reply.send(result.clone());
        }
        rewind_wal(&conn, wal);
    }
}

/// Writes a batch of jobs in one SQLite transaction: all of them, or none.
pub(super) fn commit(conn: &mut Connection, batch: &[Job]) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    for job in batch {
        match job {
            Job::Write(write, _) => rows::persist(&tx, write)?,
            Job::Reset(project, _) => reset_rows(&tx, project.as_deref())?,
            Job::Setting(key, value, _) => {
                tx.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                    params![format!("setting:{key}"), value],
                )
                .map_err(StoreError::statement("store a setting"))?;
            }
        }
    }
    Ok(tx.commit()?)
}

/// Moves queued jobs into `batch`, up to [`BATCH_MAX`].
pub(super) fn drain_into(batch: &mut Vec<Job>, jobs: &Receiver<Job>) {
    while batch.len() < BATCH_MAX {
        match jobs.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
}
