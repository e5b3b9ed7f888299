//! Routes under `/v1/{project_id}/csms/…`: events, notification records, tasks, password
//! generation, grants, tags and the tag search. Which one a request is, the classifier
//! has already said (a literal such as `events` before a secret id).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::domain::event::Event;
use crate::domain::names::{EventName, ProjectId};
use crate::domain::password::PasswordPolicy;
use crate::service::{
    CreateEventInput, CsmsService, GrantInput, ListTasksInput, ResourceFilterInput, TagActionInput,
    UpdateEventInput,
};

use super::dto_extra::{
    CreateTagBody, EventResponse, GrantResponse, ListEventsResponse, ListGrantsResponse,
    ListRecordsResponse, ListTasksResponse, PasswordBody, PasswordResponse, ProjectTagsResponse,
    ResourcesResponse, SecretTagsResponse,
};
use super::error::ApiResult;
use super::extract::{CsmsJson, CsmsPath, CsmsQuery, OptionalJson};
use super::paths::ProjectPath;

/// Every query parameter the `/csms/` operations take.
#[derive(Debug, Default, Deserialize)]
pub struct CsmsQueryParams {
    pub limit: Option<String>,
    pub marker: Option<String>,
    pub secret_name: Option<String>,
    pub status: Option<String>,
    pub task_id: Option<String>,
    pub resource_id: Option<String>,
    pub grantee_user: Option<String>,
}

fn event_response(event: &Event) -> Json<EventResponse> {
    Json(EventResponse {
        event: event.into(),
    })
}

/// An event's path: the project and the event's name, validated.
fn event_path((project_id, name): &(String, String)) -> ApiResult<(ProjectId, EventName)> {
    Ok((
        ProjectId::parse(project_id)?,
        EventName::parse("event_name", name)?,
    ))
}

/// `GET /v1/{project_id}/csms/tags` — Querying the Project's Tags.
pub async fn list_project_secrets_tags(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
) -> ApiResult<Json<ProjectTagsResponse>> {
    let project = path.parse()?;
    Ok(Json(service.list_project_secrets_tags(&project)?.into()))
}

/// `GET /v1/{project_id}/csms/events` — Querying Events.
pub async fn list_secret_events(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<CsmsQueryParams>,
) -> ApiResult<Json<ListEventsResponse>> {
    let project = path.parse()?;
    let events =
        service.list_secret_events(&project, query.limit.as_deref(), query.marker.as_deref())?;
    Ok(Json(events.into()))
}

/// `POST /v1/{project_id}/csms/events` — Creating an Event.
pub async fn create_secret_event(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(input): CsmsJson<CreateEventInput>,
) -> ApiResult<Json<EventResponse>> {
    let project = path.parse()?;
    Ok(event_response(
        &service.create_secret_event(&project, input)?,
    ))
}

/// `GET /v1/{project_id}/csms/tasks` — Querying Rotation Tasks.
pub async fn list_secret_tasks(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<CsmsQueryParams>,
) -> ApiResult<Json<ListTasksResponse>> {
    let project = path.parse()?;
    let input = ListTasksInput {
        secret_name: query.secret_name,
        status: query.status,
        task_id: query.task_id,
        limit: query.limit,
        marker: query.marker,
    };
    Ok(Json(service.list_secret_tasks(&project, &input)?.into()))
}

/// `GET /v1/{project_id}/csms/notification-records` — Querying Notification Records.
pub async fn list_notification_records(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<CsmsQueryParams>,
) -> ApiResult<Json<ListRecordsResponse>> {
    let project = path.parse()?;
    let records = service.list_notification_records(
        &project,
        query.limit.as_deref(),
        query.marker.as_deref(),
    )?;
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
    CsmsJson(input): CsmsJson<GrantInput>,
) -> ApiResult<Json<GrantResponse>> {
    let project = path.parse()?;
    Ok(Json(service.create_grants(&project, input)?.into()))
}

/// `PUT /v1/{project_id}/csms/grants?resource_id=` — Updating a Grant.
pub async fn update_grant(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<CsmsQueryParams>,
    CsmsJson(input): CsmsJson<GrantInput>,
) -> ApiResult<Json<GrantResponse>> {
    let project = path.parse()?;
    Ok(Json(
        service
            .update_grant(&project, query.resource_id, input)?
            .into(),
    ))
}

/// `GET /v1/{project_id}/csms/grants?resource_id=` — Querying Grants.
pub async fn list_grants(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<CsmsQueryParams>,
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
    CsmsQuery(query): CsmsQuery<CsmsQueryParams>,
) -> ApiResult<StatusCode> {
    let project = path.parse()?;
    service.delete_grant(&project, query.resource_id, query.grantee_user.as_deref())?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/{project_id}/csms/events/{event_name}` — Querying an Event.
pub async fn show_secret_event(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<(String, String)>,
) -> ApiResult<Json<EventResponse>> {
    let (project, name) = event_path(&path)?;
    Ok(event_response(&service.show_secret_event(&project, &name)?))
}

/// `PUT /v1/{project_id}/csms/events/{event_name}` — Updating an Event.
pub async fn update_secret_event(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<(String, String)>,
    CsmsJson(input): CsmsJson<UpdateEventInput>,
) -> ApiResult<Json<EventResponse>> {
    let (project, name) = event_path(&path)?;
    Ok(event_response(
        &service.update_secret_event(&project, &name, input)?,
    ))
}

/// `DELETE /v1/{project_id}/csms/events/{event_name}` — Deleting an Event.
pub async fn delete_secret_event(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let (project, name) = event_path(&path)?;
    service.delete_secret_event(&project, &name)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/{project_id}/csms/{secret_id}/tags` — Querying a Secret's Tags.
pub async fn list_secret_tags(
    State(service): State<CsmsService>,
    CsmsPath((project_id, secret_id)): CsmsPath<(String, String)>,
) -> ApiResult<Json<SecretTagsResponse>> {
    let project = ProjectId::parse(&project_id)?;
    let secret = service.list_secret_tags(&project, &secret_id)?;
    Ok(Json(SecretTagsResponse::from(&*secret)))
}

/// `POST /v1/{project_id}/csms/{secret_id}/tags` — Adding a Tag.
pub async fn create_secret_tag(
    State(service): State<CsmsService>,
    CsmsPath((project_id, secret_id)): CsmsPath<(String, String)>,
    CsmsJson(input): CsmsJson<CreateTagBody>,
) -> ApiResult<StatusCode> {
    let project = ProjectId::parse(&project_id)?;
    service.create_secret_tag(&project, &secret_id, input.tag)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/{project_id}/csms/resource_instances/action` — Searching Secrets by Tags.
pub async fn list_resource_instances(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(input): CsmsJson<ResourceFilterInput>,
) -> ApiResult<Json<ResourcesResponse>> {
    let project = path.parse()?;
    let page = service.list_resource_instances(&project, &input)?;
    Ok(Json(ResourcesResponse::new(
        page.resources,
        page.total_count,
    )))
}

/// `POST /v1/{project_id}/csms/{secret_id}/tags/action` — Adding or Deleting Tags in
/// Batches.
pub async fn batch_create_or_delete_tags(
    State(service): State<CsmsService>,
    CsmsPath((project_id, secret_id)): CsmsPath<(String, String)>,
    CsmsJson(input): CsmsJson<TagActionInput>,
) -> ApiResult<StatusCode> {
    let project = ProjectId::parse(&project_id)?;
    service.batch_create_or_delete_tags(&project, &secret_id, input)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/{project_id}/csms/{secret_id}/tags/{key}` — Deleting a Tag.
pub async fn delete_secret_tag(
    State(service): State<CsmsService>,
    CsmsPath((project_id, secret_id, key)): CsmsPath<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let project = ProjectId::parse(&project_id)?;
    service.delete_secret_tag(&project, &secret_id, &key)?;
    Ok(StatusCode::NO_CONTENT)
}
