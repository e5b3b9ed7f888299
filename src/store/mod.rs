//! Storage: a synchronous, object-safe [`Store`] trait whose only write path is an atomic
//! read-modify-write transaction over one project. Reads see committed data only.
//!
//! The store holds no rules: it keeps secrets by name and applies a transaction's writes
//! all together, or none of them when the transaction fails.

pub mod memory;

#[cfg(test)]
pub(crate) mod contract;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::domain::names::{ProjectId, SecretName};
use crate::domain::secret::Secret;
use crate::error::CsmsError;

/// Everything one project holds (D24: projects share nothing).
#[derive(Debug, Clone, Default)]
pub struct ProjectData {
    /// Keyed by name, so iteration is name order (D16). Behind `Arc`: tree nodes stay
    /// small, and a write replaces one secret without copying the others.
    pub secrets: BTreeMap<SecretName, Arc<Secret>>,
}

impl ProjectData {
    /// Applies a committed transaction's writes.
    pub fn apply(&mut self, writes: Writes) {
        for (name, secret) in writes.0 {
            match secret {
                Some(secret) => {
                    self.secrets.insert(name, secret);
                }
                None => {
                    self.secrets.remove(&name);
                }
            }
        }
    }
}

/// The pending writes of a transaction: a new state per secret name, `None` for removal.
#[derive(Debug, Default)]
pub struct Writes(pub BTreeMap<SecretName, Option<Arc<Secret>>>);

/// A transaction over one project: reads see committed data plus this transaction's own
/// writes; nothing is visible to others until the store commits it.
#[derive(Debug)]
pub struct Tx<'a> {
    base: &'a ProjectData,
    writes: Writes,
}

impl<'a> Tx<'a> {
    #[must_use]
    pub fn new(base: &'a ProjectData) -> Self {
        Self {
            base,
            writes: Writes::default(),
        }
    }

    /// The secret named `name`, as this transaction sees it.
    #[must_use]
    pub fn get(&self, name: &SecretName) -> Option<&Secret> {
        match self.writes.0.get(name) {
            Some(pending) => pending.as_deref(),
            None => self.base.secrets.get(name).map(|s| &**s),
        }
    }

    /// Inserts or replaces a secret under its own name; returns the stored snapshot.
    pub fn put(&mut self, secret: Secret) -> Arc<Secret> {
        let stored = Arc::new(secret);
        self.writes
            .0
            .insert(stored.name().clone(), Some(Arc::clone(&stored)));
        stored
    }

    /// Removes a secret.
    pub fn remove(&mut self, name: &SecretName) {
        self.writes.0.insert(name.clone(), None);
    }

    /// Every secret this transaction sees, in name order.
    pub fn secrets(&self) -> impl Iterator<Item = &Secret> {
        let names: BTreeSet<&SecretName> = self
            .base
            .secrets
            .keys()
            .chain(self.writes.0.keys())
            .collect();
        names.into_iter().filter_map(|name| self.get(name))
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
    out.ok_or_else(|| CsmsError::Internal("store read closure did not run".into()))
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
    out.unwrap_or_else(|| Err(CsmsError::Internal("store transaction did not run".into())))
}
