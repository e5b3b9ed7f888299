//! Create, list and show secrets.

use std::sync::Arc;

use serde::Deserialize;
use uuid::Uuid;

use crate::domain::limits::{ROTATION_PERIOD_MIN_SECS, VALUE_MAX_BYTES};
use crate::domain::names::{EventName, ProjectId, SecretName};
use crate::domain::page::{PageLimit, take_page};
use crate::domain::secret::Secret;
use crate::error::CsmsError;
use crate::store;

use super::validate::{CreateRules, validate_create};
use super::{CsmsService, Listing};

/// The fields of a create-secret request (and of a batch-import item), as sent: the wire
/// body `CreateSecretRequestBody` (seed 001), every field optional so the service can
/// name what is missing.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CreateSecretInput {
    pub name: Option<String>,
    pub kms_key_id: Option<String>,
    pub description: Option<String>,
    pub secret_binary: Option<String>,
    pub secret_string: Option<String>,
    pub secret_type: Option<String>,
    pub auto_rotation: Option<bool>,
    pub rotation_period: Option<String>,
    pub rotation_config: Option<String>,
    pub event_subscriptions: Option<Vec<String>>,
    pub enterprise_project_id: Option<String>,
    pub rotation_func_urn: Option<String>,
}

/// The query of list-secrets.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListSecretsInput {
    pub limit: Option<String>,
    pub marker: Option<String>,
    pub event_name: Option<String>,
}

pub(super) const CREATE_RULES: CreateRules = CreateRules {
    parse_name: SecretName::parse_for_create,
    value_max_bytes: VALUE_MAX_BYTES,
    period_min_secs: ROTATION_PERIOD_MIN_SECS,
};

impl CsmsService {
    /// Create secret, `POST /v1/{project_id}/secrets` (seed 001).
    #[tracing::instrument(skip_all, fields(project = %project))]
    pub fn create_secret(
        &self,
        project: &ProjectId,
        input: CreateSecretInput,
    ) -> Result<Arc<Secret>, CsmsError> {
        let (settings, value) = validate_create(project, input, &CREATE_RULES)?;
        let now = self.now();
        store::transact(&*self.store, project, |tx| {
            if tx.get(&settings.name).is_some() {
                return Err(CsmsError::NameExists(settings.name.to_string()));
            }
            let secret = Secret::create(Uuid::new_v4(), settings, value, now)?;
            Ok(tx.put(secret))
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
    /// optional `event_name` filter (D16, csms-spec §3.14).
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
        let page = store::read(&*self.store, project, |data| {
            let matching = data.secrets.values().filter(|s| {
                event
                    .as_ref()
                    .is_none_or(|e| s.settings.event_subscriptions.contains(e))
            });
            let page = take_page(matching, |s| s.name().clone(), marker.as_ref(), limit);
            (
                page.items.into_iter().cloned().collect::<Vec<_>>(),
                page.more,
            )
        })?;
        let (items, more) = page;
        let next_marker = more
            .then(|| items.last().map(|s| s.name().to_string()))
            .flatten();
        Ok(Listing {
            items,
            next_marker,
            previous_marker: marker.map(|m| m.to_string()),
        })
    }
}

/// Query parameters sent empty mean "not given".
pub(super) fn non_empty(raw: Option<&str>) -> Option<&str> {
    raw.filter(|s| !s.is_empty())
}
