//! Secret lifecycle routes: update, delete, scheduled deletion and its cancellation,
//! backup, restore and rotation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsPath, OptionalJson};
use crate::api::json::{self, Json};
use crate::api::paths::{ProjectPath, SecretPath};
use crate::api::wire::json_text::WriteJson;
use crate::api::wire::secrets::{
    BlobBody, RotateResponse, ScheduleDeletionBody, SecretResponse, UpdateSecretBody,
};
use crate::service::CsmsService;

/// `PUT /v1/{project_id}/secrets/{secret_name}` — Updating a Secret.
pub async fn update_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
    CsmsJson(body): CsmsJson<UpdateSecretBody>,
) -> ApiResult<Response> {
    let (project, name) = path.parse()?;
    let secret = service.update_secret(&project, &name, body.into_patch(&project)?)?;
    let answer = SecretResponse::of(&secret);
    Ok(json::written(|out| answer.write_json(out)))
}

/// `DELETE /v1/{project_id}/secrets/{secret_name}` — Deleting a Secret Immediately.
pub async fn delete_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<StatusCode> {
    let (project, name) = path.parse()?;
    service.delete_secret(&project, &name)?;
    Ok(StatusCode::OK)
}

/// `POST …/secrets/{secret_name}/scheduled-deleted-tasks/create` — Creating a Scheduled
/// Deletion Task.
pub async fn delete_secret_for_schedule(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
    OptionalJson(body): OptionalJson<ScheduleDeletionBody>,
) -> ApiResult<Response> {
    let (project, name) = path.parse()?;
    let window = ScheduleDeletionBody::parse(body)?;
    let secret = service.delete_secret_for_schedule(&project, &name, window)?;
    let answer = SecretResponse::of(&secret);
    Ok(json::written(|out| answer.write_json(out)))
}

/// `POST …/secrets/{secret_name}/scheduled-deleted-tasks/cancel` — Canceling a Scheduled
/// Deletion Task.
pub async fn restore_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<Response> {
    let (project, name) = path.parse()?;
    let secret = service.restore_secret(&project, &name)?;
    let answer = SecretResponse::of(&secret);
    Ok(json::written(|out| answer.write_json(out)))
}

/// `POST …/secrets/{secret_name}/backup` — Backing Up a Secret.
pub async fn download_secret_blob(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<Json<BlobBody>> {
    let (project, name) = path.parse()?;
    let blob = service.download_secret_blob(&project, &name)?;
    Ok(Json(BlobBody {
        secret_blob: Some(blob),
    }))
}

/// `POST /v1/{project_id}/secrets/restore` — Restoring a Secret from a Backup.
pub async fn upload_secret_blob(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<BlobBody>,
) -> ApiResult<Response> {
    let project = path.parse()?;
    let secret = service.upload_secret_blob(&project, body.blob()?)?;
    let answer = SecretResponse::of(&secret);
    Ok(json::written(|out| answer.write_json(out)))
}

/// `POST …/secrets/{secret_name}/rotate` — Rotating a Secret.
pub async fn rotate_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<Json<RotateResponse>> {
    let (project, name) = path.parse()?;
    Ok(Json(service.rotate_secret(&project, &name)?.into()))
}
