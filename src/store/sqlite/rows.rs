//! How the durable store lays secrets out in rows (format 2): a secret's image without its
//! versions in `secrets`, and each version in `versions` with its metadata and its value
//! sealed by the [`Vault`]. Rows stay small, so a commit writes few database pages, and a
//! new version writes one row instead of the whole secret again.
//!
//! [`job_for`] turns a transaction's writes into rows on the committing thread (sealing
//! included); [`persist`] writes them on the writer thread; [`read_state`] reads them
//! back, at start and after a failed commit.

use std::collections::BTreeMap;
use std::sync::Arc;

use rusqlite::{Connection, Transaction, params};
use smallvec::SmallVec;

use crate::domain::event::{Event, NotificationRecord, NotificationStatus};
use crate::domain::names::ProjectId;
use crate::domain::secret::{Secret, Unversioned, Version};
use crate::domain::task::RotationTask;
use crate::error::StoreError;
use crate::store::vault::Vault;
use crate::store::{ProjectData, ProjectLoad, ProjectSettings, RECORDS_MAX, TASKS_MAX, Writes};

use super::codec;

/// What a sealed value is bound to: it opens only in its own place.
pub(super) fn aad(project: &str, name: &str, number: u32) -> String {
    let mut text = String::new();
    write_aad(&mut text, project, name, number);
    text
}

/// [`aad`] into `out`, which loading reuses for every version.
fn write_aad(out: &mut String, project: &str, name: &str, number: u32) {
    use std::fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(out, "{project}/{name}/v{number}");
}

/// One text column of a row, borrowed from it.
fn text_column<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    Ok(row.get_ref(i)?.as_str().map_err(rusqlite::Error::from)?)
}

/// The last text a loading thread read in a column, shared by the rows that repeat it:
/// rows come in key order, so a project's id is one allocation, not one per row.
#[derive(Default)]
struct SharedText(Option<Arc<str>>);

impl SharedText {
    /// The text of column `i` of `row`: its bytes are compared with the last text first,
    /// so a repeated one is neither checked as UTF-8 again nor copied.
    fn get(&mut self, row: &rusqlite::Row<'_>, i: usize) -> Result<Arc<str>, StoreError> {
        let raw = row.get_ref(i)?.as_bytes().map_err(rusqlite::Error::from)?;
        Ok(match &self.0 {
            Some(last) if last.as_bytes() == raw => Arc::clone(last),
            _ => Arc::clone(self.0.insert(Arc::from(text_column(row, i)?))),
        })
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    Ok(serde_json::to_string(value)?)
}

/// A version row to write: a new version with its sealed value, or new metadata of a
/// version already stored (a value never changes).
struct VersionRow {
    number: u32,
    /// The version's metadata, its value left out ([`codec::version_meta`]).
    meta: Vec<u8>,
    /// `(binary, nonce + ciphertext)` for a new version.
    sealed: Option<(bool, Vec<u8>)>,
}

/// One secret written by a transaction.
struct SecretWrite {
    name: String,
    /// The secret's image without versions ([`codec::secret_row`]); `None` removes the
    /// secret.
    meta: Option<Vec<u8>>,
    /// Whether version rows stored under this name belong to another secret (or to this
    /// one, being removed) and go first.
    replaces: bool,
    /// Versions dropped from a stored secret.
    gone: Vec<u32>,
    rows: Vec<VersionRow>,
}

/// The `project_state` kind of a project's [`ProjectSettings`]. `extras` is what the type
/// was called when the row was laid out; data directories hold rows of that kind, so the
/// name stays.
pub(super) const SETTINGS_KIND: &str = "extras";

/// A committed transaction on its way to disk.
pub(super) struct WriteJob {
    project: String,
    secrets: Vec<SecretWrite>,
    events: Option<Vec<Event>>,
    settings: Option<ProjectSettings>,
    tasks: Vec<RotationTask>,
    records: Vec<NotificationRecord>,
    /// Outcomes of records and tasks already stored, in one list to keep the job small.
    settled: Vec<Settled>,
}

/// An outcome written after the row it settles.
enum Settled {
    Record((uuid::Uuid, NotificationStatus)),
    Task(crate::store::SettledTask),
}

fn same_metadata(a: &Version, b: &Version) -> bool {
    a.create_time == b.create_time
        && a.expire_time == b.expire_time
        && a.kms_key_id == b.kms_key_id
        && a.expiry_notified == b.expiry_notified
}

fn new_version_row(
    vault: &Vault,
    project: &str,
    secret: &Secret,
    version: &Version,
) -> Result<VersionRow, StoreError> {
    let (binary, plain) = match (version.value.as_text(), version.value.as_binary()) {
        (Some(text), _) => (false, text),
        (None, Some(b64)) => (true, b64),
        (None, None) => (false, ""),
    };
    let sealed = vault.seal_bytes(
        project,
        version.kms_key_id.as_str(),
        &aad(project, secret.name().as_str(), version.number.0),
        plain.as_bytes(),
    )?;
    Ok(VersionRow {
        number: version.number.0,
        meta: codec::version_meta(&version.to_record(false))?,
        sealed: Some((binary, sealed)),
    })
}

/// The rows that carry a transaction's writes to disk; `base` is the state they replace.
pub(super) fn job_for(
    vault: &Vault,
    project: &str,
    base: &ProjectData,
    writes: &Writes,
) -> Result<WriteJob, StoreError> {
    let mut secrets = Vec::with_capacity(writes.secrets.len());
    for (name, new) in &writes.secrets {
        let Some(secret) = new else {
            secrets.push(SecretWrite {
                name: name.to_string(),
                meta: None,
                replaces: true,
                gone: Vec::new(),
                rows: Vec::new(),
            });
            continue;
        };
        let before = base.secrets.get(name);
        let stored = before.filter(|old| old.id() == secret.id());
        let mut gone = Vec::new();
        let mut rows = Vec::new();
        match stored {
            None => {
                for version in secret.versions() {
                    rows.push(new_version_row(vault, project, secret, version)?);
                }
            }
            Some(old) => {
                gone.extend(
                    old.versions()
                        .iter()
                        .filter(|v| secret.version_numbered(v.number).is_none())
                        .map(|v| v.number.0),
                );
                for version in secret.versions() {
                    match old.version_numbered(version.number) {
                        None => rows.push(new_version_row(vault, project, secret, version)?),
                        Some(before) if !same_metadata(before, version) => {
                            rows.push(VersionRow {
                                number: version.number.0,
                                meta: codec::version_meta(&version.to_record(false))?,
                                sealed: None,
                            });
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        let record = secret.to_record_without_versions();
        // The read moment goes to disk with this row. Should the commit fail, the store
        // refuses every later write anyway, so nothing is left to keep it.
        secret.last_used().kept(record.last_used_time);
        secrets.push(SecretWrite {
            name: name.to_string(),
            meta: Some(codec::secret_row(&record)?),
            // Memory mirrors the disk: a name memory never held has no rows to clear.
            replaces: before.is_some() && stored.is_none(),
            gone,
            rows,
        });
    }
    Ok(WriteJob {
        project: project.to_owned(),
        secrets,
        events: writes
            .events
            .as_ref()
            .map(|e| e.values().cloned().collect()),
        settings: writes.settings.clone(),
        tasks: writes.tasks.clone(),
        records: writes.records.clone(),
        settled: writes
            .settled
            .iter()
            .copied()
            .map(Settled::Record)
            .chain(writes.settled_tasks.iter().cloned().map(Settled::Task))
            .collect(),
    })
}

/// Writes one transaction's rows.
pub(super) fn persist(tx: &Transaction<'_>, job: &WriteJob) -> Result<(), StoreError> {
    let project = job.project.as_str();
    for write in &job.secrets {
        persist_secret(tx, project, write)?;
    }
    let mut state = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO project_state (project, kind, body) VALUES (?1, ?2, ?3)",
        )
        .map_err(StoreError::statement("store project state"))?;
    if let Some(events) = &job.events {
        state
            .execute(params![project, "events", json(events)?])
            .map_err(StoreError::statement("store events"))?;
    }
    if let Some(settings) = &job.settings {
        state
            .execute(params![project, SETTINGS_KIND, json(settings)?])
            .map_err(StoreError::statement("store extras"))?;
    }
    let mut log = tx
        .prepare_cached("INSERT INTO log (project, kind, body) VALUES (?1, ?2, ?3)")
        .map_err(StoreError::statement("store log"))?;
    for task in &job.tasks {
        log.execute(params![project, "task", json(task)?])
            .map_err(StoreError::statement("store task"))?;
    }
    for record in &job.records {
        log.execute(params![project, "record", json(record)?])
            .map_err(StoreError::statement("store record"))?;
    }
    // A delivery outcome is a row of its own after its record's: the log stays
    // append-only, and loading applies the rows in order (docs/behaviour.md §56).
    for settled in &job.settled {
        let (kind, body) = match settled {
            Settled::Record(outcome) => ("settled", json(outcome)?),
            Settled::Task(outcome) => ("task_settled", json(outcome)?),
        };
        log.execute(params![project, kind, body])
            .map_err(StoreError::statement("store an outcome"))?;
    }
    Ok(())
}

fn persist_secret(
    tx: &Transaction<'_>,
    project: &str,
    write: &SecretWrite,
) -> Result<(), StoreError> {
    let name = write.name.as_str();
    if write.replaces {
        tx.prepare_cached("DELETE FROM versions WHERE project = ?1 AND name = ?2")
            .and_then(|mut st| st.execute(params![project, name]))
            .map_err(StoreError::statement("clear versions"))?;
    }
    let Some(meta) = &write.meta else {
        tx.prepare_cached("DELETE FROM secrets WHERE project = ?1 AND name = ?2")
            .and_then(|mut st| st.execute(params![project, name]))
            .map_err(StoreError::statement("delete secret"))?;
        return Ok(());
    };
    for number in &write.gone {
        tx.prepare_cached("DELETE FROM versions WHERE project = ?1 AND name = ?2 AND number = ?3")
            .and_then(|mut st| st.execute(params![project, name, number]))
            .map_err(StoreError::statement("delete version"))?;
    }
    for row in &write.rows {
        match &row.sealed {
            Some((binary, value)) => tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO versions (project, name, number, meta, binary, value)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .and_then(|mut st| {
                    st.execute(params![project, name, row.number, row.meta, binary, value])
                })
                .map_err(StoreError::statement("store version"))?,
            None => tx
                .prepare_cached(
                    "UPDATE versions SET meta = ?4 WHERE project = ?1 AND name = ?2 AND number = ?3",
                )
                .and_then(|mut st| st.execute(params![project, name, row.number, row.meta]))
                .map_err(StoreError::statement("update version"))?,
        };
    }
    tx.prepare_cached("INSERT OR REPLACE INTO secrets (project, name, body) VALUES (?1, ?2, ?3)")
        .and_then(|mut st| st.execute(params![project, name, meta]))
        .map_err(StoreError::statement("store secret"))?;
    Ok(())
}

/// One stored version, its value opened and the version rebuilt: the next row of a cursor
/// over `versions`.
fn read_version(
    row: &rusqlite::Row<'_>,
    vault: &Vault,
    projects: &mut SharedText,
    aad_text: &mut String,
) -> Result<StoredVersion, StoreError> {
    let project = projects.get(row, 0)?;
    let (name, number): (String, u32) = (row.get(1)?, row.get(2)?);
    let binary: bool = row.get(4)?;
    let sealed = row.get_ref(5)?.as_blob().map_err(rusqlite::Error::from)?;
    let mut record =
        codec::read_version_meta(row.get_ref(3)?).map_err(|e| StoreError::Damaged {
            what: format!("secret {name} version {number}"),
            detail: format!("unreadable metadata: {e}"),
        })?;
    // The master key already opened the directory's key check (schema.rs), so a value it
    // cannot open was damaged, not sealed under another key.
    aad_text.clear();
    write_aad(aad_text, &project, &name, number);
    let plain = vault
        .open_bytes(&project, &record.kms_key_id, aad_text, sealed)
        .map_err(|e| StoreError::Damaged {
            what: format!("project {project}, secret {name}, version v{number}"),
            detail: format!("the stored value is damaged ({e})"),
        })?;
    let text = String::from_utf8(plain).map_err(|_| StoreError::Damaged {
        what: format!("project {project}, secret {name}, version v{number}"),
        detail: "the value is not UTF-8".to_owned(),
    })?;
    if binary {
        record.secret_binary = Some(text);
    } else {
        record.secret_string = Some(text);
    }
    // Kept until the join: a version of no stored secret is skipped, whatever it holds.
    let version = Version::from_record(record).map_err(|e| StoreError::Damaged {
        what: format!("project {project}, secret {name}, version v{number}"),
        detail: e.to_string(),
    });
    Ok((project, name, version))
}

/// One stored version: its project, its secret's name and the version, value opened (or
/// why it could not be rebuilt).
type StoredVersion = (Arc<str>, String, Result<Version, StoreError>);

/// One stored secret's row: its project and the secret rebuilt without its versions.
type StoredSecret = (Arc<str>, Unversioned);

/// How many rows a loading thread sends at a time.
pub(super) const LOAD_BATCH: usize = 1024;

/// Hands rows to `send` in batches of [`LOAD_BATCH`]; false when `send` wants no more.
struct Batcher<'s, T> {
    batch: Vec<T>,
    send: &'s mut dyn FnMut(Vec<T>) -> bool,
}

impl<T> Batcher<'_, T> {
    fn push(&mut self, item: T) -> bool {
        self.batch.push(item);
        self.batch.len() < LOAD_BATCH
            || (self.send)(std::mem::replace(
                &mut self.batch,
                Vec::with_capacity(LOAD_BATCH),
            ))
    }

    fn finish(self) {
        if !self.batch.is_empty() {
            (self.send)(self.batch);
        }
    }
}

/// Reads every version in key order, (project, name, number), opening each value.
fn read_versions(
    conn: &Connection,
    vault: &Vault,
    send: &mut dyn FnMut(Vec<StoredVersion>) -> bool,
) -> Result<(), StoreError> {
    let mut statement = conn.prepare(
        "SELECT project, name, number, meta, binary, value FROM versions ORDER BY project, name, number",
    )?;
    let mut rows = statement.query([])?;
    let mut out = Batcher {
        batch: Vec::with_capacity(LOAD_BATCH),
        send,
    };
    let (mut projects, mut aad_text) = (SharedText::default(), String::new());
    while let Some(row) = rows.next()? {
        if !out.push(read_version(row, vault, &mut projects, &mut aad_text)?) {
            return Ok(());
        }
    }
    out.finish();
    Ok(())
}

/// Reads every secret's row in key order, (project, name), without its versions.
fn read_secret_rows(
    conn: &Connection,
    send: &mut dyn FnMut(Vec<StoredSecret>) -> bool,
) -> Result<(), StoreError> {
    let mut statement =
        conn.prepare("SELECT project, name, body FROM secrets ORDER BY project, name")?;
    let mut rows = statement.query([])?;
    let mut out = Batcher {
        batch: Vec::with_capacity(LOAD_BATCH),
        send,
    };
    let mut projects = SharedText::default();
    while let Some(row) = rows.next()? {
        // The body holds the name too; the key's must be the same, so that the secrets
        // arrive one per name and in name order, as the name index is built for.
        let key_name = row.get_ref(1)?.as_bytes().map_err(rusqlite::Error::from)?;
        let name = || String::from_utf8_lossy(key_name);
        let record = codec::read_secret_row(row.get_ref(2)?).map_err(|e| StoreError::Damaged {
            what: format!("secret {}", name()),
            detail: format!("unreadable: {e}"),
        })?;
        let secret = Unversioned::from_record(record).map_err(|e| StoreError::Damaged {
            what: format!("secret {}", name()),
            detail: e.to_string(),
        })?;
        if secret.name().as_str().as_bytes() != key_name {
            return Err(StoreError::Damaged {
                what: format!("secret {}", name()),
                detail: format!("its row holds secret {}", secret.name()),
            });
        }
        if !out.push((projects.get(row, 0)?, secret)) {
            return Ok(());
        }
    }
    out.finish();
    Ok(())
}

/// Rows read in key order, by a thread of their own or up front, taken one at a time.
struct Rows<T> {
    batches: std::sync::mpsc::Receiver<Result<Vec<T>, StoreError>>,
    current: std::vec::IntoIter<T>,
}

impl<T: Send> Rows<T> {
    /// Starts `read` on a scoped thread with its own read-only connection to `path`.
    fn start<'scope, 'env: 'scope>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        thread: &str,
        path: &'env str,
        read: impl FnOnce(&Connection, &mut dyn FnMut(Vec<T>) -> bool) -> Result<(), StoreError>
        + Send
        + 'scope,
    ) -> Result<Self, StoreError>
    where
        T: 'scope,
    {
        let (sender, batches) = std::sync::mpsc::sync_channel(8);
        std::thread::Builder::new()
            .name(thread.into())
            .spawn_scoped(scope, move || {
                // One thread uses the connection (no mutex). It reads pages with plain
                // reads: a memory map took 5% more CPU at 1M secrets (page faults).
                let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let result = Connection::open_with_flags(path, flags)
                    .map_err(StoreError::from)
                    .and_then(|own| read(&own, &mut |batch| sender.send(Ok(batch)).is_ok()));
                if let Err(e) = result {
                    let _ = sender.send(Err(e));
                }
            })
            .map_err(|source| StoreError::Thread {
                which: "loader",
                source,
            })?;
        Ok(Self {
            batches,
            current: Vec::new().into_iter(),
        })
    }

    fn next(&mut self) -> Result<Option<T>, StoreError> {
        loop {
            if let Some(item) = self.current.next() {
                return Ok(Some(item));
            }
            match self.batches.recv() {
                Ok(batch) => self.current = batch?.into_iter(),
                Err(_) => return Ok(None),
            }
        }
    }
}

/// Every stored secret with its versions and opened values, grouped by project, each
/// project's secrets indexed as they come. Both tables are read in their primary key's
/// order, (project, name[, number]), and joined as they go: no map of every version is
/// built, so loading costs the same per secret at any size. Each table is read (its rows
/// decoded and sealed values opened, its versions rebuilt) by a thread of its own with its own
/// connection, while this one joins them, checks each secret and indexes it: nothing
/// else writes while the state loads (at start, or on the writer thread after a failed
/// commit), so every connection sees the same state. Versions of no stored secret are
/// skipped, as they always were.
pub(super) fn load_secrets(
    conn: &Connection,
    vault: &Vault,
) -> Result<Vec<(Arc<str>, ProjectLoad)>, StoreError> {
    // The store always opens a file (`files::DB_FILE` in its directory).
    let path = conn
        .path()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| StoreError::Damaged {
            what: "the database".to_owned(),
            detail: "it has no file the loaders could open".to_owned(),
        })?;
    std::thread::scope(|scope| {
        let mut versions = Rows::start(scope, "csms-load-versions", path, |c, send| {
            read_versions(c, vault, send)
        })?;
        let mut secrets = Rows::start(scope, "csms-load-secrets", path, read_secret_rows)?;
        join_secrets(&mut secrets, &mut versions)
    })
}

/// Gives each secret, in key order, the versions `versions` holds for it.
fn join_secrets(
    secrets: &mut Rows<StoredSecret>,
    versions: &mut Rows<StoredVersion>,
) -> Result<Vec<(Arc<str>, ProjectLoad)>, StoreError> {
    let mut next_version = versions.next()?;
    let mut by_project: Vec<(Arc<str>, ProjectLoad)> = Vec::new();
    while let Some((project, unversioned)) = secrets.next()? {
        let key = (&*project, unversioned.name().as_str());
        let mut own = SmallVec::new();
        while let Some((p, n, version)) = next_version.take() {
            match (&*p, n.as_str()).cmp(&key) {
                std::cmp::Ordering::Greater => {
                    next_version = Some((p, n, version));
                    break;
                }
                std::cmp::Ordering::Equal => own.push(version?),
                std::cmp::Ordering::Less => {}
            }
            next_version = versions.next()?;
        }
        let name = unversioned.name().clone();
        let secret = unversioned
            .with_versions(own)
            .map_err(|e| StoreError::Damaged {
                what: format!("secret {name}"),
                detail: e.to_string(),
            })?;
        if by_project.last().is_none_or(|(p, _)| *p != project) {
            by_project.push((project, ProjectLoad::default()));
        }
        if let Some((_, load)) = by_project.last_mut() {
            load.push(Arc::new(secret));
        }
    }
    Ok(by_project)
}

/// Every three-text-column row of a query.
fn text_rows(conn: &Connection, sql: &str) -> Result<Vec<(String, String, String)>, StoreError> {
    let mut statement = conn.prepare(sql)?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(StoreError::from)
}

/// The whole stored state, by project, for an empty memory store.
pub(super) fn read_state(
    conn: &Connection,
    vault: &Vault,
) -> Result<Vec<(ProjectId, ProjectData)>, StoreError> {
    let mut loads: BTreeMap<String, ProjectLoad> = load_secrets(conn, vault)?
        .into_iter()
        .map(|(project, load)| (project.to_string(), load))
        .collect();
    let mut by_project: BTreeMap<String, Writes> = BTreeMap::new();
    for (project, kind, body) in text_rows(conn, "SELECT project, kind, body FROM project_state")? {
        let writes = by_project.entry(project).or_default();
        match kind.as_str() {
            "events" => {
                let events: Vec<Event> = serde_json::from_str(&body)?;
                writes.events = Some(events.into_iter().map(|e| (e.name.clone(), e)).collect());
            }
            SETTINGS_KIND => {
                writes.settings = Some(serde_json::from_str::<ProjectSettings>(&body)?);
            }
            _ => {}
        }
    }
    for (project, kind, body) in
        text_rows(conn, "SELECT project, kind, body FROM log ORDER BY seq")?
    {
        let writes = by_project.entry(project).or_default();
        match kind.as_str() {
            "task" => writes
                .tasks
                .push(serde_json::from_str::<RotationTask>(&body)?),
            "record" => writes
                .records
                .push(serde_json::from_str::<NotificationRecord>(&body)?),
            "task_settled" => {
                let (id, status, error) = serde_json::from_str::<crate::store::SettledTask>(&body)?;
                if let Some(task) = writes.tasks.iter_mut().rev().find(|t| t.id == id) {
                    task.status = status;
                    task.error = error;
                }
            }
            "settled" => {
                let (id, status) = serde_json::from_str::<(uuid::Uuid, NotificationStatus)>(&body)?;
                if let Some(record) = writes.records.iter_mut().rev().find(|r| r.id == id) {
                    record.status = status;
                }
            }
            _ => {}
        }
    }
    for project in loads.keys() {
        if !by_project.contains_key(project) {
            by_project.insert(project.clone(), Writes::default());
        }
    }
    let mut state = Vec::with_capacity(by_project.len());
    for (project, mut writes) in by_project {
        let tasks_over = writes.tasks.len().saturating_sub(TASKS_MAX);
        writes.tasks.drain(..tasks_over);
        let records_over = writes.records.len().saturating_sub(RECORDS_MAX);
        writes.records.drain(..records_over);
        let data = loads.remove(&project).unwrap_or_default().finish(writes);
        // A project that holds nothing but rows at their defaults (settings changed, then
        // changed back) is no project, as in memory, where a write that empties a
        // project removes it.
        if !data.is_empty() {
            state.push((project_id(&project)?, data));
        }
    }
    Ok(state)
}

/// A stored project's id: one a path named, or the global namespace's.
fn project_id(stored: &str) -> Result<ProjectId, StoreError> {
    let global = ProjectId::global();
    if stored == global.as_str() {
        return Ok(global);
    }
    ProjectId::parse(stored).map_err(|e| StoreError::Damaged {
        what: format!("project {stored}"),
        detail: e.to_string(),
    })
}

/// Deletes the rows of one project, or of every project.
pub(super) fn reset_rows(tx: &Transaction<'_>, project: Option<&str>) -> Result<(), StoreError> {
    match project {
        Some(p) => {
            for table in ["secrets", "versions", "project_state", "log"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE project = ?1"),
                    params![p],
                )
                .map_err(StoreError::statement("reset"))?;
            }
        }
        None => {
            tx.execute_batch(
                "DELETE FROM secrets; DELETE FROM versions; DELETE FROM project_state; DELETE FROM log;",
            )
            .map_err(StoreError::statement("reset"))?;
        }
    }
    Ok(())
}
