//! Storage: a synchronous, object-safe [`Store`] trait whose only write path is an atomic
//! read-modify-write transaction over one project. Reads see committed data only.
//!
//! The store keeps a project's secrets, events, tasks, notification records and settings
//! ([`ProjectSettings`]: grants, the checker switch, agencies, the user's password), and
//! applies a transaction's writes all together, or none of them when the transaction
//! fails. It maintains derived indexes, updated in the same commit as the secrets they
//! index: secret id → secret (tags address secrets by id), the time each secret next has
//! work due, and tag → value → names (the tag search and the project's tag list).
//!
//! The rules of CSMS live in `domain` and `service`, except the few that must hold for
//! every writer at the moment of commit, under the store's lock, where no caller can
//! interleave:
//! - a new secret's name and id are free ([`Tx::ensure_name_free`], [`Tx::insert_new`]):
//!   checked and inserted in one transaction, so two concurrent creates of one name
//!   cannot both succeed;
//! - nothing is committed that would not load again ([`Writes::check_invariants`], which
//!   asks the domain's own check of each written secret);
//! - a project keeps at most [`RECORDS_MAX`] notification records and [`TASKS_MAX`]
//!   rotation tasks, the oldest dropped first when a commit is applied.
//!
//! Reads apply one domain rule on the way out: a secret whose recovery window has ended is
//! gone for every reader ([`ProjectData::live_secret`]) even before due work removes it.

pub mod durability;
pub mod keyed;
pub mod memory;
pub mod sqlite;
pub mod vault;

#[cfg(test)]
pub(crate) mod contract;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::event::{Event, NotificationRecord, NotificationStatus};
use crate::domain::grant::Grant;
use crate::domain::names::{EventName, ProjectId, SecretName};
use crate::domain::password::PasswordDigest;
use crate::domain::secret::Secret;
use crate::domain::task::{RotationTask, TaskStatus};
use crate::error::CsmsError;
use crate::error::StoreError;

pub use keyed::{SecretsById, SecretsByName};

/// At most this many notification records are kept per project; the oldest go first
/// (the real service keeps three months).
pub const RECORDS_MAX: usize = 10_000;
/// At most this many rotation tasks are kept per project; the oldest go first.
pub const TASKS_MAX: usize = 10_000;

/// What a project keeps beside its secrets, events, tasks and records: the grants and
/// the secrets checker's switch and, in the global namespace ([`ProjectId::global`]), the
/// agencies and the emulated user's password. Small, so it is stored as one document
/// (the SQLite backend keeps it as the `extras` row of the project).
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProjectSettings {
    /// `secrets/checker/config`.
    pub checking_secret_strength: bool,
    /// Grants by resource id, then grantee id.
    pub grants: BTreeMap<String, BTreeMap<String, Grant>>,
    /// Agencies created per secret type (global state).
    pub agencies: BTreeMap<String, String>,
    /// The emulated user's password, once changed (global state), as a hash only.
    pub user_password: Option<PasswordDigest>,
    /// When the emulated user's password was last changed.
    #[serde(default)]
    pub user_password_changed_at: Option<crate::clock::Millis>,
}

impl std::fmt::Debug for ProjectSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectSettings")
            .field("checking_secret_strength", &self.checking_secret_strength)
            .field("grants", &self.grants)
            .field("agencies", &self.agencies)
            .field("user_password", &self.user_password)
            .field("user_password_changed_at", &self.user_password_changed_at)
            .finish()
    }
}

/// Everything one project holds (docs/behaviour.md §24: projects share nothing).
#[derive(Debug, Clone, Default)]
pub struct ProjectData {
    /// In name order (docs/behaviour.md §16). Behind `Arc`: tree nodes stay small, and a
    /// write replaces one secret without copying the others.
    pub secrets: SecretsByName,
    /// Keyed by name (docs/behaviour.md §16).
    pub events: BTreeMap<EventName, Event>,
    /// In creation order.
    pub tasks: Vec<RotationTask>,
    /// In creation order. A ring: past [`RECORDS_MAX`] each new record drops the oldest
    /// without moving the others (a `Vec` moved all 10,000 on every write that notified).
    pub records: VecDeque<NotificationRecord>,
    pub settings: ProjectSettings,
    /// By id: the same `Arc` as in `secrets`, so the index costs no copy of the name.
    ids: SecretsById,
    due: BTreeSet<(Millis, SecretName)>,
    /// Tag key → value → the names of the secrets that carry it; no empty entry is kept.
    tags: TagIndex,
}

/// A project's secrets as the durable store reads them back, in name order, one per name
/// (a primary key's order): each is indexed as it arrives, while it is still in the
/// cache, and the name and id indexes are built in one pass each at the end. At 1M
/// secrets, a second pass over the finished secrets cost a tenth of a restart in cache
/// misses.
#[derive(Debug, Default)]
pub struct ProjectLoad {
    data: ProjectData,
    secrets: Vec<Arc<Secret>>,
}

impl ProjectLoad {
    /// Adds the next secret in name order.
    pub fn push(&mut self, secret: Arc<Secret>) {
        self.data.index_schedule_and_tags(&secret);
        self.secrets.push(secret);
    }

    /// The project: the secrets pushed, then `rest` applied (its own secrets included).
    #[must_use]
    pub fn finish(mut self, rest: Writes) -> ProjectData {
        self.data.ids.add_all(&self.secrets);
        self.data.secrets.add_new(self.secrets);
        self.data.apply(rest);
        self.data
    }
}

/// Tag key → value → names, in name order.
pub type TagIndex = BTreeMap<String, BTreeMap<String, BTreeSet<SecretName>>>;

/// The names the tag index holds for one tag filter: one set per admitted value, each in
/// name order and disjoint (a secret has one value per key). Destroyed secrets not yet
/// removed are among them; readers filter them out.
#[derive(Debug)]
pub struct Tagged<'d>(Vec<&'d BTreeSet<SecretName>>);

impl<'d> Tagged<'d> {
    /// How many names, counted from the sets' sizes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.iter().map(|names| names.len()).sum()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The names, in name order.
    #[must_use]
    pub fn names(&self) -> Box<dyn Iterator<Item = &'d SecretName> + 'd> {
        match self.0.as_slice() {
            [] => Box::new(std::iter::empty()),
            [one] => Box::new(one.iter()),
            several => {
                let mut all: Vec<&SecretName> = several.iter().flat_map(|n| n.iter()).collect();
                all.sort_unstable();
                Box::new(all.into_iter())
            }
        }
    }
}

impl ProjectData {
    /// The secret named `name` as readers see it at `now`: a secret whose recovery window
    /// has ended is gone even before due work removes it (docs/behaviour.md §18).
    #[must_use]
    pub fn live_secret(&self, name: &SecretName, now: Millis) -> Option<&Arc<Secret>> {
        self.secrets.get(name).filter(|s| !s.is_destroyed_at(now))
    }

    /// The secret with this id, as readers see it at `now`.
    #[must_use]
    pub fn live_secret_by_id(&self, id: Uuid, now: Millis) -> Option<&Arc<Secret>> {
        self.ids.get(id).filter(|s| !s.is_destroyed_at(now))
    }

    /// Every secret readers see at `now`, in name order.
    pub fn live_secrets(&self, now: Millis) -> impl Iterator<Item = &Arc<Secret>> {
        self.live_secrets_after(None, now)
    }

    /// The secrets readers see at `now` whose names come strictly after `marker`, in name
    /// order: a page starts where its marker is, whatever came before it.
    pub fn live_secrets_after(
        &self,
        marker: Option<&SecretName>,
        now: Millis,
    ) -> impl Iterator<Item = &Arc<Secret>> {
        self.secrets
            .after(marker)
            .filter(move |s| !s.is_destroyed_at(now))
    }

    /// How many secrets readers see at `now`.
    #[must_use]
    pub fn live_count(&self, now: Millis) -> usize {
        self.secrets.len() - self.destroyed_at(now).count()
    }

    /// The secrets still held whose recovery window has ended by `now` (readers no longer
    /// see them; due work removes them). Few, and found through the due index.
    pub fn destroyed_at(&self, now: Millis) -> impl Iterator<Item = &Arc<Secret>> {
        self.due_at(now)
            .filter_map(|name| self.secrets.get(name))
            .filter(move |s| s.is_destroyed_at(now))
    }

    /// The names carrying `key` with one of `values` (any value when there are none),
    /// from the tag index: what a tag search or the console's tag filter starts from.
    #[must_use]
    pub fn tagged(&self, key: &str, values: &BTreeSet<String>) -> Tagged<'_> {
        Tagged(match self.tags.get(key) {
            None => Vec::new(),
            Some(by_value) if values.is_empty() => by_value.values().collect(),
            Some(by_value) => values.iter().filter_map(|v| by_value.get(v)).collect(),
        })
    }

    /// The tag index: every key, each value, the names carrying it (destroyed secrets
    /// included until they are removed; see [`Self::destroyed_at`]).
    #[must_use]
    pub fn tags(&self) -> &TagIndex {
        &self.tags
    }

    /// Names of secrets with work due at or before `now`.
    pub fn due_at(&self, now: Millis) -> impl Iterator<Item = &SecretName> {
        self.due
            .iter()
            .take_while(move |(at, _)| *at <= now)
            .map(|(_, name)| name)
    }

    /// The earliest moment any secret of the project has work due.
    #[must_use]
    pub fn next_due(&self) -> Option<Millis> {
        self.due.first().map(|(at, _)| *at)
    }

    fn unindex(&mut self, secret: &Secret) {
        self.ids.remove(secret.id());
        if let Some(at) = secret.next_due() {
            self.due.remove(&(at, secret.name().clone()));
        }
        for (key, value) in secret.tags() {
            let Some(values) = self.tags.get_mut(key) else {
                continue;
            };
            if let Some(names) = values.get_mut(value) {
                names.remove(secret.name());
                if names.is_empty() {
                    values.remove(value);
                }
            }
            if values.is_empty() {
                self.tags.remove(key);
            }
        }
    }

    fn index(&mut self, secret: &Arc<Secret>) {
        self.ids.insert(Arc::clone(secret));
        self.index_schedule_and_tags(secret);
    }

    /// [`ProjectData::index`] without the id index.
    fn index_schedule_and_tags(&mut self, secret: &Arc<Secret>) {
        if let Some(at) = secret.next_due() {
            self.due.insert((at, secret.name().clone()));
        }
        for (key, value) in secret.tags() {
            self.tags
                .entry(key.clone())
                .or_default()
                .entry(value.clone())
                .or_default()
                .insert(secret.name().clone());
        }
    }

    /// Applies a committed transaction's writes. Many new secrets at once (a load, a
    /// batch import) are merged into the name index in one pass; otherwise each is put in
    /// place with one walk of the tree. The old secret is unindexed before the new one is
    /// indexed, as both may share an id.
    pub fn apply(&mut self, writes: Writes) {
        let bulk = writes.secrets.len() >= self.secrets.len();
        let mut added = Vec::new();
        for (name, secret) in writes.secrets {
            let old = match &secret {
                Some(secret) if !bulk => self.secrets.replace(Arc::clone(secret)),
                _ => self.secrets.remove(&name),
            };
            if let Some(old) = old {
                self.unindex(&old);
            }
            if let Some(secret) = secret {
                self.index(&secret);
                if bulk {
                    added.push(secret);
                }
            }
        }
        self.secrets.add_new(added);
        if let Some(events) = writes.events {
            self.events = events;
        }
        if let Some(settings) = writes.settings {
            self.settings = settings;
        }
        append_capped(&mut self.tasks, writes.tasks, TASKS_MAX);
        self.records.extend(writes.records);
        let over = self.records.len().saturating_sub(RECORDS_MAX);
        self.records.drain(..over);
        self.settle(&writes.settled);
        self.settle_tasks(&writes.settled_tasks);
    }

    /// Gives rotation tasks their outcome; a task the cap already dropped is left alone.
    pub fn settle_tasks(&mut self, settled: &[SettledTask]) {
        for (id, status, error) in settled {
            if let Some(task) = self.tasks.iter_mut().rev().find(|t| t.id == *id) {
                task.status = *status;
                task.error.clone_from(error);
            }
        }
    }

    /// The rotation tasks waiting for their function, oldest first.
    pub fn pending_tasks(&self) -> impl Iterator<Item = &RotationTask> {
        self.tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Rotating)
    }

    /// Gives notification records their delivery outcome; a record the cap already
    /// dropped is left alone. Settled records are recent, so the search starts at the end.
    pub fn settle(&mut self, settled: &[(Uuid, NotificationStatus)]) {
        for (id, status) in settled {
            if let Some(record) = self.records.iter_mut().rev().find(|r| r.id == *id) {
                record.status = *status;
            }
        }
    }

    /// The notification records whose delivery is not finished, oldest first.
    pub fn pending_records(&self) -> impl Iterator<Item = &NotificationRecord> {
        self.records
            .iter()
            .filter(|r| r.status == NotificationStatus::Pending)
    }

    /// Whether the project holds nothing at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
            && self.events.is_empty()
            && self.tasks.is_empty()
            && self.records.is_empty()
            && self.settings == ProjectSettings::default()
    }
}

fn append_capped<T>(list: &mut Vec<T>, new: Vec<T>, cap: usize) {
    list.extend(new);
    if list.len() > cap {
        list.drain(..list.len() - cap);
    }
}

/// The pending writes of a transaction.
#[derive(Debug, Default)]
pub struct Writes {
    /// A new state per secret name, `None` for removal.
    pub secrets: BTreeMap<SecretName, Option<Arc<Secret>>>,
    /// The whole event map, when changed (projects hold few events).
    pub events: Option<BTreeMap<EventName, Event>>,
    pub settings: Option<ProjectSettings>,
    pub tasks: Vec<RotationTask>,
    pub records: Vec<NotificationRecord>,
    /// Delivery outcomes of records already committed.
    pub settled: Vec<(Uuid, NotificationStatus)>,
    /// Outcomes of rotation tasks already committed.
    pub settled_tasks: Vec<SettledTask>,
}

/// A rotation task's outcome: its id, status and `(task_error_code, task_error_msg)`.
pub type SettledTask = (Uuid, TaskStatus, Option<(String, String)>);

impl Writes {
    /// Refuses a transaction that would store a secret loading would refuse: whatever is
    /// committed must load again at the next start.
    pub fn check_invariants(&self) -> Result<(), CsmsError> {
        for secret in self.secrets.values().flatten() {
            secret
                .check_invariants()
                .map_err(|err| StoreError::Unloadable {
                    secret: secret.name().to_string(),
                    rule: err.to_string(),
                })?;
        }
        Ok(())
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
            && self.events.is_none()
            && self.settings.is_none()
            && self.tasks.is_empty()
            && self.records.is_empty()
            && self.settled.is_empty()
            && self.settled_tasks.is_empty()
    }
}

/// A transaction over one project: reads see committed data plus this transaction's own
/// writes; nothing is visible to others until the store commits it.
#[derive(Debug)]
pub struct Tx<'a> {
    base: &'a ProjectData,
    writes: Writes,
    /// The names this transaction has written under each secret id, so looking a pending
    /// secret up by id costs the same however many the transaction holds. Built at the
    /// first `put` that finds more than [`SCAN_WRITES_MAX`] names written (removals
    /// included), then kept; until then (`None`) a look through the written secrets costs
    /// less than the map (one create writes one secret).
    written_ids: Option<HashMap<Uuid, SecretName, foldhash::fast::RandomState>>,
}

/// How many written secrets a transaction looks through by id before it indexes them.
const SCAN_WRITES_MAX: usize = 8;

impl<'a> Tx<'a> {
    #[must_use]
    pub fn new(base: &'a ProjectData) -> Self {
        Self {
            base,
            writes: Writes::default(),
            written_ids: None,
        }
    }

    /// The secret named `name`, as this transaction sees it.
    #[must_use]
    pub fn get(&self, name: &SecretName) -> Option<&Secret> {
        match self.writes.secrets.get(name) {
            Some(pending) => pending.as_deref(),
            None => self.base.secrets.get(name).map(|s| &**s),
        }
    }

    /// The secret with id `id`, as this transaction sees it.
    #[must_use]
    pub fn get_by_id(&self, id: Uuid) -> Option<&Secret> {
        let written = match &self.written_ids {
            None => self
                .writes
                .secrets
                .values()
                .flatten()
                .find(|s| s.id() == id)
                .map(|s| &**s),
            Some(written_ids) => written_ids
                .get(&id)
                .and_then(|name| self.get(name))
                .filter(|s| s.id() == id),
        };
        written.or_else(|| {
            self.base
                .ids
                .get(id)
                .and_then(|stored| self.get(stored.name()))
                .filter(|s| s.id() == id)
        })
    }

    /// Fails with 409 `CSMS.0101` when a secret, in any state, holds `name`
    /// (docs/behaviour.md §19): the one place the rule lives.
    pub fn ensure_name_free(&self, name: &SecretName) -> Result<(), CsmsError> {
        match self.get(name) {
            Some(_) => Err(CsmsError::NameExists(name.to_string())),
            None => Ok(()),
        }
    }

    /// Inserts a secret that must be new: its name free (see [`Self::ensure_name_free`])
    /// and its id not held by another secret. Create, batch import, restore and fixtures
    /// all add secrets through it.
    pub fn insert_new(&mut self, secret: Secret) -> Result<Arc<Secret>, CsmsError> {
        self.ensure_name_free(secret.name())?;
        if self.get_by_id(secret.id()).is_some() {
            return Err(CsmsError::NameExists(secret.name().to_string()));
        }
        Ok(self.put(secret))
    }

    /// Inserts or replaces a secret under its own name; returns the stored snapshot.
    pub fn put(&mut self, secret: Secret) -> Arc<Secret> {
        let stored = Arc::new(secret);
        self.writes
            .secrets
            .insert(stored.name().clone(), Some(Arc::clone(&stored)));
        if let Some(written_ids) = &mut self.written_ids {
            written_ids.insert(stored.id(), stored.name().clone());
        } else if self.writes.secrets.len() > SCAN_WRITES_MAX {
            let written = self.writes.secrets.values().flatten();
            self.written_ids = Some(written.map(|s| (s.id(), s.name().clone())).collect());
        }
        stored
    }

    /// Removes a secret.
    pub fn remove(&mut self, name: &SecretName) {
        self.writes.secrets.insert(name.clone(), None);
    }

    /// Every secret this transaction sees, in name order.
    pub fn secrets(&self) -> impl Iterator<Item = &Secret> {
        let names: BTreeSet<&SecretName> = self
            .base
            .secrets
            .keys()
            .chain(self.writes.secrets.keys())
            .collect();
        names.into_iter().filter_map(|name| self.get(name))
    }

    /// Names of secrets with work due at or before `now`, committed or written here.
    #[must_use]
    pub fn due_at(&self, now: Millis) -> Vec<SecretName> {
        let mut names: BTreeSet<SecretName> = self.base.due_at(now).cloned().collect();
        for (name, secret) in &self.writes.secrets {
            match secret {
                Some(s) if s.next_due().is_some_and(|at| at <= now) => {
                    names.insert(name.clone());
                }
                _ => {
                    names.remove(name);
                }
            }
        }
        names.into_iter().collect()
    }

    /// The events as this transaction sees them.
    #[must_use]
    pub fn events(&self) -> &BTreeMap<EventName, Event> {
        self.writes.events.as_ref().unwrap_or(&self.base.events)
    }

    /// The events, for change (copied on first use).
    pub fn events_mut(&mut self) -> &mut BTreeMap<EventName, Event> {
        let base = self.base;
        self.writes
            .events
            .get_or_insert_with(|| base.events.clone())
    }

    /// The project's settings as this transaction sees them.
    #[must_use]
    pub fn settings(&self) -> &ProjectSettings {
        self.writes.settings.as_ref().unwrap_or(&self.base.settings)
    }

    /// The project's settings, for change (copied on first use).
    pub fn settings_mut(&mut self) -> &mut ProjectSettings {
        let base = self.base;
        self.writes
            .settings
            .get_or_insert_with(|| base.settings.clone())
    }

    /// Records a rotation task.
    pub fn push_task(&mut self, task: RotationTask) {
        self.writes.tasks.push(task);
    }

    /// Records a notification.
    pub fn push_record(&mut self, record: NotificationRecord) {
        self.writes.records.push(record);
    }

    /// The notifications this transaction records, for change before it commits.
    pub fn new_records_mut(&mut self) -> &mut [NotificationRecord] {
        &mut self.writes.records
    }

    /// Whether this transaction records a task waiting for a rotation function.
    #[must_use]
    pub fn records_a_pending_task(&self) -> bool {
        self.writes
            .tasks
            .iter()
            .any(|t| t.status == TaskStatus::Rotating)
    }

    /// Gives a committed rotation task its outcome.
    pub fn settle_task(&mut self, id: Uuid, status: TaskStatus, error: Option<(String, String)>) {
        self.writes.settled_tasks.push((id, status, error));
    }

    /// Gives a committed notification record its delivery outcome.
    pub fn settle_record(&mut self, id: Uuid, status: NotificationStatus) {
        self.writes.settled.push((id, status));
    }

    #[must_use]
    pub fn into_writes(self) -> Writes {
        self.writes
    }
}

/// A storage backend. Object-safe so the app can hold `Arc<dyn Store>`; use the generic
/// [`read`] and [`transact`] helpers rather than these methods.
pub trait Store: Send + Sync + 'static {
    /// Runs `f` on the committed data of `project` (empty when the project has none).
    fn read_project(
        &self,
        project: &ProjectId,
        f: &mut dyn FnMut(&ProjectData),
    ) -> Result<(), CsmsError>;

    /// Runs `f` in a transaction on `project`, with no other writer in between; commits the
    /// writes when `f` returns true, and discards them otherwise.
    fn write_project(
        &self,
        project: &ProjectId,
        f: &mut dyn FnMut(&mut Tx<'_>) -> bool,
    ) -> Result<(), CsmsError>;

    /// Every project that holds something.
    fn projects(&self) -> Result<Vec<ProjectId>, CsmsError>;

    /// Empties one project, or everything, atomically.
    fn reset(&self, project: Option<&ProjectId>) -> Result<(), CsmsError>;

    /// The key backup blobs are sealed with, when the store has one of its own (a durable
    /// store derives it from its master key); `None` lets the service draw one.
    fn backup_key(&self) -> Result<Option<[u8; 32]>, CsmsError> {
        Ok(None)
    }

    /// Whether a commit is done only once a disk has it: such a store hands the commits of
    /// a request inside [`durability::scope`] in as tickets, and the request waits for
    /// them. Requests to a store whose commits are done when they return (memory) skip
    /// the scope.
    fn commits_wait_for_disk(&self) -> bool {
        false
    }

    /// Keeps an emulator setting (such as the clock) where the state lives.
    fn save_setting(&self, _key: &str, _value: &str) -> Result<(), CsmsError> {
        Ok(())
    }

    /// A setting kept by [`Store::save_setting`].
    fn load_setting(&self, _key: &str) -> Result<Option<String>, CsmsError> {
        Ok(None)
    }

    /// `Ok` while writes are taken; a durable store that could not write its disk says
    /// why it refuses them.
    fn writable(&self) -> Result<(), CsmsError> {
        Ok(())
    }
}

/// Reads a project's committed data.
pub fn read<R>(
    store: &dyn Store,
    project: &ProjectId,
    f: impl FnOnce(&ProjectData) -> R,
) -> Result<R, CsmsError> {
    let mut f = Some(f);
    let mut out = None;
    store.read_project(project, &mut |data| {
        if let Some(f) = f.take() {
            out = Some(f(data));
        }
    })?;
    out.ok_or_else(|| StoreError::ClosureSkipped("read").into())
}

/// Runs `f` as one atomic transaction: its writes are committed if it returns `Ok`, and
/// none of them if it returns `Err`.
pub fn transact<R>(
    store: &dyn Store,
    project: &ProjectId,
    f: impl FnOnce(&mut Tx<'_>) -> Result<R, CsmsError>,
) -> Result<R, CsmsError> {
    let mut f = Some(f);
    let mut out = None;
    store.write_project(project, &mut |tx| match f.take() {
        Some(f) => {
            let result = f(tx);
            let commit = result.is_ok();
            out = Some(result);
            commit
        }
        None => false,
    })?;
    out.unwrap_or_else(|| Err(StoreError::ClosureSkipped("transaction").into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::task::TaskStatus;

    fn task(n: i64) -> RotationTask {
        RotationTask {
            id: Uuid::nil(),
            secret_name: "s".into(),
            rotation_func_urn: None,
            status: TaskStatus::Success,
            time: n,
            error: None,
        }
    }

    #[test]
    fn records_beyond_the_cap_drop_the_oldest_first() {
        let record = |n: i64| NotificationRecord {
            create_time: n,
            ..super::contract::pending_record("s")
        };
        let mut data = ProjectData::default();
        data.apply(Writes {
            records: (0..RECORDS_MAX as i64).map(record).collect(),
            ..Writes::default()
        });
        data.apply(Writes {
            records: vec![record(-1), record(-2)],
            ..Writes::default()
        });
        assert_eq!(data.records.len(), RECORDS_MAX);
        assert_eq!(data.records[0].create_time, 2, "the two oldest went");
        assert_eq!(data.records[RECORDS_MAX - 1].create_time, -2);
    }

    #[test]
    fn a_secret_past_its_recovery_window_is_neither_listed_nor_counted_before_removal() {
        use crate::domain::secret::SecretSettings;
        use crate::domain::value::SecretValue;
        let day = 86_400_000;
        let make = |name: &str| {
            Secret::create(
                Uuid::new_v4(),
                SecretSettings::for_test(name),
                SecretValue::Text("v".into()),
                0,
            )
            .unwrap()
        };
        let mut doomed = make("b");
        doomed
            .schedule_deletion(
                crate::domain::secret::RecoveryWindow::parse(Some(7)).unwrap(),
                0,
            )
            .unwrap();
        let mut data = ProjectData::default();
        let mut secrets = BTreeMap::new();
        for s in [make("a"), doomed, make("c")] {
            secrets.insert(s.name().clone(), Some(Arc::new(s)));
        }
        data.apply(Writes {
            secrets,
            ..Writes::default()
        });
        let names = |now| -> Vec<String> {
            data.live_secrets_after(None, now)
                .map(|s| s.name().to_string())
                .collect()
        };
        assert_eq!(names(day), ["a", "b", "c"]);
        assert_eq!(data.live_count(day), 3);
        // the window has ended; the sweep has not run yet
        assert_eq!(names(8 * day), ["a", "c"]);
        assert_eq!(data.live_count(8 * day), 2);
        let destroyed: Vec<String> = data
            .destroyed_at(8 * day)
            .map(|s| s.name().to_string())
            .collect();
        assert_eq!(destroyed, ["b"]);
        let after_a: Vec<String> = data
            .live_secrets_after(Some(&SecretName::parse_lookup("m", "a").unwrap()), 8 * day)
            .map(|s| s.name().to_string())
            .collect();
        assert_eq!(after_a, ["c"]);
    }

    #[test]
    fn tasks_beyond_the_cap_drop_the_oldest_first() {
        let mut data = ProjectData::default();
        data.apply(Writes {
            tasks: (0..TASKS_MAX as i64).map(task).collect(),
            ..Writes::default()
        });
        data.apply(Writes {
            tasks: vec![task(-1), task(-2)],
            ..Writes::default()
        });
        assert_eq!(data.tasks.len(), TASKS_MAX);
        assert_eq!(data.tasks[0].time, 2, "the two oldest went");
        assert_eq!(
            data.tasks[TASKS_MAX - 1].time,
            -2,
            "the newest stayed, in order"
        );
    }
}
