//! Routes under `/v1/{project_id}/csms/…` other than events and tags: rotation tasks,
//! notification records, password generation and grants, with the bodies and queries
//! they read. Which operation a request is, the classifier has already said.

use crate::api::json::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::domain::grant::{self, GRANT_ID_MAX_CHARS, GrantRequest};
use crate::domain::names::SecretName;
use crate::domain::page::PageLimit;
use crate::domain::password::PasswordPolicy;
use crate::domain::task::TaskStatus;
use crate::error::CsmsError;
use crate::service::input::non_empty;
use crate::service::{CsmsService, TaskFilter};
use uuid::Uuid;

use super::dto_extra::{
    GrantResponse, ListGrantsResponse, ListRecordsResponse, ListTasksResponse, PasswordBody,
    PasswordResponse,
};
use super::error::ApiResult;
use super::extract::{CsmsJson, CsmsPath, CsmsQuery, OptionalJson};
use super::paths::ProjectPath;
use super::wire::queries::{DeleteGrantQuery, GrantQuery, ListTasksQuery, RecordsQuery};

/// The body of create-grants and update-grant.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct GrantBody {
    /// The secret's id.
    #[schemars(required, length(min = 1, max = GRANT_ID_MAX_CHARS))]
    pub resource_id: Option<String>,
    #[serde(rename = "type")]
    #[schemars(required, extend("enum" = ["SECRET", "GROUP"]))]
    pub kind: Option<String>,
    /// `0` a user, `2` a group.
    #[schemars(required, extend("enum" = ["0", "2"]))]
    pub grantee_type: Option<String>,
    #[schemars(required, length(min = 1, max = GRANT_ID_MAX_CHARS))]
    pub grantee_target_id: Option<String>,
    /// The SDKs send a date (`2030-01-01`, `format: date`); a millisecond timestamp is
    /// taken too (docs/behaviour.md §38).
    #[schemars(extend("format" = "date"))]
    pub validity_time: Option<String>,
}

impl TryFrom<GrantBody> for GrantRequest {
    type Error = CsmsError;

    fn try_from(body: GrantBody) -> Result<Self, CsmsError> {
        Ok(Self {
            resource_id: grant::bounded(body.resource_id, "resource_id", GRANT_ID_MAX_CHARS)?,
            kind: grant::parse_kind(body.kind.as_deref())?,
            grantee_type: grant::parse_grantee_type(body.grantee_type.as_deref())?,
            grantee_id: grant::bounded(
                body.grantee_target_id,
                "grantee_target_id",
                GRANT_ID_MAX_CHARS,
            )?,
            validity_time: grant::parse_validity_time(body.validity_time.as_deref())?,
        })
    }
}

impl ListTasksQuery {
    /// List-secret-task's filter: empty parameters count as absent, and `task_id` cannot
    /// be combined with `secret_name` or `status`.
    fn task_filter(&self) -> Result<TaskFilter, CsmsError> {
        let limit = PageLimit::parse(self.limit.as_deref())?;
        let task_id = non_empty(self.task_id.as_deref())
            .map(|t| {
                Uuid::parse_str(t).map_err(|_| CsmsError::invalid("task_id", "must be a UUID"))
            })
            .transpose()?;
        if task_id.is_some()
            && (non_empty(self.secret_name.as_deref()).is_some()
                || non_empty(self.status.as_deref()).is_some())
        {
            return Err(CsmsError::invalid(
                "task_id",
                "cannot be combined with secret_name or status",
            ));
        }
        let secret = non_empty(self.secret_name.as_deref())
            .map(|n| SecretName::parse_lookup("secret_name", n))
            .transpose()?;
        let status = non_empty(self.status.as_deref())
            .map(|s| {
                TaskStatus::parse(s).ok_or_else(|| {
                    CsmsError::invalid("status", "must be SUCCESS, FAILED or ROTATING")
                })
            })
            .transpose()?;
        let marker = non_empty(self.marker.as_deref())
            .map(|m| {
                Uuid::parse_str(m).map_err(|_| CsmsError::invalid("marker", "must be a task id"))
            })
            .transpose()?;
        Ok(TaskFilter {
            limit,
            task_id,
            secret,
            status,
            marker,
        })
    }
}

/// `GET /v1/{project_id}/csms/tasks` — Querying Rotation Tasks.
pub async fn list_secret_tasks(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<ListTasksQuery>,
) -> ApiResult<Json<ListTasksResponse>> {
    let project = path.parse()?;
    Ok(Json(
        service
            .list_secret_tasks(&project, &query.task_filter()?)?
            .into(),
    ))
}

/// `GET /v1/{project_id}/csms/notification-records` — Querying Notification Records.
pub async fn list_notification_records(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<RecordsQuery>,
) -> ApiResult<Json<ListRecordsResponse>> {
    let project = path.parse()?;
    let limit = PageLimit::parse(query.limit.as_deref())?;
    let marker = non_empty(query.marker.as_deref())
        .map(|m| {
            m.parse::<usize>()
                .map_err(|_| CsmsError::invalid("marker", "must be a record position"))
        })
        .transpose()?;
    let records = service.list_notification_records(&project, limit, marker)?;
    Ok(Json(records.into()))
}

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

/// `POST /v1/{project_id}/csms/grants` — Creating a Grant.
pub async fn create_grants(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<GrantBody>,
) -> ApiResult<Json<GrantResponse>> {
    let project = path.parse()?;
    Ok(Json(
        service.create_grants(&project, body.try_into()?)?.into(),
    ))
}

/// `PUT /v1/{project_id}/csms/grants?resource_id=` — Updating a Grant.
pub async fn update_grant(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<GrantQuery>,
    CsmsJson(body): CsmsJson<GrantBody>,
) -> ApiResult<Json<GrantResponse>> {
    let project = path.parse()?;
    Ok(Json(
        service
            .update_grant(&project, query.resource_id, body.try_into()?)?
            .into(),
    ))
}

/// `GET /v1/{project_id}/csms/grants?resource_id=` — Querying Grants.
pub async fn list_grants(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<GrantQuery>,
) -> ApiResult<Json<ListGrantsResponse>> {
    let project = path.parse()?;
    let resource = query.resource_id.clone();
    let grants = service.list_grants(&project, query.resource_id)?;
    Ok(Json(ListGrantsResponse::new(
        resource.unwrap_or_default(),
        &grants,
    )))
}

/// `DELETE /v1/{project_id}/csms/grants?resource_id=&grantee_user=` — Deleting Grants.
pub async fn delete_grant(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<DeleteGrantQuery>,
) -> ApiResult<StatusCode> {
    let project = path.parse()?;
    service.delete_grant(&project, query.resource_id, query.grantee_user.as_deref())?;
    Ok(StatusCode::NO_CONTENT)
}
