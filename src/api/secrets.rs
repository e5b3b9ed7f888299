//! Secret routes: create, list, show, batch import and batch delete, with the bodies and
//! queries they read and their conversion into validated service commands.

use crate::api::json::Json;
use axum::extract::State;
use serde::Deserialize;

use crate::domain::names::{EventName, KmsKeyId, ProjectId, SecretName};
use crate::domain::page::PageLimit;
use crate::domain::rotation::{RotationConfig, RotationPeriod, SecretType, check_auto_rotation};
use crate::domain::secret::SecretSettings;
use crate::domain::secret::create::{
    CREATE_RULES, CreateRules, IMPORT_RULES, check_description, parse_enterprise_project,
};
use crate::domain::value::SecretValue;
use crate::error::CsmsError;
use crate::service::input::{non_empty, required};
use crate::service::{BatchDeleteFilter, CsmsService, ImportItem, NewSecret, SecretFilter};

use super::dto::{BatchDeleteResponse, BatchImportResponse, ListSecretsResponse, SecretResponse};
use super::error::ApiResult;
use super::extract::{CsmsJson, CsmsPath, CsmsQuery};
use super::paths::{ProjectPath, SecretPath};
use super::wire::queries::ListSecretsQuery;

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
        check_auto_rotation(
            secret_type,
            auto_rotation,
            rotation_period.as_ref(),
            self.rotation_func_urn.as_deref(),
        )?;
        let rotation_config =
            RotationConfig::parse_for(self.rotation_config.as_deref(), secret_type)?;
        let event_subscriptions = EventName::parse_subscriptions(self.event_subscriptions)?;
        let enterprise_project_id = parse_enterprise_project(self.enterprise_project_id)?;
        let value = SecretValue::from_fields(
            self.secret_string,
            self.secret_binary,
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
            rotation_func_urn: self.rotation_func_urn,
        };
        Ok(NewSecret { settings, value })
    }
}

/// The batch import body: `{"secrets": [CreateSecretRequestBody, ...]}`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct BatchImportBody {
    pub secrets: Vec<CreateSecretBody>,
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
    fn parse(&self) -> Result<SecretFilter, CsmsError> {
        Ok(SecretFilter {
            limit: PageLimit::parse(self.limit.as_deref())?,
            marker: non_empty(self.marker.as_deref())
                .map(|m| SecretName::parse_lookup("marker", m))
                .transpose()?,
            event: non_empty(self.event_name.as_deref())
                .map(|e| EventName::parse("event_name", e))
                .transpose()?,
        })
    }
}

/// `POST /v1/{project_id}/secrets` — Creating a Secret.
pub async fn create_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<CreateSecretBody>,
) -> ApiResult<Json<SecretResponse>> {
    let project = path.parse()?;
    let secret = service.create_secret(&project, body.parse(&project, &CREATE_RULES)?)?;
    Ok(Json(SecretResponse::of(&secret)))
}

/// `GET /v1/{project_id}/secrets` — Querying the Secret List.
pub async fn list_secrets(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<ListSecretsQuery>,
) -> ApiResult<Json<ListSecretsResponse>> {
    let project = path.parse()?;
    Ok(Json(
        service.list_secrets(&project, &query.parse()?)?.into(),
    ))
}

/// `GET /v1/{project_id}/secrets/{secret_name}` — Querying a Secret.
pub async fn show_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<Json<SecretResponse>> {
    let (project, name) = path.parse()?;
    let secret = service.show_secret(&project, &name)?;
    Ok(Json(SecretResponse::of(&secret)))
}

/// `POST /v1/{project_id}/secrets/batch-import` — Importing Secrets in Batches.
pub async fn batch_import_secrets(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<BatchImportBody>,
) -> ApiResult<Json<BatchImportResponse>> {
    let project = path.parse()?;
    let items = body
        .secrets
        .into_iter()
        .map(|item| ImportItem {
            name: item.name.clone().unwrap_or_default(),
            secret: item.parse(&project, &IMPORT_RULES),
        })
        .collect();
    let report = service.batch_import_secrets(&project, items)?;
    Ok(Json(report.into()))
}

/// `POST /v1/{project_id}/secrets/batch-delete` — Deleting Secrets in Batches.
pub async fn batch_delete_secrets(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<BatchDeleteBody>,
) -> ApiResult<Json<BatchDeleteResponse>> {
    let project = path.parse()?;
    let filter = BatchDeleteFilter::parse(body.instance_id, body.instance_type.as_deref())?;
    let report = service.batch_delete_secrets(&project, &filter)?;
    Ok(Json(report.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::versions::CreateVersionBody;

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
        assert_eq!(created.settings.enterprise_project_id, "0");
        // batch import keeps values to 32 KiB
        let err = body.parse(&project, &IMPORT_RULES).unwrap_err();
        assert_eq!(err.code(), crate::error::ErrorCode::InvalidParameter);
        let missing = CreateSecretBody::default().parse(&project, &CREATE_RULES);
        assert!(missing.unwrap_err().to_string().contains("name"));
    }
}
