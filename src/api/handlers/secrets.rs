//! Secret routes: create, list, show, batch import and batch delete.

use axum::extract::State;
use axum::response::Response;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsJsonBytes, CsmsPath, CsmsQuery, parse_json_seed};
use crate::api::json::{self, Json};
use crate::api::paths::{ProjectPath, SecretPath};
use crate::api::wire::json_text::WriteJson;
use crate::api::wire::queries::ListSecretsQuery;
use crate::api::wire::secrets::{
    BatchDeleteBody, BatchDeleteResponse, BatchImportBody, BatchImportResponse, BatchImportSeed,
    CreateSecretBody, ListSecretsResponse, SecretResponse,
};
use crate::domain::secret::create::CREATE_RULES;
use crate::service::{BatchDeleteFilter, CsmsService};

/// `POST /v1/{project_id}/secrets` — Creating a Secret.
pub async fn create_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<CreateSecretBody>,
) -> ApiResult<Response> {
    let project = path.parse()?;
    let secret = service.create_secret(&project, body.parse(&project, &CREATE_RULES)?)?;
    let answer = SecretResponse::of(&secret);
    Ok(json::written(|out| answer.write_json(out)))
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
) -> ApiResult<Response> {
    let (project, name) = path.parse()?;
    let secret = service.show_secret(&project, &name)?;
    let answer = SecretResponse::of(&secret);
    Ok(json::written(|out| answer.write_json(out)))
}

/// `POST /v1/{project_id}/secrets/batch-import` — Importing Secrets in Batches.
pub async fn batch_import_secrets(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJsonBytes(body, ..): CsmsJsonBytes<BatchImportBody>,
) -> ApiResult<Json<BatchImportResponse>> {
    // The body is parsed before the project's error is reported, as for every body.
    let project = path.parse();
    let seed = BatchImportSeed {
        project: project.as_ref().ok(),
    };
    let items = parse_json_seed(&body, seed)?;
    // The items hold what they need: the body's memory is free before the import runs.
    drop(body);
    let report = service.batch_import_secrets(&project?, items)?;
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
