//! Create, list and show secrets.

use std::sync::Arc;

use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::names::{EventName, ProjectId, SecretName};
use crate::domain::page::{PageLimit, take_page};
use crate::domain::secret::{RecoveryWindow, Secret, SecretSettings, SecretState, SettingsPatch};
use crate::domain::value::SecretValue;
use crate::error::CsmsError;
use crate::store::{self, Tx};

use super::events::ensure_events_exist;
use super::handle::CsmsService;
use super::listing::Listing;

/// A validated create-secret request (or batch-import item): the new secret's settings
/// and first value.
#[derive(Debug, Clone)]
pub struct NewSecret {
    pub settings: SecretSettings,
    pub value: SecretValue,
}

/// List-secrets' query, parsed: page size, exclusive marker, subscribed event.
#[derive(Debug, Clone)]
pub struct SecretFilter {
    pub limit: PageLimit,
    pub marker: Option<SecretName>,
    pub event: Option<EventName>,
}

/// A new secret made before the store's lock is taken, with what adding it checks:
/// making one (an id, its first version) was about a tenth of a create's time under the
/// lock, and every other writer waits for what runs there.
#[derive(Debug)]
pub(super) struct MadeSecret {
    name: SecretName,
    /// The events it subscribes to; kept apart because a secret that could not be made
    /// has none to read them from.
    events: Vec<EventName>,
    made: Result<Secret, CsmsError>,
}

impl MadeSecret {
    /// Makes the secret `new` describes as of `now`, the time its transaction runs at.
    pub(super) fn make(new: NewSecret, now: Millis) -> Self {
        let NewSecret { settings, value } = new;
        Self {
            name: settings.name.clone(),
            events: settings.event_subscriptions().to_vec(),
            made: Secret::create(Uuid::new_v4(), settings, value, now),
        }
    }

    pub(super) fn name(&self) -> &SecretName {
        &self.name
    }
}

/// Adds a new secret, the step create and batch import share: its name free (409 before
/// anything else is checked), then the events it subscribes to present, then whatever
/// making it found wrong, and only then is it inserted.
///
/// The name is looked up once, by [`Tx::insert_new`], on the way that succeeds; should
/// anything fail before it, the name is looked up then, so a taken name is still what
/// the answer says.
pub(super) fn add_made_secret(tx: &mut Tx<'_>, new: MadeSecret) -> Result<Arc<Secret>, CsmsError> {
    let MadeSecret { name, events, made } = new;
    match ensure_events_exist(tx, &events).and(made) {
        Ok(secret) => tx.insert_new(secret),
        Err(err) => {
            tx.ensure_name_free(&name)?;
            Err(err)
        }
    }
}

/// Adds a secret made elsewhere (restored from a backup) under the same checks.
pub(super) fn add_secret(tx: &mut Tx<'_>, secret: Secret) -> Result<Arc<Secret>, CsmsError> {
    check_addable(tx, secret.name(), secret.settings().event_subscriptions())?;
    tx.insert_new(secret)
}

/// What a secret needs to be added: its name free ([`Tx::ensure_name_free`]; its id is
/// checked on insert) and every event it subscribes to present.
fn check_addable(tx: &Tx<'_>, name: &SecretName, events: &[EventName]) -> Result<(), CsmsError> {
    tx.ensure_name_free(name)?;
    ensure_events_exist(tx, events)
}

impl CsmsService {
    /// Create secret, `POST /v1/{project_id}/secrets` ("Creating a Secret" page).
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project))]
    pub fn create_secret(
        &self,
        project: &ProjectId,
        new: NewSecret,
    ) -> Result<Arc<Secret>, CsmsError> {
        let now = self.now();
        let new = MadeSecret::make(new, now);
        self.write_at(project, now, |tx| add_made_secret(tx, new))
    }

    /// Show secret, `GET /v1/{project_id}/secrets/{secret_name}`.
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn show_secret(
        &self,
        project: &ProjectId,
        name: &SecretName,
    ) -> Result<Arc<Secret>, CsmsError> {
        self.with_secret(project, name, |s| Ok(Arc::clone(s)))
    }

    /// List secrets, `GET /v1/{project_id}/secrets`: name order, exclusive marker,
    /// optional `event_name` filter (docs/behaviour.md §16).
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project))]
    pub fn list_secrets(
        &self,
        project: &ProjectId,
        filter: &SecretFilter,
    ) -> Result<Listing<Arc<Secret>>, CsmsError> {
        let SecretFilter {
            limit,
            marker,
            event,
        } = filter.clone();
        let now = self.now();
        let page = store::read(self.store(), project, |data| {
            // The walk starts at the marker: a page costs the same wherever it is.
            let matching = data.live_secrets_after(marker.as_ref(), now).filter(|s| {
                event
                    .as_ref()
                    .is_none_or(|e| s.settings().event_subscriptions().contains(e))
            });
            take_page(matching, |s| s.name().clone(), None, limit).map(Arc::clone)
        })?;
        Ok(Listing::new(
            page,
            |s| s.name().to_string(),
            marker.map(|m| m.to_string()),
        ))
    }
}

impl CsmsService {
    /// Update secret, `PUT /v1/{project_id}/secrets/{secret_name}`: metadata only; a new
    /// key applies to later versions; rotation rules are checked again.
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn update_secret(
        &self,
        project: &ProjectId,
        name: &SecretName,
        patch: SettingsPatch,
    ) -> Result<Arc<Secret>, CsmsError> {
        self.update_secret_with(project, name, |secret, tx, now| {
            if let Some(events) = &patch.event_subscriptions {
                ensure_events_exist(tx, events)?;
            }
            secret.update_settings(patch, now)
        })
    }

    /// Delete secret, `DELETE /v1/{project_id}/secrets/{secret_name}`: immediate.
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn delete_secret(&self, project: &ProjectId, name: &SecretName) -> Result<(), CsmsError> {
        self.write(project, |tx, now| {
            if super::notify::destroy_secret(tx, name, now) {
                Ok(())
            } else {
                Err(CsmsError::secret_not_found(name.as_str()))
            }
        })
    }

    /// Scheduled deletion, `POST …/{secret_name}/scheduled-deleted-tasks/create`: 7–30
    /// days, default 30; PENDING_DELETE until then (docs/behaviour.md §17).
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn delete_secret_for_schedule(
        &self,
        project: &ProjectId,
        name: &SecretName,
        window: RecoveryWindow,
    ) -> Result<Arc<Secret>, CsmsError> {
        self.update_secret_with(project, name, |secret, _, now| {
            secret.schedule_deletion(window, now)
        })
    }

    /// Sets a secret's state for tests (docs/behaviour.md §17): ENABLED, DISABLED or FROZEN. There is no
    /// public API for this; a pending deletion is left through cancel, not here.
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn set_secret_state(
        &self,
        project: &ProjectId,
        name: &SecretName,
        state: SecretState,
    ) -> Result<Arc<Secret>, CsmsError> {
        self.update_secret_with(project, name, |secret, _, now| {
            secret.set_state_by_operator(state, now)
        })
    }

    /// Cancel a scheduled deletion, `POST …/{secret_name}/scheduled-deleted-tasks/cancel`.
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn restore_secret(
        &self,
        project: &ProjectId,
        name: &SecretName,
    ) -> Result<Arc<Secret>, CsmsError> {
        self.update_secret_with(project, name, |secret, _, now| secret.cancel_deletion(now))
    }
}
