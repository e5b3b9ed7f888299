//! Tag routes under `/v1/{project_id}/csms/…`: a secret's tags, the project's tags, the
//! batch tag action and the tag search.

use axum::extract::State;
use axum::http::StatusCode;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsPath};
use crate::api::json::Json;
use crate::api::paths::ProjectPath;
use crate::api::wire::input::required;
use crate::api::wire::tags::{
    CreateTagBody, ProjectTagsResponse, ResourceFilterBody, ResourcesResponse, SecretTagsResponse,
    TagActionBody,
};
use crate::domain::names::{ProjectId, parse_secret_id};
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
    CsmsPath((project_id, secret_id)): CsmsPath<(String, String)>,
) -> ApiResult<Json<SecretTagsResponse>> {
    let project = ProjectId::parse(&project_id)?;
    let secret = service.list_secret_tags(&project, parse_secret_id(&secret_id)?)?;
    Ok(Json(SecretTagsResponse::from(&*secret)))
}

/// `POST /v1/{project_id}/csms/{secret_id}/tags` — Adding a Tag.
pub async fn create_secret_tag(
    State(service): State<CsmsService>,
    CsmsPath((project_id, secret_id)): CsmsPath<(String, String)>,
    CsmsJson(body): CsmsJson<CreateTagBody>,
) -> ApiResult<StatusCode> {
    let project = ProjectId::parse(&project_id)?;
    let tag = required(body.tag, "tag")?.parse()?;
    service.create_secret_tag(&project, parse_secret_id(&secret_id)?, tag)?;
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
    CsmsPath((project_id, secret_id)): CsmsPath<(String, String)>,
    CsmsJson(body): CsmsJson<TagActionBody>,
) -> ApiResult<StatusCode> {
    let project = ProjectId::parse(&project_id)?;
    let action = body.try_into()?;
    service.batch_create_or_delete_tags(&project, parse_secret_id(&secret_id)?, action)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/{project_id}/csms/{secret_id}/tags/{key}` — Deleting a Tag.
pub async fn delete_secret_tag(
    State(service): State<CsmsService>,
    CsmsPath((project_id, secret_id, key)): CsmsPath<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let project = ProjectId::parse(&project_id)?;
    service.delete_secret_tag(&project, parse_secret_id(&secret_id)?, &key)?;
    Ok(StatusCode::NO_CONTENT)
}
