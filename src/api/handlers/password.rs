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
    let b = input.unwrap_or_default();
    // a field left out keeps the domain's default
    let d = PasswordPolicy::default();
    let policy = PasswordPolicy {
        length: b.length.or(d.length),
        exclude_characters: b.exclude_characters.unwrap_or(d.exclude_characters),
        exclude_lowercase: b.exclude_lowercase.unwrap_or(d.exclude_lowercase),
        exclude_uppercase: b.exclude_uppercase.unwrap_or(d.exclude_uppercase),
        exclude_numbers: b.exclude_numbers.unwrap_or(d.exclude_numbers),
        exclude_punctuation: b.exclude_punctuation.unwrap_or(d.exclude_punctuation),
        include_space: b.include_space.unwrap_or(d.include_space),
        require_each_included_type: b
            .require_each_included_type
            .unwrap_or(d.require_each_included_type),
    };
    let password = service.generate_random_password(&policy)?;
    Ok(Json(PasswordResponse { password }))
}
