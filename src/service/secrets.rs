//! Create, list and show secrets.

use uuid::Uuid;

use crate::domain::limits::{ROTATION_PERIOD_MIN_SECS, VALUE_MAX_BYTES};
use crate::domain::names::{EventName, ProjectId, SecretName};
use crate::domain::page::{PageLimit, take_page};
use crate::domain::secret::Secret;
use crate::error::CsmsError;
use crate::store;

use super::validate::{CreateRules, validate_create};
use super::{CsmsService, Listing, SecretInfo};

/// The fields of a create-secret request (and of a batch-import item), as sent.
#[derive(Debug, Default, Clone)]
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
#[derive(Debug, Default, Clone)]
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
    ) -> Result<SecretInfo, CsmsError> {
        let (settings, value) = validate_create(project, input, &CREATE_RULES)?;
        let now = self.now();
        store::transact(&*self.store, project, |tx| {
            if tx.get(&settings.name).is_some() {
                return Err(CsmsError::NameExists(settings.name.to_string()));
            }
            let secret = Secret::create(Uuid::new_v4(), settings, value, now)?;
            let info = SecretInfo::from(&secret);
            tx.put(secret);
            Ok(info)
        })
    }

    /// Show secret, `GET /v1/{project_id}/secrets/{secret_name}`.
    #[tracing::instrument(skip_all, fields(project = %project, secret = %name))]
    pub fn show_secret(
        &self,
        project: &ProjectId,
        name: &SecretName,
    ) -> Result<SecretInfo, CsmsError> {
        self.with_secret(project, name, |s| Ok(SecretInfo::from(s)))
    }

    /// List secrets, `GET /v1/{project_id}/secrets`: name order, exclusive marker,
    /// optional `event_name` filter (D16, csms-spec §3.14).
    #[tracing::instrument(skip_all, fields(project = %project))]
    pub fn list_secrets(
        &self,
        project: &ProjectId,
        input: &ListSecretsInput,
    ) -> Result<Listing<SecretInfo>, CsmsError> {
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
                page.items
                    .into_iter()
                    .map(|s| SecretInfo::from(&**s))
                    .collect::<Vec<_>>(),
                page.more,
            )
        })?;
        let (items, more) = page;
        let next_marker = more
            .then(|| items.last().map(|s| s.settings.name.to_string()))
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
