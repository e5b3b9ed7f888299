//! Rotation task and notification record routes under `/v1/{project_id}/csms/…`.

use axum::extract::State;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsPath, CsmsQuery};
use crate::api::json::Json;
use crate::api::paths::ProjectPath;
use crate::api::wire::queries::{ListTasksQuery, RecordsQuery};
use crate::api::wire::tasks::{ListRecordsResponse, ListTasksResponse};
use crate::service::CsmsService;

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
    let (limit, marker) = query.parse()?;
    let records = service.list_notification_records(&project, limit, marker)?;
    Ok(Json(records.into()))
}
