//! Peripheral routes: agencies, users and function templates (global,
//! no project in the path), and the secrets checker under `/secrets/checker/…`.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::domain::names::ProjectId;
use crate::error::CsmsError;
use crate::service::{CsmsService, UserInfo};

use super::error::{ApiError, ApiResult};
use super::extract::{CsmsJson, CsmsPath, CsmsQuery};

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct SecretTypeBody {
    pub secret_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct GlobalQuery {
    pub secret_type: Option<String>,
    pub secret_sub_type: Option<String>,
    pub engine: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
    pub user_info: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AgencyDto {
    pub agency_name: String,
    pub agency_id: String,
    pub error_msg: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct UserDto {
    pub user_id: &'static str,
    pub user_name: &'static str,
    pub name: &'static str,
    pub org_id: &'static str,
    pub mobile: &'static str,
    pub email: &'static str,
    pub pwd_must_modify: bool,
    pub disabled: bool,
    pub locked: &'static str,
    pub domain_id: &'static str,
}

impl From<UserInfo> for UserDto {
    fn from(u: UserInfo) -> Self {
        Self {
            user_id: u.user_id,
            user_name: u.user_name,
            name: u.user_name,
            org_id: u.org_id,
            mobile: "",
            email: "",
            pwd_must_modify: false,
            disabled: false,
            locked: "false",
            domain_id: "0",
        }
    }
}

#[derive(Default, Deserialize, schemars::JsonSchema)]
pub struct PasswordChangeBody {
    pub password: Option<String>,
    pub old_password: Option<String>,
}

impl std::fmt::Debug for PasswordChangeBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::value::redacted;
        f.debug_struct("PasswordChangeBody")
            .field("password", &redacted(self.password.as_deref()))
            .field("old_password", &redacted(self.old_password.as_deref()))
            .finish()
    }
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct ConfigBody {
    pub checking_secret_strength: Option<bool>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct CheckBody {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[schemars(required, extend("type" = "object"))]
    pub data: Option<serde_json::Value>,
}

/// `POST /v1/csms/agencies` — Creating an Agency.
pub async fn create_agency(
    State(service): State<CsmsService>,
    CsmsJson(body): CsmsJson<SecretTypeBody>,
) -> ApiResult<Response> {
    let (agency_name, agency_id) = service.create_agency(body.secret_type.as_deref())?;
    let agencies = vec![AgencyDto {
        agency_name,
        agency_id,
        error_msg: None,
    }];
    Ok(Json(serde_json::json!({ "agencies": agencies })).into_response())
}

/// `GET /v1/csms/agencies` — Querying Whether an Agency Was Granted.
pub async fn show_agency(
    State(service): State<CsmsService>,
    CsmsQuery(query): CsmsQuery<GlobalQuery>,
) -> ApiResult<Response> {
    let granted = service.show_agency(query.secret_type.as_deref())?;
    Ok(Json(serde_json::json!({ "agency_granted": granted.to_string() })).into_response())
}

/// `GET /v1/csms/users` — Querying Users.
pub async fn list_users(
    State(service): State<CsmsService>,
    CsmsQuery(query): CsmsQuery<GlobalQuery>,
) -> ApiResult<Response> {
    let users = service.list_users(query.offset, query.limit, query.user_info.as_deref())?;
    let users: Vec<UserDto> = users.into_iter().map(UserDto::from).collect();
    Ok(Json(serde_json::json!({ "total": users.len(), "users": users })).into_response())
}

/// `GET /v1/csms/users/{user_id}` — Querying a User; `POST …/users/change-password` —
/// Changing a Password (one route: the literal collides with `{user_id}`).
pub async fn user_item(
    State(service): State<CsmsService>,
    CsmsPath(user_id): CsmsPath<String>,
    request: Request,
) -> ApiResult<Response> {
    match (request.method().as_str(), user_id.as_str()) {
        ("POST", "change-password") => {
            let CsmsJson(body) = CsmsJson::<PasswordChangeBody>::from_request(request, &()).await?;
            let user_id = service.update_user_password(body.password, body.old_password)?;
            Ok(Json(serde_json::json!({ "user_id": user_id })).into_response())
        }
        ("GET", id) => Ok(Json(UserDto::from(service.show_user_detail(id)?)).into_response()),
        _ => Err(ApiError(CsmsError::RouteNotFound {
            method: request.method().to_string(),
            path: request.uri().path().to_owned(),
        })),
    }
}

/// `GET /v1/csms/function-templates` — Querying Rotation Function Templates.
pub async fn show_secret_function_templates(
    State(service): State<CsmsService>,
    CsmsQuery(query): CsmsQuery<GlobalQuery>,
) -> ApiResult<Response> {
    let templates = service.show_secret_function_templates(
        query.secret_type.as_deref(),
        query.secret_sub_type.as_deref(),
        query.engine.as_deref(),
    )?;
    Ok(Json(serde_json::json!({ "function_templates": templates })).into_response())
}

fn checker_only(literal: &str, request: &Request) -> ApiResult<()> {
    if literal == "checker" {
        Ok(())
    } else {
        Err(ApiError(CsmsError::RouteNotFound {
            method: request.method().to_string(),
            path: request.uri().path().to_owned(),
        }))
    }
}

/// `GET|POST /v1/{project_id}/secrets/checker/config` — the secrets checker settings.
pub async fn checker_config(
    State(service): State<CsmsService>,
    CsmsPath((project_id, literal)): CsmsPath<(String, String)>,
    request: Request,
) -> ApiResult<Response> {
    checker_only(&literal, &request)?;
    let project = ProjectId::parse(&project_id)?;
    let checking = if request.method() == axum::http::Method::POST {
        let CsmsJson(body) = CsmsJson::<ConfigBody>::from_request(request, &()).await?;
        service.update_secrets_config(&project, body.checking_secret_strength)?
    } else {
        service.show_secrets_config(&project)?
    };
    Ok(Json(serde_json::json!({ "checking_secret_strength": checking })).into_response())
}

/// `POST /v1/{project_id}/secrets/checker/check` — Checking Secrets.
pub async fn check_secrets(
    State(service): State<CsmsService>,
    CsmsPath((project_id, literal)): CsmsPath<(String, String)>,
    request: Request,
) -> ApiResult<Response> {
    checker_only(&literal, &request)?;
    ProjectId::parse(&project_id)?;
    let CsmsJson(body) = CsmsJson::<CheckBody>::from_request(request, &()).await?;
    let (kind, data) = service.check_secrets(body.kind.as_deref(), body.data)?;
    Ok(Json(serde_json::json!({ "type": kind, "data": data })).into_response())
}
