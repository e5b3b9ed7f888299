//! Version and stage routes: create, list, show and update versions; show, update and
//! delete stages.

use axum::extract::State;
use axum::response::Response;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsPath, CsmsQuery};
use crate::api::json::{self, Json};
use crate::api::paths::{SecretPath, StagePath, VersionPath};
use crate::api::wire::json_text::WriteJson;
use crate::api::wire::queries::ListVersionsQuery;
use crate::api::wire::versions::{
    CreateVersionBody, ListVersionsResponse, StageResponse, UpdateStageBody, UpdateVersionBody,
    VersionMetadataDto, VersionMetadataResponse, VersionResponse,
};
use crate::service::CsmsService;

/// `POST /v1/{project_id}/secrets/{secret_name}/versions` — Creating a Secret Version.
pub async fn create_secret_version(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
    CsmsJson(body): CsmsJson<CreateVersionBody>,
) -> ApiResult<Json<VersionMetadataResponse>> {
    let (project, name) = path.parse()?;
    let version = service.create_secret_version(&project, &name, body.try_into()?)?;
    Ok(Json(VersionMetadataResponse {
        version_metadata: VersionMetadataDto::from(version),
    }))
}

/// `GET /v1/{project_id}/secrets/{secret_name}/versions` — Querying the Version List.
pub async fn list_secret_versions(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
    CsmsQuery(query): CsmsQuery<ListVersionsQuery>,
) -> ApiResult<Json<ListVersionsResponse>> {
    let (project, name) = path.parse()?;
    let (limit, marker) = query.parse()?;
    let listing = service.list_secret_versions(&project, &name, limit, marker.as_ref())?;
    Ok(Json(listing.into()))
}

/// `GET /v1/{project_id}/secrets/{secret_name}/versions/{version_id}` — Querying a Version
/// and its Value. Also serves `…/versions/` (empty id = `latest`, docs/behaviour.md §7).
pub async fn show_secret_version(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<VersionPath>,
) -> ApiResult<Response> {
    let (project, name, version) = path.parse()?;
    let answer = VersionResponse::from(service.show_secret_version(&project, &name, version)?);
    Ok(json::written(|out| answer.write_json(out)))
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

/// `PUT /v1/{project_id}/secrets/{secret_name}/versions/{version_id}` — Updating the
/// Validity Period of a Version.
pub async fn update_version(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<VersionPath>,
    CsmsJson(body): CsmsJson<UpdateVersionBody>,
) -> ApiResult<Json<VersionMetadataResponse>> {
    let (project, name, version) = path.parse()?;
    let version = service.update_version(&project, &name, version, body.expire_time()?)?;
    Ok(Json(VersionMetadataResponse {
        version_metadata: VersionMetadataDto::from(version),
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
    let stage = service.update_secret_stage(&project, &name, &stage, body.version()?)?;
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
