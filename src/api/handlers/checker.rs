//! Secrets checker routes under `/v1/{project_id}/secrets/checker/…`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsPath};
use crate::api::json::Json;
use crate::api::paths::ProjectPath;
use crate::api::wire::checker::{CheckBody, ConfigBody};
use crate::service::CsmsService;

fn checker_answer(checking: bool) -> Response {
    Json(serde_json::json!({ "checking_secret_strength": checking })).into_response()
}

/// `GET /v1/{project_id}/secrets/checker/config` — the secrets checker settings.
pub async fn show_secrets_config(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
) -> ApiResult<Response> {
    let project = path.parse()?;
    Ok(checker_answer(service.show_secrets_config(&project)?))
}

/// `POST /v1/{project_id}/secrets/checker/config` — Updating the secrets checker settings.
pub async fn update_secrets_config(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<ConfigBody>,
) -> ApiResult<Response> {
    let project = path.parse()?;
    Ok(checker_answer(
        service.update_secrets_config(&project, body.checking()?)?,
    ))
}

/// `POST /v1/{project_id}/secrets/checker/check` — Checking Secrets.
pub async fn check_secrets(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<CheckBody>,
) -> ApiResult<Response> {
    let project = path.parse()?;
    let (kind, data) = body.parse()?;
    service.check_secrets(&project)?;
    Ok(Json(serde_json::json!({ "type": kind, "data": data })).into_response())
}
