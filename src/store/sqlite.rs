//! The durable store: SQLite (bundled, WAL) behind the in-memory store. Every committed
//! transaction is written to SQLite before it becomes visible, so a change is on disk
//! before it is acknowledged and survives `kill -9` (WAL with `synchronous=NORMAL` loses
//! nothing when only the process dies). Reads are served from memory. Secret values are
//! sealed by the [`Vault`]; no value is stored in plaintext.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::domain::event::{Event, NotificationRecord};
use crate::domain::names::ProjectId;
use crate::domain::secret::{Secret, SecretRecord};
use crate::domain::task::RotationTask;
use crate::error::CsmsError;

use super::durability::{self, Outcome};
use super::memory::MemoryStore;
use super::vault::Vault;
use super::{Extras, ProjectData, RECORDS_MAX, Store, TASKS_MAX, Tx, Writes};

/// The database file inside the data directory.
pub const DB_FILE: &str = "csms.db";
/// The format this build writes; older formats are migrated, newer ones refused.
pub const FORMAT: u32 = 1;
/// Plaintext sealed into `meta` to check the master key at start.
const KEY_CHECK: &[u8] = b"csms-emulator master key check";

/// A value as stored (one row per version): sealed under the version's key, bound to its
/// place. Versions never change, so a value is sealed and written once.
#[derive(Debug, Serialize, Deserialize)]
struct SealedValue {
    binary: bool,
    data: String,
}

fn internal(context: &str) -> impl Fn(rusqlite::Error) -> CsmsError + '_ {
    move |e| CsmsError::Internal(format!("{context}: {e}"))
}

fn aad(project: &str, name: &str, number: u32) -> String {
    format!("{project}/{name}/v{number}")
}

/// Sealed values as loaded: `(project, secret name)` → `(version number, sealed JSON)`.
type StoredValues = HashMap<(String, String), Vec<(u32, String)>>;

/// One secret written by a transaction, with what was stored of it before.
struct SecretWrite {
    name: String,
    /// The secret's image without values, `None` for a removal.
    meta: Option<String>,
    /// The version numbers it holds now.
    current: BTreeSet<u32>,
    /// The version numbers stored before, when it is the same secret (same id).
    stored: Option<BTreeSet<u32>>,
    /// Sealed values of the versions not stored yet.
    sealed: Vec<(u32, String)>,
}

/// A committed transaction on its way to disk.
struct WriteJob {
    project: String,
    secrets: Vec<SecretWrite>,
    events: Option<Vec<Event>>,
    extras: Option<Extras>,
    tasks: Vec<RotationTask>,
    records: Vec<NotificationRecord>,
}

/// Where the writer reports a job's outcome: a blocked caller, or a request's ticket
/// (see [`durability`]).
enum Reply {
    Blocking(SyncSender<Outcome>),
    Ticket(tokio::sync::oneshot::Sender<Outcome>),
}

impl Reply {
    fn send(self, outcome: Outcome) {
        // A caller that went away (a dropped request) needs no answer.
        match self {
            Self::Blocking(done) => drop(done.send(outcome)),
            Self::Ticket(done) => drop(done.send(outcome)),
        }
    }
}

/// Work for the writer thread, answered once durable (or failed).
enum Job {
    Write(WriteJob, Reply),
    Reset(Option<String>, Reply),
    Setting(String, String, Reply),
}

/// How many queued transactions one disk commit takes at most (group commit).
const BATCH_MAX: usize = 512;

/// The durable store.
pub struct SqliteStore {
    memory: MemoryStore,
    /// For start-up and setting reads; every write goes through the writer thread.
    db: Mutex<Connection>,
    vault: Arc<Vault>,
    jobs: Mutex<Option<Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    checkpointer: Mutex<Option<JoinHandle<()>>>,
    wal: Arc<WalSignals>,
    /// Set by the writer when a disk commit failed: memory may then be ahead of disk, so
    /// writes stop.
    failed: Arc<AtomicBool>,
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
    pub fn open(dir: &Path, master_key: Option<&str>) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let vault = Vault::open(dir, master_key)?;
        let path = dir.join(DB_FILE);
        let conn =
            Connection::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        )
        .map_err(|e| format!("cannot configure {}: {e}", path.display()))?;
        let writer_conn =
            Connection::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        // The writer checkpoints only when asked (a checkpoint fsyncs); see `checkpoint_loop`.
        writer_conn
            .execute_batch(
                "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;",
            )
            .map_err(|e| format!("cannot configure {}: {e}", path.display()))?;
        let checkpoint_conn =
            Connection::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let vault = Arc::new(vault);
        let (sender, receiver) = std::sync::mpsc::channel();
        let store = Self {
            memory: MemoryStore::new(),
            db: Mutex::new(conn),
            vault: Arc::clone(&vault),
            jobs: Mutex::new(Some(sender)),
            writer: Mutex::new(None),
            checkpointer: Mutex::new(None),
            wal: Arc::new(WalSignals::default()),
            failed: Arc::new(AtomicBool::new(false)),
        };
        store.migrate()?;
        store.load()?;
        let failed = Arc::clone(&store.failed);
        let wal = Arc::clone(&store.wal);
        let handle = std::thread::Builder::new()
            .name("csms-sqlite-writer".into())
            .spawn(move || writer_loop(writer_conn, &receiver, &failed, &wal))
            .map_err(|e| format!("cannot start the writer thread: {e}"))?;
        *store.writer.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        let wal = Arc::clone(&store.wal);
        let checkpointer = std::thread::Builder::new()
            .name("csms-sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpoint_conn, &wal))
            .map_err(|e| format!("cannot start the checkpoint thread: {e}"))?;
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
            .ok_or_else(|| CsmsError::Internal("the store is closed".into()))?
            .send(job(reply))
            .map_err(|_| CsmsError::Internal("the store's writer stopped".into()))?;
        Ok(wait)
    }

    /// Waits for a job queued outside a durability scope.
    fn wait(wait: Option<Receiver<Outcome>>) -> Result<(), CsmsError> {
        match wait.map(|w| w.recv()) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(CsmsError::Internal(format!(
                "writing the data directory failed: {e}"
            ))),
            Some(Err(_)) => Err(CsmsError::Internal("the store's writer stopped".into())),
        }
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn migrate(&self) -> Result<(), String> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )
        .map_err(|e| e.to_string())?;
        let format: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| e.to_string())?;
        let format: u32 = match format {
            Some(f) => f
                .parse()
                .map_err(|_| format!("unreadable format version {f:?}"))?,
            None => 0,
        };
        if format > FORMAT {
            return Err(format!(
                "the data directory was written by a newer csms-emulator (format {format}; this build reads up to {FORMAT}); upgrade csms-emulator or use another --data-dir"
            ));
        }
        if format == 0 {
            tx.execute_batch(
                "CREATE TABLE secrets (project TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (project, name));
                 CREATE TABLE versions (project TEXT NOT NULL, name TEXT NOT NULL, number INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (project, name, number));
                 CREATE TABLE project_state (project TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (project, kind));
                 CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);
                 CREATE INDEX log_project ON log (project, kind, seq);",
            )
            .map_err(|e| e.to_string())?;
            let check = self.vault.seal("*meta*", "check", "check", KEY_CHECK)?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('key_check', ?1)",
                params![check],
            )
            .map_err(|e| e.to_string())?;
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?1)",
                params![FORMAT.to_string()],
            )
            .map_err(|e| e.to_string())?;
        } else {
            let check: String = tx
                .query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
                    r.get(0)
                })
                .map_err(|e| format!("the key check is missing: {e}"))?;
            if self
                .vault
                .open_sealed("*meta*", "check", "check", &check)
                .ok()
                .as_deref()
                != Some(KEY_CHECK)
            {
                return Err("the master key does not open this data directory (wrong CSMS_MASTER_KEY or master.key); nothing was changed".into());
            }
        }
        tx.commit().map_err(|e| e.to_string())
    }

    fn open_secret(
        &self,
        project: &str,
        body: &str,
        values: Vec<(u32, String)>,
    ) -> Result<Secret, String> {
        let mut record: SecretRecord =
            serde_json::from_str(body).map_err(|e| format!("unreadable secret: {e}"))?;
        for (number, sealed) in values {
            let sealed: SealedValue =
                serde_json::from_str(&sealed).map_err(|e| format!("unreadable value: {e}"))?;
            let Some(v) = record.versions.iter_mut().find(|v| v.number == number) else {
                continue;
            };
            let plain = self.vault.open_sealed(
                project,
                &v.kms_key_id,
                &aad(project, &record.name, v.number),
                &sealed.data,
            )?;
            let text = String::from_utf8(plain).map_err(|_| "a value is not UTF-8".to_owned())?;
            if sealed.binary {
                v.secret_binary = Some(text);
            } else {
                v.secret_string = Some(text);
            }
        }
        let name = record.name.clone();
        Secret::from_record(record).map_err(|e| format!("secret {name}: {e}"))
    }

    /// Every stored value, by project and secret name.
    fn load_values(conn: &Connection) -> Result<StoredValues, String> {
        let mut values = StoredValues::new();
        let mut value_rows = conn
            .prepare("SELECT project, name, number, body FROM versions")
            .map_err(|e| e.to_string())?;
        let value_iter = value_rows
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| e.to_string())?;
        for row in value_iter {
            let (project, name, number, body) = row.map_err(|e| e.to_string())?;
            values
                .entry((project, name))
                .or_default()
                .push((number, body));
        }
        Ok(values)
    }

    fn load(&self) -> Result<(), String> {
        let conn = self.conn();
        let mut by_project: BTreeMap<String, Writes> = BTreeMap::new();
        let mut values = Self::load_values(&conn)?;
        for (project, name, body) in text_rows(&conn, "SELECT project, name, body FROM secrets")? {
            let sealed = values.remove(&(project.clone(), name)).unwrap_or_default();
            let secret = self.open_secret(&project, &body, sealed)?;
            by_project
                .entry(project)
                .or_default()
                .secrets
                .insert(secret.name().clone(), Some(Arc::new(secret)));
        }
        for (project, kind, body) in
            text_rows(&conn, "SELECT project, kind, body FROM project_state")?
        {
            let writes = by_project.entry(project).or_default();
            match kind.as_str() {
                "events" => {
                    let events: Vec<Event> =
                        serde_json::from_str(&body).map_err(|e| e.to_string())?;
                    writes.events = Some(events.into_iter().map(|e| (e.name.clone(), e)).collect());
                }
                "extras" => {
                    writes.extras =
                        Some(serde_json::from_str::<Extras>(&body).map_err(|e| e.to_string())?);
                }
                _ => {}
            }
        }
        for (project, kind, body) in
            text_rows(&conn, "SELECT project, kind, body FROM log ORDER BY seq")?
        {
            let writes = by_project.entry(project).or_default();
            match kind.as_str() {
                "task" => writes
                    .tasks
                    .push(serde_json::from_str::<RotationTask>(&body).map_err(|e| e.to_string())?),
                "record" => writes.records.push(
                    serde_json::from_str::<NotificationRecord>(&body).map_err(|e| e.to_string())?,
                ),
                _ => {}
            }
        }
        for (project, mut writes) in by_project {
            let id = ProjectId::parse(&project).unwrap_or_else(|_| ProjectId::global());
            let tasks_over = writes.tasks.len().saturating_sub(TASKS_MAX);
            writes.tasks.drain(..tasks_over);
            let records_over = writes.records.len().saturating_sub(RECORDS_MAX);
            writes.records.drain(..records_over);
            self.memory.load(id, writes);
        }
        Ok(())
    }

    /// The job that carries a transaction's writes to disk; `base` is what they replace.
    /// The job that carries a transaction's writes to disk, with its rows serialized and
    /// new values sealed here (on the committing thread), so the writer only writes.
    fn job_for(
        &self,
        project: &ProjectId,
        base: &ProjectData,
        writes: &Writes,
    ) -> Result<WriteJob, CsmsError> {
        let mut secrets = Vec::with_capacity(writes.secrets.len());
        for (name, new) in &writes.secrets {
            let stored: Option<BTreeSet<u32>> = base
                .secrets
                .get(name)
                .filter(|old| new.as_ref().is_some_and(|n| n.id == old.id))
                .map(|old| old.versions().iter().map(|v| v.number.0).collect());
            let (meta, current, sealed) = match new {
                Some(secret) => {
                    let already = stored.clone().unwrap_or_default();
                    let mut sealed = Vec::new();
                    for version in secret
                        .versions()
                        .iter()
                        .filter(|v| !already.contains(&v.number.0))
                    {
                        sealed.push((
                            version.number.0,
                            seal_value(&self.vault, project.as_str(), secret, version)?,
                        ));
                    }
                    let current = secret.versions().iter().map(|v| v.number.0).collect();
                    (Some(secret_meta(secret)?), current, sealed)
                }
                None => (None, BTreeSet::new(), Vec::new()),
            };
            secrets.push(SecretWrite {
                name: name.to_string(),
                meta,
                current,
                stored,
                sealed,
            });
        }
        Ok(WriteJob {
            project: project.to_string(),
            secrets,
            events: writes
                .events
                .as_ref()
                .map(|e| e.values().cloned().collect()),
            extras: writes.extras.clone(),
            tasks: writes.tasks.clone(),
            records: writes.records.clone(),
        })
    }
}

/// The secret's image without its values.
fn secret_meta(secret: &Secret) -> Result<String, CsmsError> {
    serde_json::to_string(&secret.to_record_without_values())
        .map_err(|e| CsmsError::Internal(format!("serialize secret: {e}")))
}

fn seal_value(
    vault: &Vault,
    project: &str,
    secret: &Secret,
    version: &crate::domain::secret::Version,
) -> Result<String, CsmsError> {
    let (binary, plain) = match (version.value.as_text(), version.value.as_binary()) {
        (Some(text), _) => (false, text),
        (None, Some(b64)) => (true, b64),
        (None, None) => (false, ""),
    };
    let data = vault
        .seal(
            project,
            version.kms_key_id.as_str(),
            &aad(project, secret.name().as_str(), version.number.0),
            plain.as_bytes(),
        )
        .map_err(CsmsError::Internal)?;
    serde_json::to_string(&SealedValue { binary, data })
        .map_err(|e| CsmsError::Internal(e.to_string()))
}

/// Writes one transaction: changed secrets' metadata, the values of new versions only
/// (versions never change), removals, events, extras, tasks and records.
fn persist(tx: &Transaction<'_>, job: &WriteJob) -> Result<(), CsmsError> {
    let project = job.project.as_str();
    for write in &job.secrets {
        let name = write.name.as_str();
        let Some(meta) = &write.meta else {
            for table in ["secrets", "versions"] {
                tx.prepare_cached(&format!(
                    "DELETE FROM {table} WHERE project = ?1 AND name = ?2"
                ))
                .and_then(|mut st| st.execute(params![project, name]))
                .map_err(internal("delete secret"))?;
            }
            continue;
        };
        match &write.stored {
            None => {
                tx.prepare_cached("DELETE FROM versions WHERE project = ?1 AND name = ?2")
                    .and_then(|mut st| st.execute(params![project, name]))
                    .map_err(internal("clear versions"))?;
            }
            Some(stored) => {
                for gone in stored.difference(&write.current) {
                    tx.prepare_cached(
                        "DELETE FROM versions WHERE project = ?1 AND name = ?2 AND number = ?3",
                    )
                    .and_then(|mut st| st.execute(params![project, name, gone]))
                    .map_err(internal("delete version"))?;
                }
            }
        }
        for (number, body) in &write.sealed {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO versions (project, name, number, body) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| st.execute(params![project, name, number, body]))
            .map_err(internal("store version"))?;
        }
        tx.prepare_cached(
            "INSERT OR REPLACE INTO secrets (project, name, body) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut st| st.execute(params![project, name, meta]))
        .map_err(internal("store secret"))?;
    }
    if let Some(events) = &job.events {
        let body = serde_json::to_string(events).map_err(|e| CsmsError::Internal(e.to_string()))?;
        tx.execute(
            "INSERT OR REPLACE INTO project_state (project, kind, body) VALUES (?1, 'events', ?2)",
            params![project, body],
        )
        .map_err(internal("store events"))?;
    }
    if let Some(extras) = &job.extras {
        let body = serde_json::to_string(extras).map_err(|e| CsmsError::Internal(e.to_string()))?;
        tx.execute(
            "INSERT OR REPLACE INTO project_state (project, kind, body) VALUES (?1, 'extras', ?2)",
            params![project, body],
        )
        .map_err(internal("store extras"))?;
    }
    for task in &job.tasks {
        let body = serde_json::to_string(task).map_err(|e| CsmsError::Internal(e.to_string()))?;
        tx.execute(
            "INSERT INTO log (project, kind, body) VALUES (?1, 'task', ?2)",
            params![project, body],
        )
        .map_err(internal("store task"))?;
    }
    for record in &job.records {
        let body = serde_json::to_string(record).map_err(|e| CsmsError::Internal(e.to_string()))?;
        tx.execute(
            "INSERT INTO log (project, kind, body) VALUES (?1, 'record', ?2)",
            params![project, body],
        )
        .map_err(internal("store record"))?;
    }
    Ok(())
}

/// The writer thread: takes every queued job at once (group commit), writes them in one
/// SQLite transaction, and tells each caller once it is on disk.
fn writer_loop(mut conn: Connection, jobs: &Receiver<Job>, failed: &AtomicBool, wal: &WalSignals) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH_MAX {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let result = conn
            .transaction()
            .map_err(|e| e.to_string())
            .and_then(|tx| {
                for job in &batch {
                    match job {
                        Job::Write(write, _) => {
                            persist(&tx, write).map_err(|e| e.to_string())?;
                        }
                        Job::Reset(project, _) => {
                            reset_rows(&tx, project.as_deref()).map_err(|e| e.to_string())?;
                        }
                        Job::Setting(key, value, _) => {
                            tx.execute(
                                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                                params![format!("setting:{key}"), value],
                            )
                            .map_err(|e| e.to_string())?;
                        }
                    }
                }
                tx.commit().map_err(|e| e.to_string())
            });
        if let Err(e) = &result {
            failed.store(true, Ordering::SeqCst);
            tracing::error!(error = %e, "writing the data directory failed; further writes are refused");
        }
        for job in batch {
            let (Job::Write(_, reply) | Job::Reset(_, reply) | Job::Setting(_, _, reply)) = job;
            reply.send(result.clone());
        }
        rewind_wal(&conn, wal);
    }
}

/// Every row of a three-text-column query.
fn text_rows(conn: &Connection, sql: &str) -> Result<Vec<(String, String, String)>, String> {
    let mut statement = conn.prepare(sql).map_err(|e| e.to_string())?;
    let rows = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// How often the WAL is copied into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// What the writer and the checkpointer tell each other.
#[derive(Debug, Default)]
struct WalSignals {
    /// Tells the checkpointer to stop.
    stop: AtomicBool,
    /// Set by the checkpointer once it has copied most of the WAL; the writer then copies
    /// the rest between two commits, so the WAL starts over from its beginning.
    rewind: AtomicBool,
}

/// A rewind is asked for once a checkpoint pass copied at most this many frames: the
/// writer is then left about as many to copy while it holds up the queue.
const REWIND_FRAMES: i64 = 256;
/// At most this many checkpoint passes in a row before the writer is asked to finish.
const PASSES_MAX: usize = 8;

/// Copies the WAL into the database file now and then, so that the writer seldom waits
/// for a checkpoint's copying and fsync. Durability does not depend on it: committed data
/// is in the WAL already.
///
/// A checkpoint beside a busy writer never catches up with it, and SQLite reuses the WAL
/// only once every frame is copied, so the WAL would grow without end. So passes run back
/// to back until one copies few frames (those written during the pass before); then the
/// writer finishes the job between two commits ([`rewind_wal`]) and the WAL starts over.
fn checkpoint_loop(conn: &Connection, signals: &WalSignals) {
    while !signals.stop.load(Ordering::SeqCst) {
        std::thread::park_timeout(CHECKPOINT_EVERY);
        checkpoint_passes(conn, signals);
    }
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
}

/// One round of [`checkpoint_loop`]: passes until one copies few frames, then a rewind
/// request for the writer.
fn checkpoint_passes(conn: &Connection, signals: &WalSignals) {
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
fn rewind_wal(conn: &Connection, signals: &WalSignals) {
    if signals.rewind.swap(false, Ordering::SeqCst) {
        if let Err(err) = conn.execute_batch("PRAGMA wal_checkpoint(RESTART);") {
            tracing::warn!(%err, "checkpoint failed; the next one retries");
        }
    }
}

fn reset_rows(tx: &Transaction<'_>, project: Option<&str>) -> Result<(), CsmsError> {
    match project {
        Some(p) => {
            for table in ["secrets", "versions", "project_state", "log"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE project = ?1"),
                    params![p],
                )
                .map_err(internal("reset"))?;
            }
        }
        None => {
            tx.execute_batch(
                "DELETE FROM secrets; DELETE FROM versions; DELETE FROM project_state; DELETE FROM log;",
            )
            .map_err(internal("reset"))?;
        }
    }
    Ok(())
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
        if self.failed.load(Ordering::SeqCst) {
            return Err(CsmsError::Internal(
                "an earlier write to the data directory failed; restart csms-emulator".into(),
            ));
        }
        // The job is queued under the memory lock, so disk order is commit order; the
        // caller is answered only once its job is durable.
        let mut pending = None;
        self.memory
            .write_project_with(project, f, &mut |base, writes| {
                let job = self.job_for(project, base, writes)?;
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

    fn load_setting(&self, key: &str) -> Result<Option<String>, CsmsError> {
        self.conn()
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![format!("setting:{key}")],
                |r| r.get(0),
            )
            .optional()
            .map_err(internal("load setting"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{contract, read, transact};

    fn temp_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("csms-sqlite-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn sqlite_store_passes_the_store_contract() {
        contract::run_all(&|| Box::new(SqliteStore::open(&temp_dir(), None).unwrap()));
    }

    #[test]
    fn state_survives_reopening_and_values_are_never_plaintext_on_disk() {
        let dir = temp_dir();
        let project = ProjectId::parse("p").unwrap();
        {
            let store = SqliteStore::open(&dir, None).unwrap();
            transact(&store, &project, |tx| {
                let settings = crate::domain::secret::SecretSettings::for_test("persisted");
                let secret = Secret::create(
                    uuid::Uuid::new_v4(),
                    settings,
                    crate::domain::value::SecretValue::Text("plaintext-canary-4711".into()),
                    5,
                )?;
                tx.put(secret);
                Ok(())
            })
            .unwrap();
            store.save_setting("clock", "{\"offset\":5}").unwrap();
        }
        let reopened = SqliteStore::open(&dir, None).unwrap();
        let value = read(&reopened, &project, |data| {
            let s = data.secrets.values().next().unwrap();
            s.versions()[0].value.as_text().unwrap().to_owned()
        })
        .unwrap();
        assert_eq!(value, "plaintext-canary-4711");
        assert_eq!(
            reopened.load_setting("clock").unwrap().as_deref(),
            Some("{\"offset\":5}")
        );
        drop(reopened);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("plaintext-canary-4711"));
        }
        let err = SqliteStore::open(&dir, Some(&"00".repeat(32))).unwrap_err();
        assert!(err.contains("master key"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_write_inside_a_durability_scope_hands_in_a_ticket_instead_of_blocking() {
        let dir = temp_dir();
        let project = ProjectId::parse("p").unwrap();
        let store = SqliteStore::open(&dir, None).unwrap();
        let (result, tickets) = durability::scope(async {
            transact(&store, &project, |tx| {
                let settings = crate::domain::secret::SecretSettings::for_test("ticketed");
                tx.put(Secret::create(
                    uuid::Uuid::new_v4(),
                    settings,
                    crate::domain::value::SecretValue::Text("v".into()),
                    1,
                )?);
                Ok(())
            })
        })
        .await;
        result.unwrap();
        assert_eq!(tickets.pending(), 1, "one ticket for one write");
        tickets.settle().await.unwrap();
        drop(store);
        let reopened = SqliteStore::open(&dir, None).unwrap();
        let names = read(&reopened, &project, |data| data.secrets.len()).unwrap();
        assert_eq!(names, 1);
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// Frames in the WAL, as a checkpoint from another connection sees them.
    fn wal_frames(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE);", [], |r| r.get(1))
            .unwrap()
    }

    #[test]
    fn after_a_checkpoint_round_the_writer_starts_the_wal_over() {
        let dir = temp_dir();
        let project = ProjectId::parse("p").unwrap();
        let store = SqliteStore::open(&dir, None).unwrap();
        let put = |name: &str| {
            transact(&store, &project, |tx| {
                let settings = crate::domain::secret::SecretSettings::for_test(name);
                tx.put(Secret::create(
                    uuid::Uuid::new_v4(),
                    settings,
                    crate::domain::value::SecretValue::Text("v".repeat(500).into()),
                    1,
                )?);
                Ok(())
            })
            .unwrap();
        };
        for i in 0..200 {
            put(&format!("s{i}"));
        }
        let observer = Connection::open(dir.join(DB_FILE)).unwrap();
        let grown = wal_frames(&observer);
        assert!(grown > 100, "{grown} frames");
        checkpoint_passes(&observer, &store.wal);
        assert!(store.wal.rewind.load(Ordering::SeqCst));
        // The writer rewinds after this commit, before it takes the next job.
        put("rewinds-after-commit");
        put("first-in-the-new-wal");
        let frames = wal_frames(&observer);
        assert!(
            frames < 20,
            "the WAL started over: {frames} frames, was {grown}"
        );
        drop(store);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_newer_format_is_refused() {
        let dir = temp_dir();
        drop(SqliteStore::open(&dir, None).unwrap());
        let conn = Connection::open(dir.join(DB_FILE)).unwrap();
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'format'", [])
            .unwrap();
        drop(conn);
        let err = SqliteStore::open(&dir, None).unwrap_err();
        assert!(err.contains("newer"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn reset_empties_one_project_or_all() {
        let dir = temp_dir();
        let store = SqliteStore::open(&dir, None).unwrap();
        for p in ["a", "b"] {
            let project = ProjectId::parse(p).unwrap();
            transact(&store, &project, |tx| {
                let settings = crate::domain::secret::SecretSettings::for_test("s");
                tx.put(Secret::create(
                    uuid::Uuid::new_v4(),
                    settings,
                    crate::domain::value::SecretValue::Text("v".into()),
                    1,
                )?);
                Ok(())
            })
            .unwrap();
        }
        store.reset(Some(&ProjectId::parse("a").unwrap())).unwrap();
        assert_eq!(
            store.projects().unwrap(),
            vec![ProjectId::parse("b").unwrap()]
        );
        drop(store);
        let reopened = SqliteStore::open(&dir, None).unwrap();
        assert_eq!(
            reopened.projects().unwrap(),
            vec![ProjectId::parse("b").unwrap()]
        );
        reopened.reset(None).unwrap();
        drop(reopened);
        assert!(
            SqliteStore::open(&dir, None)
                .unwrap()
                .projects()
                .unwrap()
                .is_empty()
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
