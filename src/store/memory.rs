//! The in-memory store, the default backend: one `RwLock` over every project.
//!
//! One lock for the whole store is deliberate: a transaction's check-then-write (is the
//! name free? then insert) must not interleave with another writer, and critical sections
//! are short (no I/O, no `.await`). Readers share the lock.
//!
//! The lock is `parking_lot`'s: a writer that finds it held spins, then yields its core,
//! before it sleeps, so on a busy machine it seldom parks behind a critical section of a
//! few microseconds. `std`'s sleeps once it has spun, and two workers creating secrets
//! then put each other to sleep: two and a half times the context switches, and a fifth
//! more CPU a create (`bench/run.sh`). It has no poisoning: a panic in a transaction
//! applies nothing (writes are applied after the closure returns), so what it guards
//! stays consistent.

use std::collections::HashMap;

use parking_lot::RwLock;

use crate::domain::names::ProjectId;
use crate::error::CsmsError;

use super::{ProjectData, Store, Tx, Writes};

/// Keeps every project in memory; nothing survives a restart.
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Hashed with foldhash: every request looks its project up, and SipHash over a
    /// 32-character id was 300 of a show-version request's instructions.
    projects: RwLock<HashMap<ProjectId, ProjectData, foldhash::fast::RandomState>>,
}

impl MemoryStore {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A write transaction whose writes are handed to `persist` (with the state they
    /// replace) before they become visible; when `persist` fails nothing is applied (the
    /// durable store's hook).
    pub fn write_project_with(
        &self,
        project: &ProjectId,
        f: &mut dyn FnMut(&mut Tx<'_>) -> bool,
        persist: &mut dyn FnMut(&ProjectData, &Writes) -> Result<(), CsmsError>,
    ) -> Result<(), CsmsError> {
        let mut projects = self.projects.write();
        // Made only for a project that holds nothing yet.
        let empty;
        let base = if let Some(base) = projects.get(project) {
            base
        } else {
            empty = ProjectData::default();
            &empty
        };
        let mut tx = Tx::new(base);
        if f(&mut tx) {
            let writes = tx.into_writes();
            writes.check_invariants()?;
            if !writes.is_empty() {
                persist(base, &writes)?;
                // Looked up before an entry is asked for: `entry` takes the key by value,
                // and a copy of the id for each write to a project that exists was an
                // allocation a create spent for nothing.
                let data = match projects.get_mut(project) {
                    Some(data) => data,
                    None => projects.entry(project.clone()).or_default(),
                };
                data.apply(writes);
                if data.is_empty() {
                    projects.remove(project);
                }
            }
        }
        Ok(())
    }

    /// Replaces everything with state loaded from durable storage, in one step.
    pub fn replace_all(&self, state: Vec<(ProjectId, ProjectData)>) {
        let fresh: HashMap<ProjectId, ProjectData, _> = state.into_iter().collect();
        *self.projects.write() = fresh;
    }
}

impl Store for MemoryStore {
    fn read_project(
        &self,
        project: &ProjectId,
        f: &mut dyn FnMut(&ProjectData),
    ) -> Result<(), CsmsError> {
        let projects = self.projects.read();
        match projects.get(project) {
            Some(data) => f(data),
            None => f(&ProjectData::default()),
        }
        Ok(())
    }

    fn write_project(
        &self,
        project: &ProjectId,
        f: &mut dyn FnMut(&mut Tx<'_>) -> bool,
    ) -> Result<(), CsmsError> {
        self.write_project_with(project, f, &mut |_, _| Ok(()))
    }

    fn reset(&self, project: Option<&ProjectId>) -> Result<(), CsmsError> {
        let mut projects = self.projects.write();
        match project {
            Some(p) => {
                projects.remove(p);
            }
            None => projects.clear(),
        }
        Ok(())
    }

    fn projects(&self) -> Result<Vec<ProjectId>, CsmsError> {
        let projects = self.projects.read();
        let mut ids: Vec<ProjectId> = projects.keys().cloned().collect();
        ids.sort();
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::contract;

    #[test]
    fn memory_store_passes_the_store_contract() {
        contract::run_all(&|| Box::new(MemoryStore::new()));
    }
}
