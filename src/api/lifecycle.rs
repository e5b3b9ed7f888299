//! Secret lifecycle routes: update, delete, scheduled deletion and its cancellation,
//! backup, restore and rotation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::service::{CsmsService, ScheduleDeletionInput, UpdateSecretInput};

use super::dto::SecretResponse;
use super::dto_extra::{BlobBody, RotateResponse};
use super::error::ApiResult;
use super::extract::{CsmsJson, CsmsPath, OptionalJson};
use super::paths::{ProjectPath, SecretPath};

/// `PUT /v1/{project_id}/secrets/{secret_name}` — Updating a Secret.
pub async fn update_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
    CsmsJson(body): CsmsJson<UpdateSecretInput>,
) -> ApiResult<Json<SecretResponse>> {
    let (project, name) = path.parse()?;
    let secret = service.update_secret(&project, &name, body)?;
    Ok(Json(SecretResponse {
        secret: (&*secret).into(),
    }))
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
    OptionalJson(body): OptionalJson<ScheduleDeletionInput>,
) -> ApiResult<Json<SecretResponse>> {
    let (project, name) = path.parse()?;
    let secret = service.delete_secret_for_schedule(&project, &name, &body.unwrap_or_default())?;
    Ok(Json(SecretResponse {
        secret: (&*secret).into(),
    }))
}

/// `POST …/secrets/{secret_name}/scheduled-deleted-tasks/cancel` — Canceling a Scheduled
/// Deletion Task.
pub async fn restore_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<Json<SecretResponse>> {
    let (project, name) = path.parse()?;
    let secret = service.restore_secret(&project, &name)?;
    Ok(Json(SecretResponse {
        secret: (&*secret).into(),
    }))
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
) -> ApiResult<Json<SecretResponse>> {
    let project = path.parse()?;
    let secret = service.upload_secret_blob(&project, body.secret_blob.as_deref())?;
    Ok(Json(SecretResponse {
        secret: (&*secret).into(),
    }))
}

/// `POST …/secrets/{secret_name}/rotate` — Rotating a Secret.
pub async fn rotate_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<Json<RotateResponse>> {
    let (project, name) = path.parse()?;
    Ok(Json(service.rotate_secret(&project, &name)?.into()))
}
