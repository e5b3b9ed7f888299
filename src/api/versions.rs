//! Version and stage routes: create, list and show versions; show a stage.

use crate::api::json::Json;
use axum::extract::State;

use crate::domain::limits::VALUE_MAX_BYTES;
use crate::domain::names::{StageName, VersionMarker};
use crate::domain::page::PageLimit;
use crate::domain::value::SecretValue;
use crate::error::CsmsError;
use crate::service::input::non_empty;
use crate::service::{CreateVersion, CsmsService};

use super::dto::{
    ListVersionsResponse, StageResponse, VersionMetadataDto, VersionMetadataResponse,
    VersionResponse,
};
use super::error::ApiResult;
use super::extract::{CsmsJson, CsmsPath, CsmsQuery};
use super::paths::{SecretPath, StagePath, VersionPath};
use super::wire::queries::ListVersionsQuery;

/// 2100-01-01T00:00:00Z: the earliest `expire_time` the OpenAPI document offers, so a
/// generated one is in the future whatever the emulator's clock says (short of a clock
/// moved past it). The emulator takes any future moment.
const FAR_FUTURE_MS: i64 = 4_102_444_800_000;

/// The body of create-secret-version, as sent (`CreateSecretVersionRequestBody`,
/// "Creating a Secret Version" page).
#[derive(Default, Clone, serde::Deserialize, schemars::JsonSchema)]
#[schemars(extend("example" = {"secret_string": "next-value"}))]
#[schemars(extend("oneOf" = [{"required": ["secret_string"]}, {"required": ["secret_binary"]}]))]
pub struct CreateVersionBody {
    #[schemars(length(max = crate::domain::limits::VALUE_MAX_BYTES), regex(pattern = crate::domain::value::BASE64_PATTERN))]
    pub secret_binary: Option<String>,
    #[schemars(length(max = crate::domain::limits::VALUE_MAX_BYTES))]
    pub secret_string: Option<String>,
    #[schemars(length(min = 1, max = crate::domain::limits::STAGES_MAX), inner(regex(pattern = crate::domain::names::NAME_PATTERN)))]
    pub version_stages: Option<Vec<String>>,
    /// Epoch milliseconds, in the future; the document offers 2100 to 2286.
    #[schemars(range(min = FAR_FUTURE_MS, max = crate::domain::limits::EXPIRE_TIME_MAX_MS))]
    pub expire_time: Option<i64>,
}

impl std::fmt::Debug for CreateVersionBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::value::redacted;
        f.debug_struct("CreateVersionBody")
            .field("secret_string", &redacted(self.secret_string.as_deref()))
            .field("secret_binary", &redacted(self.secret_binary.as_deref()))
            .field("version_stages", &self.version_stages)
            .field("expire_time", &self.expire_time)
            .finish()
    }
}

impl TryFrom<CreateVersionBody> for CreateVersion {
    type Error = CsmsError;

    fn try_from(body: CreateVersionBody) -> Result<Self, CsmsError> {
        let stages = body.version_stages.map(StageName::parse_list).transpose()?;
        let value =
            SecretValue::from_fields(body.secret_string, body.secret_binary, VALUE_MAX_BYTES)?;
        Ok(Self {
            value,
            stages,
            expire_time: body.expire_time,
        })
    }
}

/// `POST /v1/{project_id}/secrets/{secret_name}/versions` — Creating a Secret Version.
pub async fn create_secret_version(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
    CsmsJson(body): CsmsJson<CreateVersionBody>,
) -> ApiResult<Json<VersionMetadataResponse>> {
    let (project, name) = path.parse()?;
    let version = service.create_secret_version(&project, &name, body.try_into()?)?;
    Ok(Json(VersionMetadataResponse {
        version_metadata: VersionMetadataDto::from(&version),
    }))
}

/// `GET /v1/{project_id}/secrets/{secret_name}/versions` — Querying the Version List.
pub async fn list_secret_versions(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
    CsmsQuery(query): CsmsQuery<ListVersionsQuery>,
) -> ApiResult<Json<ListVersionsResponse>> {
    let (project, name) = path.parse()?;
    let limit = PageLimit::parse(query.limit.as_deref())?;
    let marker = non_empty(query.marker.as_deref())
        .map(VersionMarker::parse)
        .transpose()?;
    let listing = service.list_secret_versions(&project, &name, limit, marker.as_ref())?;
    Ok(Json(listing.into()))
}

/// `GET /v1/{project_id}/secrets/{secret_name}/versions/{version_id}` — Querying a Version
/// and its Value. Also serves `…/versions/` (empty id = `latest`, docs/behaviour.md §7).
pub async fn show_secret_version(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<VersionPath>,
) -> ApiResult<Json<VersionResponse>> {
    let (project, name, version) = path.parse()?;
    Ok(Json(
        service
            .show_secret_version(&project, &name, version)?
            .into(),
    ))
}

/// `GET /v1/{project_id}/secrets/{secret_name}/stages/{stage_name}` — Querying a Version
/// Status.
pub async fn show_secret_stage(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<StagePath>,
) -> ApiResult<Json<StageResponse>> {
    let (project, name, stage) = path.parse()?;
    Ok(Json(
        service.show_secret_stage(&project, &name, &stage)?.into(),
    ))
}

/// The body of update-version.
#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
pub struct UpdateVersionBody {
    /// Epoch milliseconds, in the future; the document offers 2100 to 2286.
    #[schemars(required, range(min = FAR_FUTURE_MS, max = crate::domain::limits::EXPIRE_TIME_MAX_MS))]
    pub expire_time: Option<i64>,
}

/// The body of update-secret-stage.
#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
pub struct UpdateStageBody {
    #[schemars(required, regex(pattern = "^v[0-9]{1,10}$"))]
    pub version_id: Option<String>,
}

/// `PUT /v1/{project_id}/secrets/{secret_name}/versions/{version_id}` — Updating the
/// Validity Period of a Version.
pub async fn update_version(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<VersionPath>,
    CsmsJson(body): CsmsJson<UpdateVersionBody>,
) -> ApiResult<Json<VersionMetadataResponse>> {
    let (project, name, version) = path.parse()?;
    let version = service.update_version(&project, &name, version, body.expire_time)?;
    Ok(Json(VersionMetadataResponse {
        version_metadata: VersionMetadataDto::from(&version),
    }))
}

/// `PUT /v1/{project_id}/secrets/{secret_name}/stages/{stage_name}` — Updating a Version
/// Status.
pub async fn update_secret_stage(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<StagePath>,
    CsmsJson(body): CsmsJson<UpdateStageBody>,
) -> ApiResult<Json<StageResponse>> {
    let (project, name, stage) = path.parse()?;
    let stage = service.update_secret_stage(&project, &name, &stage, body.version_id.as_deref())?;
    Ok(Json(stage.into()))
}

/// `DELETE /v1/{project_id}/secrets/{secret_name}/stages/{stage_name}` — Deleting a
/// Version Status (204).
pub async fn delete_secret_stage(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<StagePath>,
) -> ApiResult<axum::http::StatusCode> {
    let (project, name, stage) = path.parse()?;
    service.delete_secret_stage(&project, &name, &stage)?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
