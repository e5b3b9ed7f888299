//! IAM user routes (global, no project in the path): list, show and change password.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsPath, CsmsQuery};
use crate::api::json::Json;
use crate::api::wire::queries::ListUsersQuery;
use crate::api::wire::users::{PasswordChangeBody, UserDetailDto, UserListItemDto};
use crate::error::CsmsError;
use crate::service::CsmsService;

/// `GET /v1/csms/users` — Querying Users.
pub async fn list_users(
    State(service): State<CsmsService>,
    CsmsQuery(query): CsmsQuery<ListUsersQuery>,
) -> ApiResult<Response> {
    let users = service.list_users(&query.parse()?)?;
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

/// `POST /v1/csms/users/change-password` — Changing a Password. Argon2 takes tens of
/// milliseconds of CPU on purpose: done on a blocking thread, it holds up no other
/// request, also where one runtime worker serves them all (a 2-core machine).
pub async fn update_user_password(
    State(service): State<CsmsService>,
    CsmsJson(body): CsmsJson<PasswordChangeBody>,
) -> ApiResult<Response> {
    let change = body.parse()?;
    let changed = tokio::task::spawn_blocking(move || service.update_user_password(&change))
        .await
        .map_err(|e| CsmsError::Internal(format!("password task: {e}")))?;
    Ok(Json(serde_json::json!({ "user_id": changed? })).into_response())
}
