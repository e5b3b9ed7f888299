//! Grant routes under `/v1/{project_id}/csms/grants`: create, update, list and delete.

use axum::extract::State;
use axum::http::StatusCode;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsPath, CsmsQuery};
use crate::api::json::Json;
use crate::api::paths::ProjectPath;
use crate::api::wire::grants::{GrantBody, GrantResponse, ListGrantsResponse};
use crate::api::wire::queries::{DeleteGrantQuery, GrantQuery};
use crate::service::CsmsService;

/// `POST /v1/{project_id}/csms/grants` — Creating a Grant.
pub async fn create_grants(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<GrantBody>,
) -> ApiResult<Json<GrantResponse>> {
    let project = path.parse()?;
    Ok(Json(
        service.create_grants(&project, body.try_into()?)?.into(),
    ))
}

/// `PUT /v1/{project_id}/csms/grants?resource_id=` — Updating a Grant.
pub async fn update_grant(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<GrantQuery>,
    CsmsJson(body): CsmsJson<GrantBody>,
) -> ApiResult<Json<GrantResponse>> {
    let project = path.parse()?;
    let request = body.try_into()?;
    let resource = query.resource()?;
    Ok(Json(
        service.update_grant(&project, &resource, request)?.into(),
    ))
}

/// `GET /v1/{project_id}/csms/grants?resource_id=` — Querying Grants.
pub async fn list_grants(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<GrantQuery>,
) -> ApiResult<Json<ListGrantsResponse>> {
    let project = path.parse()?;
    let resource = query.resource()?;
    let grants = service.list_grants(&project, &resource)?;
    Ok(Json(ListGrantsResponse::new(
        resource.as_str().to_owned(),
        &grants,
    )))
}

/// `DELETE /v1/{project_id}/csms/grants?resource_id=&grantee_user=` — Deleting Grants.
pub async fn delete_grant(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<DeleteGrantQuery>,
) -> ApiResult<StatusCode> {
    let project = path.parse()?;
    let (resource, grantee) = query.parse()?;
    service.delete_grant(&project, &resource, grantee.as_ref())?;
    Ok(StatusCode::NO_CONTENT)
}
