//! The random password route: `/v1/{project_id}/csms/generate-password`.

use axum::extract::State;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsPath, OptionalJson};
use crate::api::json::Json;
use crate::api::paths::ProjectPath;
use crate::api::wire::password::{PasswordBody, PasswordResponse};
use crate::domain::password::PasswordPolicy;
use crate::service::CsmsService;

/// `POST /v1/{project_id}/csms/generate-password` — Generating a Random Password.
pub async fn generate_random_password(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    OptionalJson(input): OptionalJson<PasswordBody>,
) -> ApiResult<Json<PasswordResponse>> {
    path.parse()?;
    let policy = PasswordPolicy::from(input.unwrap_or_default());
    let password = service.generate_random_password(&policy)?;
    Ok(Json(PasswordResponse { password }))
}
