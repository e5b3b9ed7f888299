//! The durable store itself: [`SqliteStore`] opens the data directory, loads it into the
//! in-memory store, owns the writer and checkpoint threads for its lifetime, and
//! implements [`Store`] by reading from memory and queueing every commit for the writer.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::names::ProjectId;
use crate::error::CsmsError;
use crate::error::StoreError;
use crate::store::durability::{self, Outcome};
use crate::store::memory::MemoryStore;
use crate::store::vault::Vault;
use crate::store::{ProjectData, Store, Tx};

use super::checkpoint::{WalSignals, checkpoint_loop};
use super::files::{self, DB_FILE};
use super::rows;
use super::schema;
use super::writer::{Failure, Job, Reply, Writer, writer_loop};

/// Who runs the WAL checkpoints: the background thread, or (in tests that must not race
/// it) the test itself through [`checkpoint_passes`](super::checkpoint::checkpoint_passes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Checkpoints {
    Background,
    #[cfg_attr(not(test), allow(dead_code))]
    Manual,
}

/// The durable store.
pub struct SqliteStore {
    /// Shared with the writer, which reloads it from disk after a failed commit.
    memory: Arc<MemoryStore>,
    /// For start-up and setting reads; every write goes through the writer thread.
    db: Mutex<Connection>,
    vault: Arc<Vault>,
    jobs: Mutex<Option<Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    checkpointer: Mutex<Option<JoinHandle<()>>>,
    pub(super) wal: Arc<WalSignals>,
    /// Set by the writer when a disk commit failed: writes stop (see `Writer::fail`).
    failed: Arc<Failure>,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the queue lets the writer finish what is queued and close its connection.
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = handle.join();
        }
        self.wal.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self
            .checkpointer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            handle.thread().unpark();
            let _ = handle.join();
        }
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (or creates) the store in `dir` and loads everything into memory. Fails with a
    /// message saying what to fix for a newer format, a wrong master key or a broken file;
    /// nothing is changed then.
    pub fn open(dir: &Path, master_key: Option<&str>) -> Result<Self, StoreError> {
        Self::open_with(dir, master_key, Checkpoints::Background)
    }

    /// [`SqliteStore::open`], with the checkpoints run as `checkpoints` says.
    pub(super) fn open_with(
        dir: &Path,
        master_key: Option<&str>,
        checkpoints: Checkpoints,
    ) -> Result<Self, StoreError> {
        let holds_data = files::prepare_dir(dir)?;
        let vault = Vault::open(dir, master_key, holds_data)?;
        files::make_db_private(dir)?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path).map_err(StoreError::database("open", &path))?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        )
        .map_err(StoreError::database("configure", &path))?;
        let writer_conn = Connection::open(&path).map_err(StoreError::database("open", &path))?;
        // The writer checkpoints only when asked (a checkpoint fsyncs); see `checkpoint_loop`.
        writer_conn
            .execute_batch(
                "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;",
            )
            .map_err(StoreError::database("configure", &path))?;
        let checkpoint_conn =
            Connection::open(&path).map_err(StoreError::database("open", &path))?;
        let vault = Arc::new(vault);
        let (sender, receiver) = std::sync::mpsc::channel();
        let store = Self {
            memory: Arc::new(MemoryStore::new()),
            db: Mutex::new(conn),
            vault: Arc::clone(&vault),
            jobs: Mutex::new(Some(sender)),
            writer: Mutex::new(None),
            checkpointer: Mutex::new(None),
            wal: Arc::new(WalSignals::default()),
            failed: Arc::new(Failure::default()),
        };
        schema::migrate(&mut store.conn(), &store.vault)?;
        store
            .memory
            .replace_all(rows::read_state(&store.conn(), &store.vault)?);
        let writer = Writer {
            failed: Arc::clone(&store.failed),
            wal: Arc::clone(&store.wal),
            memory: Arc::clone(&store.memory),
            vault: Arc::clone(&store.vault),
        };
        let handle = std::thread::Builder::new()
            .name("csms-sqlite-writer".into())
            .spawn(move || writer_loop(writer_conn, &receiver, &writer))
            .map_err(|source| StoreError::Thread {
                which: "writer",
                source,
            })?;
        *store.writer.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        if checkpoints == Checkpoints::Manual {
            return Ok(store);
        }
        let wal = Arc::clone(&store.wal);
        let checkpointer = std::thread::Builder::new()
            .name("csms-sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpoint_conn, &wal))
            .map_err(|source| StoreError::Thread {
                which: "checkpoint",
                source,
            })?;
        *store
            .checkpointer
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(checkpointer);
        Ok(store)
    }

    /// Queues a job for the writer. Inside a [`durability::scope`] the request's ticket
    /// is answered and `None` returned; otherwise the caller gets a receiver to wait on.
    fn submit(
        &self,
        job: impl FnOnce(Reply) -> Job,
        defer: bool,
    ) -> Result<Option<Receiver<Outcome>>, CsmsError> {
        let ticket = if defer { durability::ticket() } else { None };
        let (reply, wait) = if let Some(ticket) = ticket {
            (Reply::Ticket(ticket), None)
        } else {
            let (done, wait) = std::sync::mpsc::sync_channel(1);
            (Reply::Blocking(done), Some(wait))
        };
        let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.as_ref()
            .ok_or(StoreError::Closed)?
            .send(job(reply))
            .map_err(|_| StoreError::WriterStopped)?;
        Ok(wait)
    }

    /// Waits for a job queued outside a durability scope.
    fn wait(wait: Option<Receiver<Outcome>>) -> Result<(), CsmsError> {
        match wait.map(|w| w.recv()) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(StoreError::Commit(e).into()),
            Some(Err(_)) => Err(StoreError::WriterStopped.into()),
        }
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Store for SqliteStore {
    fn read_project(
        &self,
        project: &ProjectId,
        f: &mut dyn FnMut(&ProjectData),
    ) -> Result<(), CsmsError> {
        self.memory.read_project(project, f)
    }

    fn write_project(
        &self,
        project: &ProjectId,
        f: &mut dyn FnMut(&mut Tx<'_>) -> bool,
    ) -> Result<(), CsmsError> {
        // The job is queued under the memory lock, so disk order is commit order; the
        // caller is answered only once its job is durable.
        let mut pending = None;
        self.memory
            .write_project_with(project, f, &mut |base, writes| {
                // Checked under the memory lock: see `Writer::fail`.
                self.writable()?;
                let job = rows::job_for(&self.vault, project.as_str(), base, writes)?;
                pending = self.submit(|reply| Job::Write(job, reply), true)?;
                Ok(())
            })?;
        Self::wait(pending)
    }

    fn projects(&self) -> Result<Vec<ProjectId>, CsmsError> {
        self.memory.projects()
    }

    fn reset(&self, project: Option<&ProjectId>) -> Result<(), CsmsError> {
        // Queued behind every earlier write, so nothing written before it survives it.
        let wait = self.submit(
            |reply| Job::Reset(project.map(ToString::to_string), reply),
            false,
        )?;
        Self::wait(wait)?;
        self.memory.reset(project)
    }

    fn save_setting(&self, key: &str, value: &str) -> Result<(), CsmsError> {
        let wait = self.submit(
            |reply| Job::Setting(key.to_owned(), value.to_owned(), reply),
            false,
        )?;
        Self::wait(wait)
    }

    fn writable(&self) -> Result<(), CsmsError> {
        match self.failed.refusal() {
            Some(refusal) => Err(refusal.into()),
            None => Ok(()),
        }
    }

    fn load_setting(&self, key: &str) -> Result<Option<String>, CsmsError> {
        self.conn()
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![format!("setting:{key}")],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| StoreError::statement("load setting")(e).into())
    }

    fn backup_key(&self) -> Result<Option<[u8; 32]>, CsmsError> {
        self.vault.backup_key().map(Some).map_err(CsmsError::from)
    }

    fn commits_wait_for_disk(&self) -> bool {
        true
    }
}
