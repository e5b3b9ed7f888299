//! Fixtures in the store: checking a parsed fixture file (`fixture_file.rs`) against
//! every rule the API enforces, seeding an empty emulator or one project with it, and
//! exporting the state as a fixture.

use std::sync::Arc;

use crate::domain::event::Event;
use crate::domain::names::{EventName, ProjectId};
use crate::domain::secret::Secret;
use crate::error::CsmsError;
use crate::fixture_file::{FIXTURE_FORMAT, Fixture, ProjectFixture};
use crate::store;

use super::handle::CsmsService;

/// One project of a fixture, checked and ready to load.
#[derive(Debug)]
struct CheckedProject {
    id: ProjectId,
    secrets: Vec<Secret>,
    events: Vec<Event>,
}

/// A fixture file whose every secret and event passed the rules the API enforces.
#[derive(Debug)]
pub struct CheckedFixture {
    /// Names the fixture in errors (its file).
    label: String,
    projects: Vec<CheckedProject>,
}

/// What [`CsmsService::seed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeded {
    /// This many secrets were loaded into an empty emulator.
    Loaded(usize),
    /// State was there already (a data directory from an earlier run); nothing was loaded.
    KeptExistingState,
}

/// What [`CsmsService::seed_project`] loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededProject {
    pub project: ProjectId,
    pub secrets: usize,
    pub events: usize,
}

/// Puts one checked project into a transaction: its events first (its secrets may
/// subscribe to them), then its secrets. A secret name already taken (by the state or an
/// earlier item) fails the whole transaction with 409 `CSMS.0101`; an event name taken, a
/// secret id taken, or a subscription to an event neither the fixture nor the project
/// holds, with 400 `CSMS.0002` naming the item.
fn load_project(tx: &mut store::Tx<'_>, project: CheckedProject) -> Result<(), CsmsError> {
    for (k, event) in project.events.into_iter().enumerate() {
        if tx.events().contains_key(&event.name) {
            return Err(CsmsError::invalid(
                "fixture",
                format!(
                    "events[{k}]: an event named {} already exists",
                    event.name.as_str()
                ),
            ));
        }
        tx.events_mut().insert(event.name.clone(), event);
    }
    for (j, secret) in project.secrets.into_iter().enumerate() {
        let item = || format!("secrets[{j}] ({})", secret.name());
        if tx.get_by_id(secret.id()).is_some() {
            // A taken name is the first thing said (409), as `insert_new` says it.
            tx.ensure_name_free(secret.name())?;
            return Err(CsmsError::invalid(
                "fixture",
                format!("{}: id {} is another secret's", item(), secret.id()),
            ));
        }
        let subscriptions = secret.settings().event_subscriptions();
        if let Some(missing) = subscriptions.iter().find(|n| !tx.events().contains_key(*n)) {
            return Err(CsmsError::invalid(
                "fixture",
                format!(
                    "{}: subscribes to event {}, which neither the fixture nor the project holds",
                    item(),
                    missing.as_str()
                ),
            ));
        }
        tx.insert_new(secret)?;
    }
    Ok(())
}

/// Checks a fixture as the API would; errors name `label`, the project, the item and the
/// rule.
pub fn check_fixture(label: &str, fixture: Fixture) -> Result<CheckedFixture, String> {
    let mut projects = Vec::with_capacity(fixture.projects.len());
    for (i, project) in fixture.projects.into_iter().enumerate() {
        let id = ProjectId::parse(&project.id)
            .map_err(|e| format!("{label}: projects[{i}] ({}): {e}", project.id))?;
        let mut secrets = Vec::with_capacity(project.secrets.len());
        for (j, record) in project.secrets.into_iter().enumerate() {
            let name = record.name.clone();
            let secret = Secret::from_record(record).map_err(|e| {
                format!("{label}: projects[{i}] ({id}): secrets[{j}] ({name}): {e}")
            })?;
            secrets.push(secret);
        }
        for (k, event) in project.events.iter().enumerate() {
            EventName::parse("name", event.name.as_str())
                .map_err(|e| format!("{label}: projects[{i}] ({id}): events[{k}]: {e}"))?;
        }
        projects.push(CheckedProject {
            id,
            secrets,
            events: project.events,
        });
    }
    Ok(CheckedFixture {
        label: label.to_owned(),
        projects,
    })
}

impl CsmsService {
    /// Seeds an empty emulator with checked fixtures: all of them or, when one conflicts
    /// with another (a name twice, an unknown event), none. When state is there already (a
    /// data directory from an earlier run) nothing is loaded, so a restart with the same
    /// `--seed` keeps what the earlier run changed.
    pub fn seed(&self, fixtures: Vec<CheckedFixture>) -> Result<Seeded, String> {
        if !self
            .store()
            .projects()
            .map_err(|e| e.to_string())?
            .is_empty()
        {
            return Ok(Seeded::KeptExistingState);
        }
        let mut loaded = 0;
        for fixture in fixtures {
            match self.load_checked(fixture) {
                Ok(count) => loaded += count,
                Err(err) => {
                    if let Err(reset) = self.store().reset(None) {
                        return Err(format!("{err}; emptying the state again failed: {reset}"));
                    }
                    return Err(err);
                }
            }
        }
        Ok(Seeded::Loaded(loaded))
    }

    /// Loads one checked fixture, each project all or nothing.
    fn load_checked(&self, fixture: CheckedFixture) -> Result<usize, String> {
        let label = fixture.label;
        let mut loaded = 0;
        for (i, project) in fixture.projects.into_iter().enumerate() {
            let id = project.id.clone();
            let count = project.secrets.len();
            store::transact(self.store(), &id, |tx| load_project(tx, project))
                .map_err(|e| format!("{label}: projects[{i}] ({id}): {e}"))?;
            loaded += count;
        }
        Ok(loaded)
    }

    /// Loads a checked one-project fixture into the running emulator
    /// (`POST /_emulator/seed`), in one transaction: every secret and event, or none when
    /// a name is taken.
    pub fn seed_project(&self, fixture: CheckedFixture) -> Result<SeededProject, CsmsError> {
        let mut projects = fixture.projects;
        let (Some(project), true) = (projects.pop(), projects.is_empty()) else {
            return Err(CsmsError::invalid(
                "projects",
                "a fixture loaded at run time holds exactly one project",
            ));
        };
        let seeded = SeededProject {
            project: project.id.clone(),
            secrets: project.secrets.len(),
            events: project.events.len(),
        };
        let id = project.id.clone();
        self.write(&id, |tx, _now| load_project(tx, project))?;
        Ok(seeded)
    }

    /// The state as a fixture, one project or all; values only when asked.
    pub fn export_fixture(
        &self,
        project: Option<&ProjectId>,
        values: bool,
    ) -> Result<Fixture, CsmsError> {
        let global = ProjectId::global();
        let projects = match project {
            Some(p) => vec![p.clone()],
            None => self.store().projects()?,
        };
        let now = self.now();
        let mut out = Vec::new();
        for id in projects.into_iter().filter(|p| *p != global) {
            let (secrets, events) = store::read(self.store(), &id, |data| {
                let secrets: Vec<Arc<Secret>> = data.live_secrets(now).cloned().collect();
                let events: Vec<Event> = data.events.values().cloned().collect();
                (secrets, events)
            })?;
            let secrets = secrets
                .iter()
                .map(|s| {
                    let mut record = s.to_record();
                    if !values {
                        for v in &mut record.versions {
                            v.secret_string = None;
                            v.secret_binary = None;
                        }
                    }
                    record
                })
                .collect();
            out.push(ProjectFixture {
                id: id.to_string(),
                secrets,
                events,
            });
        }
        Ok(Fixture {
            format: FIXTURE_FORMAT,
            projects: out,
        })
    }
}
