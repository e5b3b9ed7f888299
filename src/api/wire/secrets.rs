//! Secret wire types: the create, update, scheduled-deletion, batch and backup bodies,
//! the list query's parse, and the secret answers (`Secret`, lists, batch reports,
//! rotation). Each body's parse turns it into a validated service command.

use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::input::{optional, required};
use super::json_text::{WriteJson, name_text, write_int, write_opt_int, write_opt_str, write_str};
use super::page::PageInfoDto;
use super::queries::ListSecretsQuery;
use crate::domain::limits::ROTATION_PERIOD_MIN_SECS;
use crate::domain::names::{EventName, KmsKeyId, ProjectId, SecretName};
use crate::domain::page::PageLimit;
use crate::domain::rotation::{RotationConfig, RotationPeriod, SecretType};
use crate::domain::secret::create::{
    CreateRules, IMPORT_RULES, check_description, parse_enterprise_project,
};
use crate::domain::secret::{
    RecoveryWindow, Secret, SecretSettings, SettingsExtras, SettingsPatch,
};
use crate::domain::value::SecretValue;
use crate::error::CsmsError;
use crate::service::{
    BatchDeleteReport, BatchImportReport, ImportFailure, ImportItem, Listing, NewSecret,
    RotationOutcome, SecretFilter,
};

/// A `rotation_config` the database secret types take (docs/behaviour.md §11), in the one
/// spelling the OpenAPI document offers; any JSON object with these members is taken.
const DATABASE_ROTATION_CONFIG_PATTERN: &str =
    r#"^\{"InstanceId": ?"[A-Za-z0-9-]{1,36}", ?"SecretSubType": ?"(SingleUser|MultiUser)"\}$"#;

/// The fields of a create-secret request (and of a batch-import item), as sent: the wire
/// body `CreateSecretRequestBody` ("Creating a Secret" page), every field optional so the
/// parse can name what is missing.
#[derive(Default, Clone, Deserialize, schemars::JsonSchema)]
#[schemars(extend("example" = {"name": "app-db-password", "secret_string": "s3cret", "description": "an example"}))]
#[schemars(extend("allOf" = [
    {"oneOf": [{"required": ["secret_string"]}, {"required": ["secret_binary"]}]},
    {"anyOf": [
        // a common secret (the default type), which never rotates by itself
        {"properties": {"secret_type": {"enum": ["COMMON"]}, "auto_rotation": {"enum": [false]}}},
        // a database secret, with its rotation_config; rotated on demand only
        {
            "required": ["secret_type", "rotation_config"],
            "properties": {
                "secret_type": {"enum": ["RDS-FG", "GaussDB-FG"]},
                "rotation_config": {"pattern": DATABASE_ROTATION_CONFIG_PATTERN},
                "auto_rotation": {"enum": [false]}
            }
        },
        // a database secret rotated automatically: a period and a function too
        {
            "required": ["secret_type", "rotation_config", "auto_rotation", "rotation_period", "rotation_func_urn"],
            "properties": {
                "secret_type": {"enum": ["RDS-FG", "GaussDB-FG"]},
                "rotation_config": {"pattern": DATABASE_ROTATION_CONFIG_PATTERN},
                "auto_rotation": {"enum": [true]},
                "rotation_func_urn": {"minLength": 1}
            }
        }
    ]}
]))]
pub struct CreateSecretBody {
    #[schemars(required, regex(pattern = crate::domain::names::NAME_PATTERN))]
    pub name: Option<String>,
    #[schemars(regex(pattern = crate::domain::names::KMS_KEY_ID_PATTERN))]
    pub kms_key_id: Option<String>,
    #[schemars(length(max = crate::domain::limits::DESCRIPTION_MAX_BYTES))]
    pub description: Option<String>,
    #[schemars(length(max = crate::domain::limits::VALUE_MAX_BYTES), regex(pattern = crate::domain::value::BASE64_PATTERN))]
    pub secret_binary: Option<String>,
    #[schemars(length(max = crate::domain::limits::VALUE_MAX_BYTES))]
    pub secret_string: Option<String>,
    #[schemars(extend("enum" = ["COMMON", "RDS-FG", "GaussDB-FG"]))]
    pub secret_type: Option<String>,
    pub auto_rotation: Option<bool>,
    #[schemars(regex(pattern = crate::domain::limits::ROTATION_PERIOD_IN_RANGE_PATTERN))]
    pub rotation_period: Option<String>,
    #[schemars(length(max = crate::domain::limits::ROTATION_CONFIG_MAX_CHARS))]
    pub rotation_config: Option<String>,
    #[schemars(length(max = crate::domain::limits::EVENT_SUBSCRIPTIONS_MAX), inner(length(max = crate::domain::limits::EVENT_SUBSCRIPTION_MAX_CHARS)))]
    pub event_subscriptions: Option<Vec<String>>,
    #[schemars(length(min = 1, max = crate::domain::limits::ENTERPRISE_PROJECT_ID_MAX_CHARS))]
    pub enterprise_project_id: Option<String>,
    pub rotation_func_urn: Option<String>,
}

impl std::fmt::Debug for CreateSecretBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::value::redacted;
        f.debug_struct("CreateSecretBody")
            .field("name", &self.name)
            .field("secret_string", &redacted(self.secret_string.as_deref()))
            .field("secret_binary", &redacted(self.secret_binary.as_deref()))
            .field("secret_type", &self.secret_type)
            .finish_non_exhaustive()
    }
}

impl CreateSecretBody {
    /// The validated request, under the `rules` of the operation it came through; the
    /// key defaults to the project's (docs/behaviour.md §8–§11).
    pub fn parse(self, project: &ProjectId, rules: &CreateRules) -> Result<NewSecret, CsmsError> {
        let name = (rules.parse_name)(&required(self.name, "name")?)?;
        let kms_key_id = match self.kms_key_id.as_deref() {
            Some(raw) => KmsKeyId::parse(raw)?,
            None => KmsKeyId::project_default(project),
        };
        let description = self.description.unwrap_or_default();
        check_description(&description)?;
        let secret_type = self
            .secret_type
            .as_deref()
            .map(SecretType::parse)
            .transpose()?
            .unwrap_or_default();
        let auto_rotation = self.auto_rotation.unwrap_or(false);
        let rotation_period = self
            .rotation_period
            .as_deref()
            .map(|raw| RotationPeriod::parse(raw, rules.period_min_secs))
            .transpose()?;
        let rotation_config =
            RotationConfig::parse_for(self.rotation_config.as_deref(), secret_type)?;
        let event_subscriptions = EventName::parse_subscriptions(self.event_subscriptions)?;
        let enterprise_project_id = parse_enterprise_project(self.enterprise_project_id)?;
        let value = SecretValue::from_fields(
            self.secret_string,
            self.secret_binary,
            rules.value_max_bytes,
        )?;
        let extras = SettingsExtras {
            description,
            rotation_period,
            rotation_config,
            event_subscriptions,
            enterprise_project_id,
            rotation_func_urn: self.rotation_func_urn,
        };
        let settings =
            SecretSettings::new(name, kms_key_id, secret_type, auto_rotation, extras).checked()?;
        Ok(NewSecret { settings, value })
    }
}

/// The batch import body: `{"secrets": [CreateSecretRequestBody, ...]}`. The operation
/// table's type for the body; the handler reads it through [`BatchImportSeed`], which
/// takes the same bodies and fails on the same ones with the same message.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct BatchImportBody {
    pub secrets: Vec<CreateSecretBody>,
}

/// Reads a [`BatchImportBody`] straight into the items batch import takes: each item is
/// parsed under the project as soon as it is read, instead of all of them first being
/// read into a list of [`CreateSecretBody`] (272 bytes each, in a list that grows by
/// doubling). A 5,000-item request then never holds that 2 MiB list, nor the 4 MiB its
/// growth allocates; memory the allocator keeps after such requests counts in the RSS
/// after a large import (README, "RSS after load").
///
/// Without a project (its path segment is invalid) every item is still read, so a body
/// that does not parse is reported first, as before; none is kept.
#[derive(Debug, Clone, Copy)]
pub struct BatchImportSeed<'a> {
    pub project: Option<&'a ProjectId>,
}

impl<'de> DeserializeSeed<'de> for BatchImportSeed<'_> {
    type Value = Vec<ImportItem>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_struct("BatchImportBody", &["secrets"], self)
    }
}

/// The body's one field, told from any other key as `#[derive(Deserialize)]` tells them.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum BatchImportField {
    Secrets,
    #[serde(other)]
    Other,
}

/// The body, as the derived `Deserialize` of [`BatchImportBody`] visits it: a map, or a
/// sequence holding the one field.
impl<'de> Visitor<'de> for BatchImportSeed<'_> {
    type Value = Vec<ImportItem>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("struct BatchImportBody")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        seq.next_element_seed(ImportItems(self))?
            .ok_or_else(|| de::Error::invalid_length(0, &"struct BatchImportBody with 1 element"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut secrets = None;
        while let Some(key) = map.next_key()? {
            match key {
                BatchImportField::Secrets => {
                    if secrets.is_some() {
                        return Err(de::Error::duplicate_field("secrets"));
                    }
                    secrets = Some(map.next_value_seed(ImportItems(self))?);
                }
                BatchImportField::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        secrets.ok_or_else(|| de::Error::missing_field("secrets"))
    }
}

/// The `secrets` list, each item parsed as it is read.
#[derive(Clone, Copy)]
struct ImportItems<'a>(BatchImportSeed<'a>);

impl<'de> DeserializeSeed<'de> for ImportItems<'_> {
    type Value = Vec<ImportItem>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ImportItems<'_> {
    type Value = Vec<ImportItem>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(body) = seq.next_element::<CreateSecretBody>()? {
            if let Some(project) = self.0.project {
                let name = body.name.clone();
                items.push(body.parse(project, &IMPORT_RULES).map_err(|err| {
                    // The name as the item gave it, which may be missing or invalid.
                    ImportFailure {
                        name: name.unwrap_or_default(),
                        error_msg: err.prefixed_message(),
                    }
                }));
            }
        }
        Ok(items)
    }
}

/// The body of batch delete, as sent ("Deleting Secrets in Batches" page).
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[schemars(extend("anyOf" = [{"required": ["instance_id"]}, {"required": ["instance_type"]}]))]
pub struct BatchDeleteBody {
    #[schemars(length(min = 1))]
    pub instance_id: Option<String>,
    #[schemars(extend("enum" = ["RDS", "TaurusDB", "GaussDB", "APIG"]))]
    pub instance_type: Option<String>,
}

impl ListSecretsQuery {
    pub fn parse(&self) -> Result<SecretFilter, CsmsError> {
        Ok(SecretFilter {
            limit: PageLimit::parse(self.limit.as_deref())?,
            marker: optional(self.marker.as_deref(), |m| {
                SecretName::parse_lookup("marker", m)
            })?,
            event: optional(self.event_name.as_deref(), |e| {
                EventName::parse("event_name", e)
            })?,
        })
    }
}

/// The body of update-secret, as sent: absent = unchanged, present and empty = cleared.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct UpdateSecretBody {
    #[schemars(length(max = 64))]
    pub kms_key_id: Option<String>,
    #[schemars(length(max = crate::domain::limits::DESCRIPTION_MAX_BYTES))]
    pub description: Option<String>,
    pub auto_rotation: Option<bool>,
    #[schemars(regex(pattern = crate::domain::limits::ROTATION_PERIOD_IN_RANGE_PATTERN))]
    pub rotation_period: Option<String>,
    #[schemars(length(max = crate::domain::limits::EVENT_SUBSCRIPTIONS_MAX), inner(length(max = crate::domain::limits::EVENT_SUBSCRIPTION_MAX_CHARS)))]
    pub event_subscriptions: Option<Vec<String>>,
    pub rotation_func_urn: Option<String>,
}

impl UpdateSecretBody {
    /// The validated change: an empty key means the project's default, an empty period or
    /// function URN clears it.
    pub fn into_patch(self, project: &ProjectId) -> Result<SettingsPatch, CsmsError> {
        Ok(SettingsPatch {
            kms_key_id: self
                .kms_key_id
                .map(|k| match k.as_str() {
                    "" => Ok(KmsKeyId::project_default(project)),
                    raw => KmsKeyId::parse_for_update(raw),
                })
                .transpose()?,
            description: self
                .description
                .map(|d| check_description(&d).map(|()| d))
                .transpose()?,
            auto_rotation: self.auto_rotation,
            rotation_period: self
                .rotation_period
                .map(|p| match p.as_str() {
                    "" => Ok(None),
                    raw => RotationPeriod::parse(raw, ROTATION_PERIOD_MIN_SECS).map(Some),
                })
                .transpose()?,
            event_subscriptions: self
                .event_subscriptions
                .map(|e| EventName::parse_subscriptions(Some(e)))
                .transpose()?,
            rotation_func_urn: self
                .rotation_func_urn
                .map(|u| Some(u).filter(|u| !u.is_empty())),
        })
    }
}

/// The body of the scheduled-deletion request.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct ScheduleDeletionBody {
    #[schemars(range(min = crate::domain::secret::RECOVERY_DAYS_MIN, max = crate::domain::secret::RECOVERY_DAYS_MAX))]
    pub recovery_window_in_days: Option<i64>,
}

impl ScheduleDeletionBody {
    /// The recovery window; a request without a body waits the default 30 days.
    pub fn parse(body: Option<Self>) -> Result<RecoveryWindow, CsmsError> {
        RecoveryWindow::parse(body.and_then(|b| b.recovery_window_in_days))
    }
}

/// `Secret`.
#[derive(Debug, Clone, Serialize)]
pub struct SecretDto {
    /// Written as the hyphenated lowercase text, as `Display` writes it.
    pub id: Uuid,
    /// Shared with the secret, not copied.
    #[serde(serialize_with = "name_text")]
    pub name: SecretName,
    pub state: &'static str,
    /// Shared with the secret, not copied.
    pub kms_key_id: KmsKeyId,
    pub description: String,
    pub create_time: i64,
    pub update_time: i64,
    pub scheduled_delete_time: Option<i64>,
    pub secret_type: &'static str,
    pub auto_rotation: bool,
    pub rotation_period: Option<String>,
    pub rotation_config: Option<String>,
    pub rotation_time: Option<i64>,
    pub next_rotation_time: Option<i64>,
    pub event_subscriptions: Vec<String>,
    pub enterprise_project_id: String,
    pub rotation_func_urn: Option<String>,
    /// When a value was last read (2026 `Secret` object).
    pub last_used_time: Option<i64>,
    /// The tenant the secret belongs to.
    pub domain_id: &'static str,
    /// `STANDALONE`: the emulator keeps no multi-region replicas.
    pub replica_type: &'static str,
    pub replicas: Vec<serde_json::Value>,
}

impl From<&Secret> for SecretDto {
    fn from(s: &Secret) -> Self {
        let settings = &s.settings();
        Self {
            id: s.id(),
            name: settings.name.clone(),
            state: s.state().as_str(),
            kms_key_id: settings.kms_key_id.clone(),
            description: settings.description().to_owned(),
            create_time: s.create_time(),
            update_time: s.update_time(),
            scheduled_delete_time: s.scheduled_delete_time(),
            secret_type: settings.secret_type.as_str(),
            auto_rotation: settings.auto_rotation,
            rotation_period: settings.rotation_period().map(|p| p.as_str().to_owned()),
            rotation_config: settings.rotation_config().map(|c| c.as_str().to_owned()),
            rotation_time: s.rotation_time(),
            next_rotation_time: s.next_rotation_time(),
            event_subscriptions: settings
                .event_subscriptions()
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect(),
            enterprise_project_id: settings.enterprise_project_id().to_owned(),
            rotation_func_urn: settings.rotation_func_urn().map(str::to_owned),
            last_used_time: s.last_used().get(),
            domain_id: crate::service::DOMAIN_ID,
            replica_type: "STANDALONE",
            replicas: Vec::new(),
        }
    }
}

/// Field by field as the derived `Serialize` writes them, in declaration order.
impl WriteJson for SecretDto {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(br#"{"id":"#);
        write_str(
            out,
            self.id
                .hyphenated()
                .encode_lower(&mut Uuid::encode_buffer()),
        );
        out.extend_from_slice(br#","name":"#);
        write_str(out, self.name.as_str());
        out.extend_from_slice(br#","state":"#);
        write_str(out, self.state);
        out.extend_from_slice(br#","kms_key_id":"#);
        write_str(out, self.kms_key_id.as_str());
        out.extend_from_slice(br#","description":"#);
        write_str(out, &self.description);
        out.extend_from_slice(br#","create_time":"#);
        write_int(out, self.create_time);
        out.extend_from_slice(br#","update_time":"#);
        write_int(out, self.update_time);
        out.extend_from_slice(br#","scheduled_delete_time":"#);
        write_opt_int(out, self.scheduled_delete_time);
        out.extend_from_slice(br#","secret_type":"#);
        write_str(out, self.secret_type);
        out.extend_from_slice(if self.auto_rotation {
            br#","auto_rotation":true"#
        } else {
            br#","auto_rotation":false"#
        });
        out.extend_from_slice(br#","rotation_period":"#);
        write_opt_str(out, self.rotation_period.as_deref());
        out.extend_from_slice(br#","rotation_config":"#);
        write_opt_str(out, self.rotation_config.as_deref());
        out.extend_from_slice(br#","rotation_time":"#);
        write_opt_int(out, self.rotation_time);
        out.extend_from_slice(br#","next_rotation_time":"#);
        write_opt_int(out, self.next_rotation_time);
        out.extend_from_slice(br#","event_subscriptions":["#);
        for (i, event) in self.event_subscriptions.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, event);
        }
        out.extend_from_slice(br#"],"enterprise_project_id":"#);
        write_str(out, &self.enterprise_project_id);
        out.extend_from_slice(br#","rotation_func_urn":"#);
        write_opt_str(out, self.rotation_func_urn.as_deref());
        out.extend_from_slice(br#","last_used_time":"#);
        write_opt_int(out, self.last_used_time);
        out.extend_from_slice(br#","domain_id":"#);
        write_str(out, self.domain_id);
        out.extend_from_slice(br#","replica_type":"#);
        write_str(out, self.replica_type);
        out.extend_from_slice(br#","replicas":"#);
        if self.replicas.is_empty() {
            out.extend_from_slice(b"[]");
        } else {
            // Writing into a `Vec` cannot fail, and a `Value` always serializes.
            let _ = serde_json::to_writer(&mut *out, &self.replicas);
        }
        out.push(b'}');
    }
}

/// `{"secret": Secret}`.
#[derive(Debug, Serialize)]
pub struct SecretResponse {
    pub secret: SecretDto,
}

impl WriteJson for SecretResponse {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(br#"{"secret":"#);
        self.secret.write_json(out);
        out.push(b'}');
    }
}

impl SecretResponse {
    /// The answer of every operation that answers with one secret.
    #[must_use]
    pub fn of(secret: &Secret) -> Self {
        Self {
            secret: secret.into(),
        }
    }
}

/// The answer of list-secrets.
#[derive(Debug, Serialize)]
pub struct ListSecretsResponse {
    pub secrets: Vec<SecretDto>,
    pub page_info: PageInfoDto,
}

impl From<Listing<Arc<Secret>>> for ListSecretsResponse {
    fn from(listing: Listing<Arc<Secret>>) -> Self {
        Self {
            secrets: listing
                .items
                .iter()
                .map(|s| SecretDto::from(&**s))
                .collect(),
            page_info: PageInfoDto::of(&listing),
        }
    }
}

/// `ErrorInfo` of batch import.
#[derive(Debug, Serialize)]
pub struct ImportErrorDto {
    pub name: String,
    pub error_msg: String,
}

/// The answer of batch import ("Importing Secrets in Batches" page).
#[derive(Debug, Serialize)]
pub struct BatchImportResponse {
    pub error_list: Vec<ImportErrorDto>,
    pub total: usize,
    pub success: usize,
    pub failed: usize,
}

impl From<BatchImportReport> for BatchImportResponse {
    fn from(r: BatchImportReport) -> Self {
        Self {
            failed: r.errors.len(),
            error_list: r
                .errors
                .into_iter()
                .map(|e| ImportErrorDto {
                    name: e.name,
                    error_msg: e.error_msg,
                })
                .collect(),
            total: r.total,
            success: r.success,
        }
    }
}

/// `FailedDeletedSecrets` of batch delete.
#[derive(Debug, Serialize)]
pub struct FailedDeletedDto {
    pub secret_name: String,
    pub error_msg: String,
}

/// The answer of batch delete ("Deleting Secrets in Batches" page).
#[derive(Debug, Serialize)]
pub struct BatchDeleteResponse {
    pub total: usize,
    pub success_secrets: Vec<String>,
    pub failed_secrets: Vec<FailedDeletedDto>,
}

impl From<BatchDeleteReport> for BatchDeleteResponse {
    fn from(r: BatchDeleteReport) -> Self {
        Self {
            total: r.total,
            success_secrets: r.deleted,
            failed_secrets: r
                .failed
                .into_iter()
                .map(|(secret_name, error_msg)| FailedDeletedDto {
                    secret_name,
                    error_msg,
                })
                .collect(),
        }
    }
}

/// The answer of rotate-secret.
#[derive(Debug, Serialize)]
pub struct RotateResponse {
    pub version_id: String,
    pub secret_name: String,
    pub rotation_task_id: String,
}

impl From<RotationOutcome> for RotateResponse {
    fn from(o: RotationOutcome) -> Self {
        Self {
            version_id: o.version_id.to_string(),
            secret_name: o.secret_name.to_string(),
            rotation_task_id: o.task_id.to_string(),
        }
    }
}

/// `{"secret_blob": ...}`, in both directions.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BlobBody {
    #[schemars(required)]
    pub secret_blob: Option<String>,
}

impl BlobBody {
    /// The backup blob to restore; the service opens it.
    pub fn blob(&self) -> Result<&str, CsmsError> {
        required(self.secret_blob.as_deref(), "secret_blob")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::versions::CreateVersionBody;
    use crate::domain::secret::create::{CREATE_RULES, IMPORT_RULES};

    #[test]
    fn request_bodies_never_show_values_in_debug_output() {
        let create = CreateSecretBody {
            name: Some("n".into()),
            secret_string: Some("input-canary".into()),
            ..CreateSecretBody::default()
        };
        let version = CreateVersionBody {
            secret_binary: Some("aW5wdXQtY2FuYXJ5".into()),
            ..CreateVersionBody::default()
        };
        let parsed = create
            .clone()
            .parse(&ProjectId::parse("p").unwrap(), &CREATE_RULES)
            .unwrap();
        let shown = format!("{create:?} {version:?} {parsed:?}");
        assert!(
            !shown.contains("input-canary") && !shown.contains("aW5wdXQtY2FuYXJ5"),
            "{shown}"
        );
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn the_secret_answer_writes_what_serde_json_writes() {
        let project = ProjectId::parse("p").unwrap();
        let plain = SecretDto {
            id: Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
            name: SecretName::parse_lookup("name", "db.password").unwrap(),
            state: "ENABLED",
            kms_key_id: KmsKeyId::project_default(&project),
            description: String::new(),
            create_time: 1_796_170_177_000,
            update_time: 1_796_170_177_001,
            scheduled_delete_time: None,
            secret_type: "COMMON",
            auto_rotation: false,
            rotation_period: None,
            rotation_config: None,
            rotation_time: None,
            next_rotation_time: None,
            event_subscriptions: Vec::new(),
            enterprise_project_id: "0".into(),
            rotation_func_urn: None,
            last_used_time: None,
            domain_id: crate::service::DOMAIN_ID,
            replica_type: "STANDALONE",
            replicas: Vec::new(),
        };
        let full = SecretDto {
            description: "quotes \" and \\, a tab\t, ünïcode".into(),
            scheduled_delete_time: Some(-1),
            auto_rotation: true,
            rotation_period: Some("30d".into()),
            rotation_config: Some(r#"{"InstanceId":"i"}"#.into()),
            rotation_time: Some(i64::MAX),
            next_rotation_time: Some(0),
            event_subscriptions: vec!["e1".into(), "e\n2".into()],
            rotation_func_urn: Some("urn:fss:x".into()),
            last_used_time: Some(i64::MIN),
            replicas: vec![serde_json::json!({"region": "r"}), serde_json::Value::Null],
            ..plain.clone()
        };
        for secret in [plain, full] {
            let answer = SecretResponse { secret };
            super::super::json_text::assert_writes_as_serde_json(&answer);
        }
    }

    /// The batch-import seed takes the bodies the derived `BatchImportBody` takes, with the
    /// same items, and fails on the others with the same message (a type error names the
    /// same field at the same line and column).
    #[test]
    fn the_batch_import_seed_reads_bodies_as_the_derived_body_does() {
        use crate::api::extract::{parse_json, parse_json_seed};
        let project = ProjectId::parse("p").unwrap();
        let derived = |text: &str| {
            parse_json::<BatchImportBody>(text.as_bytes()).map(|body| {
                let items: Vec<ImportItem> = body
                    .secrets
                    .into_iter()
                    .map(|item| {
                        let name = item.name.clone().unwrap_or_default();
                        item.parse(&project, &IMPORT_RULES)
                            .map_err(|err| ImportFailure {
                                name,
                                error_msg: err.prefixed_message(),
                            })
                    })
                    .collect();
                format!("{items:?}")
            })
        };
        let seeded = |text: &str, project: Option<&ProjectId>| {
            parse_json_seed(text.as_bytes(), BatchImportSeed { project })
                .map(|items| format!("{items:?}"))
        };
        let bodies = [
            r#"{"secrets": [{"name": "a", "secret_string": "v"}, {"name": "b", "secret_binary": "dg=="}]}"#,
            r#"{"secrets": [{"name": "bad name", "secret_string": "v"}, {"secret_string": "v"}, {}]}"#,
            r#"{"secrets": [{"name": "a", "secret_string": "v", "unknown": [1, {"x": null}]}]}"#,
            r#"{"other": {"secrets": 1}, "secrets": [], "more": "x"}"#,
            r#"{"secr\u0065ts": [{"name": "escaped", "secret_string": "v"}]}"#,
            r#"{"secrets": []}"#,
            r#"[[{"name": "a", "secret_string": "v"}]]"#,
            "[]",
            "[[], 1]",
            "{}",
            r#"{"other": 1}"#,
            r#"{"secrets": [], "secrets": []}"#,
            r#"{"secrets": 5}"#,
            r#"{"secrets": null}"#,
            r#"{"secrets": {"name": "a"}}"#,
            r#"{"secrets": [5]}"#,
            r#"{"secrets": [{"name": "a", "secret_string": "v"}, {"name": 5}]}"#,
            "{\"secrets\": [\n  {\"name\": \"a\",\n   \"event_subscriptions\": [\"e\", 1]}]}",
            r#"{"secrets": [{"name": "a", "auto_rotation": "yes"}]}"#,
            r#"{"secrets": [1,]}"#,
            r#"{"secrets": [{"name": "a", "secret_string": "v"},]}"#,
            r#"{"secrets": [{"name": "a"}]"#,
            r#"{"secrets": [{"name": "a"}]} trailing"#,
            "null",
            r#""secrets""#,
            "",
        ];
        for body in bodies {
            let expected = derived(body).map_err(|err| err.to_string());
            assert_eq!(
                seeded(body, Some(&project)).map_err(|err| err.to_string()),
                expected,
                "{body}"
            );
            // Without a project the same bodies fail the same way, and none is kept.
            assert_eq!(
                seeded(body, None).map_err(|err| err.to_string()),
                expected.map(|_| "[]".to_owned()),
                "{body}"
            );
        }
    }

    #[test]
    fn a_create_body_parses_under_the_rules_of_its_operation() {
        let project = ProjectId::parse("p").unwrap();
        let body = CreateSecretBody {
            name: Some("a".repeat(64)),
            secret_string: Some("x".repeat(40 * 1024)),
            ..CreateSecretBody::default()
        };
        let created = body.clone().parse(&project, &CREATE_RULES).unwrap();
        assert_eq!(
            created.settings.kms_key_id,
            KmsKeyId::project_default(&project)
        );
        assert_eq!(created.settings.enterprise_project_id(), "0");
        // batch import keeps values to 32 KiB
        let err = body.parse(&project, &IMPORT_RULES).unwrap_err();
        assert_eq!(err.code(), crate::error::ErrorCode::InvalidParameter);
        let missing = CreateSecretBody::default().parse(&project, &CREATE_RULES);
        assert!(missing.unwrap_err().to_string().contains("name"));
    }
}
