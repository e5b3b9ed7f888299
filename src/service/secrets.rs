//! Create, list and show secrets.

use std::sync::Arc;

use serde::Deserialize;
use uuid::Uuid;

use crate::domain::limits::{ROTATION_PERIOD_MIN_SECS, VALUE_MAX_BYTES};
use crate::domain::names::{EventName, KmsKeyId, ProjectId, SecretName};
use crate::domain::page::{PageLimit, take_page};
use crate::domain::rotation::RotationPeriod;
use crate::domain::secret::{RECOVERY_DAYS_DEFAULT, Secret, SecretState, SettingsPatch};
use crate::error::CsmsError;
use crate::store;

use super::events::ensure_events_exist;
use super::input::non_empty;
use super::validate::{
    CreateRules, CreateSecretInput, check_description, parse_subscriptions, validate_create,
};
use super::{CsmsService, Listing};

/// The query of list-secrets.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListSecretsInput {
    pub limit: Option<String>,
    pub marker: Option<String>,
    pub event_name: Option<String>,
}

/// The body of update-secret, as sent: absent = unchanged, present and empty = cleared.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct UpdateSecretInput {
    #[schemars(length(max = 64))]
    pub kms_key_id: Option<String>,
    #[schemars(length(max = crate::domain::limits::DESCRIPTION_MAX_BYTES))]
    pub description: Option<String>,
    pub auto_rotation: Option<bool>,
    #[schemars(regex(pattern = crate::domain::limits::ROTATION_PERIOD_PATTERN))]
    pub rotation_period: Option<String>,
    #[schemars(length(max = crate::domain::limits::EVENT_SUBSCRIPTIONS_MAX), inner(length(max = crate::domain::limits::EVENT_SUBSCRIPTION_MAX_CHARS)))]
    pub event_subscriptions: Option<Vec<String>>,
    pub rotation_func_urn: Option<String>,
}

/// The body of the scheduled-deletion request.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct ScheduleDeletionInput {
    #[schemars(range(min = crate::domain::secret::RECOVERY_DAYS_MIN, max = crate::domain::secret::RECOVERY_DAYS_MAX))]
    pub recovery_window_in_days: Option<i64>,
}

pub(super) const CREATE_RULES: CreateRules = CreateRules {
    parse_name: SecretName::parse_for_create,
    value_max_bytes: VALUE_MAX_BYTES,
    period_min_secs: ROTATION_PERIOD_MIN_SECS,
};

impl CsmsService {
    /// Create secret, `POST /v1/{project_id}/secrets` ("Creating a Secret" page).
    #[tracing::instrument(skip_all, fields(project = %project))]
    pub fn create_secret(
        &self,
        project: &ProjectId,
        input: CreateSecretInput,
    ) -> Result<Arc<Secret>, CsmsError> {
        let (settings, value) = validate_create(project, input, &CREATE_RULES)?;
        self.write(project, |tx, now| {
            tx.ensure_name_free(&settings.name)?;
            ensure_events_exist(tx, &settings.event_subscriptions)?;
            let secret = Secret::create(Uuid::new_v4(), settings, value, now)?;
            tx.insert_new(secret)
        })
    }

    /// Show secret, `GET /v1/{project_id}/secrets/{secret_name}`.
    #[tracing::instrument(skip_all, fields(project = %project, secret = %name))]
    pub fn show_secret(
        &self,
        project: &ProjectId,
        name: &SecretName,
    ) -> Result<Arc<Secret>, CsmsError> {
        self.with_secret(project, name, |s| Ok(Arc::clone(s)))
    }

    /// List secrets, `GET /v1/{project_id}/secrets`: name order, exclusive marker,
    /// optional `event_name` filter (docs/behaviour.md §16).
    #[tracing::instrument(skip_all, fields(project = %project))]
    pub fn list_secrets(
        &self,
        project: &ProjectId,
        input: &ListSecretsInput,
    ) -> Result<Listing<Arc<Secret>>, CsmsError> {
        let limit = PageLimit::parse(input.limit.as_deref())?;
        let marker = non_empty(input.marker.as_deref())
            .map(|m| SecretName::parse_lookup("marker", m))
            .transpose()?;
        let event = non_empty(input.event_name.as_deref())
            .map(|e| EventName::parse("event_name", e))
            .transpose()?;
        let now = self.now();
        let page = store::read(&*self.store, project, |data| {
            let matching = data.live_secrets(now).filter(|s| {
                event
                    .as_ref()
                    .is_none_or(|e| s.settings().event_subscriptions.contains(e))
            });
            take_page(matching, |s| s.name().clone(), marker.as_ref(), limit).map(Arc::clone)
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
    #[tracing::instrument(skip_all, fields(project = %project, secret = %name))]
    pub fn update_secret(
        &self,
        project: &ProjectId,
        name: &SecretName,
        input: UpdateSecretInput,
    ) -> Result<Arc<Secret>, CsmsError> {
        let patch = SettingsPatch {
            kms_key_id: input
                .kms_key_id
                .map(|k| match k.as_str() {
                    "" => Ok(KmsKeyId::project_default(project)),
                    raw => KmsKeyId::parse_for_update(raw),
                })
                .transpose()?,
            description: input
                .description
                .map(|d| check_description(&d).map(|()| d))
                .transpose()?,
            auto_rotation: input.auto_rotation,
            rotation_period: input
                .rotation_period
                .map(|p| match p.as_str() {
                    "" => Ok(None),
                    raw => RotationPeriod::parse(raw, ROTATION_PERIOD_MIN_SECS).map(Some),
                })
                .transpose()?,
            event_subscriptions: input
                .event_subscriptions
                .map(|e| parse_subscriptions(Some(e)))
                .transpose()?,
            rotation_func_urn: input
                .rotation_func_urn
                .map(|u| Some(u).filter(|u| !u.is_empty())),
        };
        self.update_secret_with(project, name, |secret, tx, now| {
            if let Some(events) = &patch.event_subscriptions {
                ensure_events_exist(tx, events)?;
            }
            secret.update_settings(patch, now)
        })
    }

    /// Delete secret, `DELETE /v1/{project_id}/secrets/{secret_name}`: immediate.
    #[tracing::instrument(skip_all, fields(project = %project, secret = %name))]
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
    #[tracing::instrument(skip_all, fields(project = %project, secret = %name))]
    pub fn delete_secret_for_schedule(
        &self,
        project: &ProjectId,
        name: &SecretName,
        input: &ScheduleDeletionInput,
    ) -> Result<Arc<Secret>, CsmsError> {
        let days = input
            .recovery_window_in_days
            .unwrap_or(RECOVERY_DAYS_DEFAULT);
        self.update_secret_with(project, name, |secret, _, now| {
            secret.schedule_deletion(days, now)
        })
    }

    /// Sets a secret's state for tests (docs/behaviour.md §17): ENABLED, DISABLED or FROZEN. There is no
    /// public API for this; a pending deletion is left through cancel, not here.
    #[tracing::instrument(skip_all, fields(project = %project, secret = %name))]
    pub fn set_secret_state(
        &self,
        project: &ProjectId,
        name: &SecretName,
        state: Option<&str>,
    ) -> Result<Arc<Secret>, CsmsError> {
        let state = match state {
            Some("ENABLED") => SecretState::Enabled,
            Some("DISABLED") => SecretState::Disabled,
            Some("FROZEN") => SecretState::Frozen,
            _ => {
                return Err(CsmsError::invalid(
                    "state",
                    "must be ENABLED, DISABLED or FROZEN",
                ));
            }
        };
        self.update_secret_with(project, name, |secret, _, now| {
            secret.set_state_by_operator(state, now)
        })
    }

    /// Cancel a scheduled deletion, `POST …/{secret_name}/scheduled-deleted-tasks/cancel`.
    #[tracing::instrument(skip_all, fields(project = %project, secret = %name))]
    pub fn restore_secret(
        &self,
        project: &ProjectId,
        name: &SecretName,
    ) -> Result<Arc<Secret>, CsmsError> {
        self.update_secret_with(project, name, |secret, _, now| secret.cancel_deletion(now))
    }
}
