//! Tag routes under `/v1/{project_id}/csms/…`: a secret's tags, the project's tags, the
//! batch tag action and the tag search.

use axum::extract::State;
use axum::http::StatusCode;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsPath};
use crate::api::json::Json;
use crate::api::paths::{ProjectPath, SecretIdPath, TagPath};
use crate::api::wire::tags::{
    CreateTagBody, ProjectTagsResponse, ResourceFilterBody, ResourcesResponse, SecretTagsResponse,
    TagActionBody,
};
use crate::service::CsmsService;

/// `GET /v1/{project_id}/csms/tags` — Querying the Project's Tags.
pub async fn list_project_secrets_tags(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
) -> ApiResult<Json<ProjectTagsResponse>> {
    let project = path.parse()?;
    Ok(Json(service.list_project_secrets_tags(&project)?.into()))
}

/// `GET /v1/{project_id}/csms/{secret_id}/tags` — Querying a Secret's Tags.
pub async fn list_secret_tags(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretIdPath>,
) -> ApiResult<Json<SecretTagsResponse>> {
    let (project, id) = path.parse()?;
    let secret = service.list_secret_tags(&project, id)?;
    Ok(Json(SecretTagsResponse::from(&*secret)))
}

/// `POST /v1/{project_id}/csms/{secret_id}/tags` — Adding a Tag.
pub async fn create_secret_tag(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretIdPath>,
    CsmsJson(body): CsmsJson<CreateTagBody>,
) -> ApiResult<StatusCode> {
    let (project, id) = path.parse()?;
    service.create_secret_tag(&project, id, body.parse()?)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/{project_id}/csms/resource_instances/action` — Searching Secrets by Tags.
pub async fn list_resource_instances(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<ResourceFilterBody>,
) -> ApiResult<Json<ResourcesResponse>> {
    let project = path.parse()?;
    let page = service.list_resource_instances(&project, &body.try_into()?)?;
    Ok(Json(ResourcesResponse::new(
        page.resources,
        page.total_count,
    )))
}

/// `POST /v1/{project_id}/csms/{secret_id}/tags/action` — Adding or Deleting Tags in
/// Batches.
pub async fn batch_create_or_delete_tags(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretIdPath>,
    CsmsJson(body): CsmsJson<TagActionBody>,
) -> ApiResult<StatusCode> {
    let (project, id) = path.parse()?;
    service.batch_create_or_delete_tags(&project, id, body.try_into()?)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/{project_id}/csms/{secret_id}/tags/{key}` — Deleting a Tag.
pub async fn delete_secret_tag(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<TagPath>,
) -> ApiResult<StatusCode> {
    let (project, id, key) = path.parse()?;
    service.delete_secret_tag(&project, id, &key)?;
    Ok(StatusCode::NO_CONTENT)
}
