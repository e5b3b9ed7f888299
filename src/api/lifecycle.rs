//! Secret lifecycle routes: update, delete, scheduled deletion and its cancellation,
//! backup, restore and rotation.

use crate::api::json::Json;
use axum::extract::State;
use axum::http::StatusCode;

use serde::Deserialize;

use crate::domain::limits::ROTATION_PERIOD_MIN_SECS;
use crate::domain::names::{EventName, KmsKeyId, ProjectId};
use crate::domain::rotation::RotationPeriod;
use crate::domain::secret::SettingsPatch;
use crate::domain::secret::create::check_description;
use crate::error::CsmsError;
use crate::service::CsmsService;

use super::dto::SecretResponse;
use super::dto_extra::{BlobBody, RotateResponse};
use super::error::ApiResult;
use super::extract::{CsmsJson, CsmsPath, OptionalJson};
use super::paths::{ProjectPath, SecretPath};

/// The body of update-secret, as sent: absent = unchanged, present and empty = cleared.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct UpdateSecretBody {
    #[schemars(length(max = 64))]
    pub kms_key_id: Option<String>,
    #[schemars(length(max = crate::domain::limits::DESCRIPTION_MAX_BYTES))]
    pub description: Option<String>,
    pub auto_rotation: Option<bool>,
    #[schemars(regex(pattern = crate::domain::limits::ROTATION_PERIOD_IN_RANGE_PATTERN))]
    pub rotation_period: Option<String>,
    #[schemars(length(max = crate::domain::limits::EVENT_SUBSCRIPTIONS_MAX), inner(length(max = crate::domain::limits::EVENT_SUBSCRIPTION_MAX_CHARS)))]
    pub event_subscriptions: Option<Vec<String>>,
    pub rotation_func_urn: Option<String>,
}

impl UpdateSecretBody {
    /// The validated change: an empty key means the project's default, an empty period or
    /// function URN clears it.
    pub fn into_patch(self, project: &ProjectId) -> Result<SettingsPatch, CsmsError> {
        Ok(SettingsPatch {
            kms_key_id: self
                .kms_key_id
                .map(|k| match k.as_str() {
                    "" => Ok(KmsKeyId::project_default(project)),
                    raw => KmsKeyId::parse_for_update(raw),
                })
                .transpose()?,
            description: self
                .description
                .map(|d| check_description(&d).map(|()| d))
                .transpose()?,
            auto_rotation: self.auto_rotation,
            rotation_period: self
                .rotation_period
                .map(|p| match p.as_str() {
                    "" => Ok(None),
                    raw => RotationPeriod::parse(raw, ROTATION_PERIOD_MIN_SECS).map(Some),
                })
                .transpose()?,
            event_subscriptions: self
                .event_subscriptions
                .map(|e| EventName::parse_subscriptions(Some(e)))
                .transpose()?,
            rotation_func_urn: self
                .rotation_func_urn
                .map(|u| Some(u).filter(|u| !u.is_empty())),
        })
    }
}

/// The body of the scheduled-deletion request.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct ScheduleDeletionBody {
    #[schemars(range(min = crate::domain::secret::RECOVERY_DAYS_MIN, max = crate::domain::secret::RECOVERY_DAYS_MAX))]
    pub recovery_window_in_days: Option<i64>,
}

/// `PUT /v1/{project_id}/secrets/{secret_name}` — Updating a Secret.
pub async fn update_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
    CsmsJson(body): CsmsJson<UpdateSecretBody>,
) -> ApiResult<Json<SecretResponse>> {
    let (project, name) = path.parse()?;
    let secret = service.update_secret(&project, &name, body.into_patch(&project)?)?;
    Ok(Json(SecretResponse::of(&secret)))
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
) -> ApiResult<Json<SecretResponse>> {
    let (project, name) = path.parse()?;
    let days = body.and_then(|b| b.recovery_window_in_days);
    let secret = service.delete_secret_for_schedule(&project, &name, days)?;
    Ok(Json(SecretResponse::of(&secret)))
}

/// `POST …/secrets/{secret_name}/scheduled-deleted-tasks/cancel` — Canceling a Scheduled
/// Deletion Task.
pub async fn restore_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<Json<SecretResponse>> {
    let (project, name) = path.parse()?;
    let secret = service.restore_secret(&project, &name)?;
    Ok(Json(SecretResponse::of(&secret)))
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
    Ok(Json(SecretResponse::of(&secret)))
}

/// `POST …/secrets/{secret_name}/rotate` — Rotating a Secret.
pub async fn rotate_secret(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<SecretPath>,
) -> ApiResult<Json<RotateResponse>> {
    let (project, name) = path.parse()?;
    Ok(Json(service.rotate_secret(&project, &name)?.into()))
}
