//! Loading fixtures, exporting state, resetting state, and keeping emulator settings
//! (the clock) where the state lives.

use std::sync::Arc;

use crate::domain::event::Event;
use crate::domain::names::{EventName, ProjectId};
use crate::domain::secret::Secret;
use crate::error::CsmsError;
use crate::fixture::{FIXTURE_FORMAT, Fixture, ProjectFixture};
use crate::store;

use super::CsmsService;

impl CsmsService {
    /// Loads a fixture: every secret and event is checked as the API would, and a project
    /// is loaded all or nothing. Errors name the project, the item and the rule.
    pub fn import_fixture(&self, fixture: Fixture) -> Result<usize, String> {
        let mut loaded = 0;
        for (i, project) in fixture.projects.into_iter().enumerate() {
            let id = ProjectId::parse(&project.id)
                .map_err(|e| format!("projects[{i}] ({}): {e}", project.id))?;
            let mut secrets = Vec::with_capacity(project.secrets.len());
            for (j, record) in project.secrets.into_iter().enumerate() {
                let name = record.name.clone();
                let secret = Secret::from_record(record)
                    .map_err(|e| format!("projects[{i}] ({id}): secrets[{j}] ({name}): {e}"))?;
                secrets.push(secret);
            }
            for (k, event) in project.events.iter().enumerate() {
                EventName::parse("name", event.name.as_str())
                    .map_err(|e| format!("projects[{i}] ({id}): events[{k}]: {e}"))?;
            }
            let count = secrets.len();
            store::transact(&*self.store, &id, |tx| {
                for secret in secrets {
                    if tx.get(secret.name()).is_some() {
                        return Err(CsmsError::NameExists(secret.name().to_string()));
                    }
                    for event in &secret.settings.event_subscriptions {
                        if !project.events.iter().any(|e| &e.name == event)
                            && !tx.events().contains_key(event)
                        {
                            return Err(CsmsError::NotFound {
                                kind: "event",
                                name: event.as_str().to_owned(),
                            });
                        }
                    }
                    tx.put(secret);
                }
                for event in project.events {
                    tx.events_mut().insert(event.name.clone(), event);
                }
                Ok(())
            })
            .map_err(|e| format!("projects[{i}] ({id}): {e}"))?;
            loaded += count;
        }
        Ok(loaded)
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
            None => self.store.projects()?,
        };
        let now = self.now();
        let mut out = Vec::new();
        for id in projects.into_iter().filter(|p| *p != global) {
            let (secrets, events) = store::read(&*self.store, &id, |data| {
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

    /// Empties one project or everything, atomically.
    pub fn reset(&self, project: Option<&ProjectId>) -> Result<(), CsmsError> {
        self.store.reset(project)
    }

    /// Keeps an emulator setting with the state (persisted with `--data-dir`).
    pub fn save_setting(&self, key: &str, value: &str) -> Result<(), CsmsError> {
        self.store.save_setting(key, value)
    }

    /// A setting kept by [`CsmsService::save_setting`].
    pub fn load_setting(&self, key: &str) -> Result<Option<String>, CsmsError> {
        self.store.load_setting(key)
    }
}
