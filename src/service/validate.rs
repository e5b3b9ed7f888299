//! Turns a create-secret request (single or batch-import item) into validated settings,
//! with the rules of the operation it came through (docs/behaviour.md §8–§11).

use crate::domain::limits::{
    DESCRIPTION_MAX_BYTES, ENTERPRISE_PROJECT_ID_MAX_CHARS, EVENT_SUBSCRIPTIONS_MAX,
};
use crate::domain::names::{EventName, KmsKeyId, ProjectId, SecretName};
use crate::domain::rotation::{RotationConfig, RotationPeriod, SecretType, check_auto_rotation};
use crate::domain::secret::SecretSettings;
use crate::domain::value::SecretValue;
use crate::error::CsmsError;

use serde::Deserialize;

/// The fields of a create-secret request (and of a batch-import item), as sent: the wire
/// body `CreateSecretRequestBody` ("Creating a Secret" page), every field optional so the service can
/// name what is missing.
#[derive(Default, Clone, Deserialize, schemars::JsonSchema)]
#[schemars(extend("example" = {"name": "app-db-password", "secret_string": "s3cret", "description": "an example"}))]
pub struct CreateSecretInput {
    #[schemars(required, regex(pattern = crate::domain::names::NAME_PATTERN))]
    pub name: Option<String>,
    #[schemars(regex(pattern = crate::domain::names::KMS_KEY_ID_PATTERN))]
    pub kms_key_id: Option<String>,
    #[schemars(length(max = crate::domain::limits::DESCRIPTION_MAX_BYTES))]
    pub description: Option<String>,
    #[schemars(length(max = crate::domain::limits::VALUE_MAX_BYTES))]
    pub secret_binary: Option<String>,
    #[schemars(length(max = crate::domain::limits::VALUE_MAX_BYTES))]
    pub secret_string: Option<String>,
    #[schemars(extend("enum" = ["COMMON", "RDS-FG", "GaussDB-FG"]))]
    pub secret_type: Option<String>,
    pub auto_rotation: Option<bool>,
    #[schemars(regex(pattern = crate::domain::limits::ROTATION_PERIOD_PATTERN))]
    pub rotation_period: Option<String>,
    #[schemars(length(max = crate::domain::limits::ROTATION_CONFIG_MAX_CHARS))]
    pub rotation_config: Option<String>,
    #[schemars(length(max = crate::domain::limits::EVENT_SUBSCRIPTIONS_MAX), inner(length(max = crate::domain::limits::EVENT_SUBSCRIPTION_MAX_CHARS)))]
    pub event_subscriptions: Option<Vec<String>>,
    #[schemars(length(min = 1, max = crate::domain::limits::ENTERPRISE_PROJECT_ID_MAX_CHARS))]
    pub enterprise_project_id: Option<String>,
    pub rotation_func_urn: Option<String>,
}

impl std::fmt::Debug for CreateSecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::value::redacted;
        f.debug_struct("CreateSecretInput")
            .field("name", &self.name)
            .field("secret_string", &redacted(self.secret_string.as_deref()))
            .field("secret_binary", &redacted(self.secret_binary.as_deref()))
            .field("secret_type", &self.secret_type)
            .finish_non_exhaustive()
    }
}

/// The rules that differ between create-secret and batch-import.
pub(super) struct CreateRules {
    pub parse_name: fn(&str) -> Result<SecretName, CsmsError>,
    pub value_max_bytes: usize,
    pub period_min_secs: u64,
}

pub(super) fn validate_create(
    project: &ProjectId,
    input: CreateSecretInput,
    rules: &CreateRules,
) -> Result<(SecretSettings, SecretValue), CsmsError> {
    let name = match input.name.as_deref() {
        Some(raw) => (rules.parse_name)(raw)?,
        None => return Err(CsmsError::invalid("name", "is required")),
    };
    let kms_key_id = match input.kms_key_id.as_deref() {
        Some(raw) => KmsKeyId::parse(raw)?,
        None => KmsKeyId::project_default(project),
    };
    let description = input.description.unwrap_or_default();
    check_description(&description)?;
    let secret_type = match input.secret_type.as_deref() {
        Some(raw) => SecretType::parse(raw)?,
        None => SecretType::default(),
    };
    let auto_rotation = input.auto_rotation.unwrap_or(false);
    let rotation_period = input
        .rotation_period
        .as_deref()
        .map(|raw| RotationPeriod::parse(raw, rules.period_min_secs))
        .transpose()?;
    check_auto_rotation(
        secret_type,
        auto_rotation,
        rotation_period.as_ref(),
        input.rotation_func_urn.as_deref(),
    )?;
    let rotation_config = match input.rotation_config.as_deref() {
        Some(raw) => Some(RotationConfig::parse(raw, secret_type)?),
        None if secret_type.needs_rotation_config() => {
            return Err(CsmsError::invalid(
                "rotation_config",
                format!("is required when secret_type is {}", secret_type.as_str()),
            ));
        }
        None => None,
    };
    let event_subscriptions = parse_subscriptions(input.event_subscriptions)?;
    let enterprise_project_id = input
        .enterprise_project_id
        .unwrap_or_else(|| crate::domain::secret::DEFAULT_ENTERPRISE_PROJECT.to_owned());
    let ep_len = enterprise_project_id.chars().count();
    if ep_len == 0 || ep_len > ENTERPRISE_PROJECT_ID_MAX_CHARS {
        return Err(CsmsError::invalid(
            "enterprise_project_id",
            "must have 1 to 36 characters",
        ));
    }
    let value = SecretValue::from_fields(
        input.secret_string,
        input.secret_binary,
        rules.value_max_bytes,
    )?;
    let settings = SecretSettings {
        name,
        kms_key_id,
        description,
        secret_type,
        auto_rotation,
        rotation_period,
        rotation_config,
        event_subscriptions,
        enterprise_project_id,
        rotation_func_urn: input.rotation_func_urn,
    };
    Ok((settings, value))
}

pub(super) fn check_description(description: &str) -> Result<(), CsmsError> {
    if description.len() > DESCRIPTION_MAX_BYTES {
        return Err(CsmsError::invalid(
            "description",
            "must have at most 2048 bytes",
        ));
    }
    Ok(())
}

/// At most one event name; empty strings mean "no event" (terraform strips them too).
pub(super) fn parse_subscriptions(raw: Option<Vec<String>>) -> Result<Vec<EventName>, CsmsError> {
    let names: Vec<String> = raw
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect();
    if names.len() > EVENT_SUBSCRIPTIONS_MAX {
        return Err(CsmsError::invalid(
            "event_subscriptions",
            "may name at most one event",
        ));
    }
    names
        .iter()
        .map(|n| EventName::parse_subscription(n))
        .collect()
}
