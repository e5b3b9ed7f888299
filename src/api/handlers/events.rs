//! Event routes under `/v1/{project_id}/csms/events…`: create, list, show, update and
//! delete.

use axum::extract::State;
use axum::http::StatusCode;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsPath, CsmsQuery};
use crate::api::json::Json;
use crate::api::paths::ProjectPath;
use crate::api::wire::events::{
    CreateEventBody, EventResponse, ListEventsResponse, UpdateEventBody,
};
use crate::api::wire::input::non_empty;
use crate::api::wire::queries::NamedPageQuery;
use crate::domain::event::Event;
use crate::domain::names::{EventName, ProjectId};
use crate::domain::page::PageLimit;
use crate::service::CsmsService;

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

/// `GET /v1/{project_id}/csms/events` — Querying Events.
pub async fn list_secret_events(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<NamedPageQuery>,
) -> ApiResult<Json<ListEventsResponse>> {
    let project = path.parse()?;
    let limit = PageLimit::parse(query.limit.as_deref())?;
    let marker = non_empty(query.marker.as_deref())
        .map(|m| EventName::parse("marker", m))
        .transpose()?;
    let events = service.list_secret_events(&project, limit, marker)?;
    Ok(Json(events.into()))
}

/// `POST /v1/{project_id}/csms/events` — Creating an Event.
pub async fn create_secret_event(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsJson(body): CsmsJson<CreateEventBody>,
) -> ApiResult<Json<EventResponse>> {
    let project = path.parse()?;
    let event = service.create_secret_event(&project, body.try_into()?)?;
    Ok(event_response(&event))
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
    CsmsJson(body): CsmsJson<UpdateEventBody>,
) -> ApiResult<Json<EventResponse>> {
    let (project, name) = event_path(&path)?;
    let event = service.update_secret_event(&project, &name, body.try_into()?)?;
    Ok(event_response(&event))
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
