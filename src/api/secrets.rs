//! Secret routes: create, list, show, and the POST literals that share the
//! `/secrets/{secret_name}` shape (batch-import, batch-delete).

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::response::{IntoResponse, Response};

use crate::domain::names::ProjectId;
use crate::error::CsmsError;
use crate::service::CsmsService;

use crate::service::{BatchDeleteInput, CreateSecretInput, ListSecretsInput};

use super::dto::{
    BatchDeleteResponse, BatchImportBody, BatchImportResponse, ListSecretsResponse, SecretResponse,
};
use super::error::{ApiError, ApiResult};
use super::extract::{CsmsJson, CsmsPath, CsmsQuery};
use super::paths::{ProjectPath, SecretPath};

/// `POST /v1/{project_id}/secrets` — Creating a Secret.
pub async fn create_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<CreateSecretInput>,
) -> ApiResult<Json<SecretResponse>> {
    let project = path.parse()?;
    let secret = service.create_secret(&project, body)?;
    Ok(Json(SecretResponse {
        secret: (&*secret).into(),
    }))
}

/// `GET /v1/{project_id}/secrets` — Querying the Secret List.
pub async fn list_secrets(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<ListSecretsInput>,
) -> ApiResult<Json<ListSecretsResponse>> {
    let project = path.parse()?;
    Ok(Json(service.list_secrets(&project, &query)?.into()))
}

/// `GET /v1/{project_id}/secrets/{secret_name}` — Querying a Secret.
pub async fn show_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<Json<SecretResponse>> {
    let (project, name) = path.parse()?;
    let secret = service.show_secret(&project, &name)?;
    Ok(Json(SecretResponse {
        secret: (&*secret).into(),
    }))
}

/// `POST /v1/{project_id}/secrets/{literal}`: no POST exists on a secret itself, so the
/// literal paths (batch-import, batch-delete, restore) are told apart here, and a secret
/// may still be named like one of them.
pub async fn post_secret_literal(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
    request: Request,
) -> ApiResult<Response> {
    let project = ProjectId::parse(&path.project_id)?;
    match path.secret_name.as_str() {
        "batch-import" => batch_import(&service, &project, request).await,
        "batch-delete" => batch_delete(&service, &project, request).await,
        "restore" => super::lifecycle::upload_secret_blob(&service, &project, request).await,
        _ => Err(ApiError(CsmsError::RouteNotFound {
            method: "POST".into(),
            path: request.uri().path().to_owned(),
        })),
    }
}

/// `POST /v1/{project_id}/secrets/batch-import` — Importing Secrets in Batches.
async fn batch_import(
    service: &CsmsService,
    project: &ProjectId,
    request: Request,
) -> ApiResult<Response> {
    let CsmsJson(body) = CsmsJson::<BatchImportBody>::from_request(request, &()).await?;
    let report = service.batch_import_secrets(project, body.secrets)?;
    Ok(Json(BatchImportResponse::from(report)).into_response())
}

/// `POST /v1/{project_id}/secrets/batch-delete` — Deleting Secrets in Batches.
async fn batch_delete(
    service: &CsmsService,
    project: &ProjectId,
    request: Request,
) -> ApiResult<Response> {
    let CsmsJson(body) = CsmsJson::<BatchDeleteInput>::from_request(request, &()).await?;
    let report = service.batch_delete_secrets(project, body)?;
    Ok(Json(BatchDeleteResponse::from(report)).into_response())
}
