//! Peripheral routes: agencies, users and function templates (global,
//! no project in the path), and the secrets checker under `/secrets/checker/…`.

use crate::api::json::Json;
use crate::domain::rotation::SecretType;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::service::{CsmsService, UserView};

use super::error::ApiResult;
use super::extract::{CsmsJson, CsmsPath, CsmsQuery};
use super::paths::ProjectPath;
use super::wire::queries::{AgencyQuery, FunctionTemplatesQuery, ListUsersQuery};

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct SecretTypeBody {
    #[schemars(required, extend("enum" = ["RDS-FG", "GaussDB-FG"]))]
    pub secret_type: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AgencyDto {
    pub agency_name: String,
    pub agency_id: String,
    pub error_msg: Option<String>,
}

/// A time as the user APIs give it: `2022-03-31 16:46:02.964` (UTC).
fn user_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

/// `UserOrgRelationListResult`.
#[derive(Debug, Serialize)]
pub struct UserOrgRelationDto {
    pub org_id: &'static str,
    pub relation_type: &'static str,
}

/// The fields both user answers share, in the form both models give them.
#[derive(Debug, Serialize)]
pub struct UserCommonDto {
    pub user_id: &'static str,
    pub org_id: &'static str,
    pub user_name: &'static str,
    pub name: &'static str,
    pub mobile: &'static str,
    pub email: &'static str,
    pub pwd_must_modify: bool,
    pub pwd_change_at: String,
    pub created_at: String,
    pub updated_at: String,
    pub locked: &'static str,
    pub user_org_relation_list: Vec<UserOrgRelationDto>,
}

impl From<&UserView> for UserCommonDto {
    fn from(v: &UserView) -> Self {
        Self {
            user_id: v.user.user_id,
            org_id: v.user.org_id,
            user_name: v.user.user_name,
            name: v.user.user_name,
            mobile: "",
            email: "",
            pwd_must_modify: false,
            pwd_change_at: user_time(v.password_changed_at),
            created_at: user_time(v.created_at),
            updated_at: user_time(v.password_changed_at.max(v.created_at)),
            locked: "false",
            user_org_relation_list: vec![UserOrgRelationDto {
                org_id: v.user.org_id,
                relation_type: "1",
            }],
        }
    }
}

/// A `users[]` item of list-users: `UsersDetailsResult`, whose `disabled`, `grade` and
/// `extension` are strings and which has no `domain_id`.
#[derive(Debug, Serialize)]
pub struct UserListItemDto {
    #[serde(flatten)]
    pub common: UserCommonDto,
    pub disabled: &'static str,
    pub grade: &'static str,
    pub extension: &'static str,
}

impl From<&UserView> for UserListItemDto {
    fn from(v: &UserView) -> Self {
        Self {
            common: v.into(),
            disabled: "false",
            grade: "1",
            extension: "{}",
        }
    }
}

/// The answer of user-detail: `ShowUserDetailResponse`, whose `disabled` is a boolean,
/// `grade` an integer and `extension` an object, with `domain_id`.
#[derive(Debug, Serialize)]
pub struct UserDetailDto {
    #[serde(flatten)]
    pub common: UserCommonDto,
    pub disabled: bool,
    pub grade: u8,
    pub extension: serde_json::Value,
    pub domain_id: &'static str,
}

impl From<&UserView> for UserDetailDto {
    fn from(v: &UserView) -> Self {
        Self {
            common: v.into(),
            disabled: false,
            grade: 1,
            extension: serde_json::json!({}),
            domain_id: crate::service::DOMAIN_ID,
        }
    }
}

#[derive(Default, Deserialize, schemars::JsonSchema)]
pub struct PasswordChangeBody {
    #[schemars(required, length(min = 1))]
    pub password: Option<String>,
    #[schemars(required)]
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
    #[schemars(required)]
    pub checking_secret_strength: Option<bool>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct CheckBody {
    #[serde(rename = "type")]
    #[schemars(required, length(min = 1))]
    pub kind: Option<String>,
    #[schemars(required, extend("type" = "object"))]
    pub data: Option<serde_json::Value>,
}

/// `POST /v1/csms/agencies` — Creating an Agency.
pub async fn create_agency(
    State(service): State<CsmsService>,
    CsmsJson(body): CsmsJson<SecretTypeBody>,
) -> ApiResult<Response> {
    let (agency_name, agency_id) =
        service.create_agency(SecretType::parse_database(body.secret_type.as_deref())?)?;
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
    CsmsQuery(query): CsmsQuery<AgencyQuery>,
) -> ApiResult<Response> {
    let granted = service.show_agency(SecretType::parse_database(query.secret_type.as_deref())?)?;
    Ok(Json(serde_json::json!({ "agency_granted": granted.to_string() })).into_response())
}

/// `GET /v1/csms/users` — Querying Users.
pub async fn list_users(
    State(service): State<CsmsService>,
    CsmsQuery(query): CsmsQuery<ListUsersQuery>,
) -> ApiResult<Response> {
    let users = service.list_users(query.offset, query.limit, query.user_info.as_deref())?;
    let users: Vec<UserListItemDto> = users.iter().map(UserListItemDto::from).collect();
    Ok(Json(serde_json::json!({ "total": users.len(), "users": users })).into_response())
}

/// `GET /v1/csms/users/{user_id}` — Querying a User.
pub async fn show_user_detail(
    State(service): State<CsmsService>,
    CsmsPath(user_id): CsmsPath<String>,
) -> ApiResult<Json<UserDetailDto>> {
    Ok(Json(UserDetailDto::from(
        &service.show_user_detail(&user_id)?,
    )))
}

/// `POST /v1/csms/users/change-password` — Changing a Password.
pub async fn update_user_password(
    State(service): State<CsmsService>,
    CsmsJson(body): CsmsJson<PasswordChangeBody>,
) -> ApiResult<Response> {
    let user_id = service.update_user_password(body.password, body.old_password)?;
    Ok(Json(serde_json::json!({ "user_id": user_id })).into_response())
}

/// `GET /v1/csms/function-templates` — Querying Rotation Function Templates.
pub async fn show_secret_function_templates(
    State(service): State<CsmsService>,
    CsmsQuery(query): CsmsQuery<FunctionTemplatesQuery>,
) -> ApiResult<Response> {
    let templates = service.show_secret_function_templates(
        SecretType::parse_database(query.secret_type.as_deref())?,
        query.secret_sub_type.as_deref(),
        query.engine.as_deref(),
    )?;
    Ok(Json(serde_json::json!({ "function_templates": templates })).into_response())
}

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
    Ok(checker_answer(service.update_secrets_config(
        &project,
        body.checking_secret_strength,
    )?))
}

/// `POST /v1/{project_id}/secrets/checker/check` — Checking Secrets.
pub async fn check_secrets(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<CheckBody>,
) -> ApiResult<Response> {
    path.parse()?;
    let (kind, data) = service.check_secrets(body.kind.as_deref(), body.data)?;
    Ok(Json(serde_json::json!({ "type": kind, "data": data })).into_response())
}
