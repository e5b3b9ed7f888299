//! Secret routes: create, list, show, batch import and batch delete.

use axum::Json;
use axum::extract::State;

use crate::service::CsmsService;

use crate::service::{BatchDeleteInput, CreateSecretInput, ListSecretsInput};

use super::dto::{
    BatchDeleteResponse, BatchImportBody, BatchImportResponse, ListSecretsResponse, SecretResponse,
};
use super::error::ApiResult;
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

/// `POST /v1/{project_id}/secrets/batch-import` — Importing Secrets in Batches.
pub async fn batch_import_secrets(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<BatchImportBody>,
) -> ApiResult<Json<BatchImportResponse>> {
    let project = path.parse()?;
    let report = service.batch_import_secrets(&project, body.secrets)?;
    Ok(Json(report.into()))
}

/// `POST /v1/{project_id}/secrets/batch-delete` — Deleting Secrets in Batches.
pub async fn batch_delete_secrets(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<BatchDeleteInput>,
) -> ApiResult<Json<BatchDeleteResponse>> {
    let project = path.parse()?;
    let report = service.batch_delete_secrets(&project, body)?;
    Ok(Json(report.into()))
}
