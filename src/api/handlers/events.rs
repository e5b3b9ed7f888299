//! Event routes under `/v1/{project_id}/csms/events…`: create, list, show, update and
//! delete.

use axum::extract::State;
use axum::http::StatusCode;

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsPath, CsmsQuery};
use crate::api::json::Json;
use crate::api::paths::{EventPath, ProjectPath};
use crate::api::wire::events::{
    CreateEventBody, EventResponse, ListEventsResponse, UpdateEventBody,
};
use crate::api::wire::queries::NamedPageQuery;
use crate::domain::event::Event;
use crate::service::CsmsService;

fn event_response(event: &Event) -> Json<EventResponse> {
    Json(EventResponse {
        event: event.into(),
    })
}

/// `GET /v1/{project_id}/csms/events` — Querying Events.
pub async fn list_secret_events(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<ProjectPath>,
    CsmsQuery(query): CsmsQuery<NamedPageQuery>,
) -> ApiResult<Json<ListEventsResponse>> {
    let project = path.parse()?;
    let (limit, marker) = query.event_page()?;
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
    CsmsPath(path): CsmsPath<EventPath>,
) -> ApiResult<Json<EventResponse>> {
    let (project, name) = path.parse()?;
    Ok(event_response(&service.show_secret_event(&project, &name)?))
}

/// `PUT /v1/{project_id}/csms/events/{event_name}` — Updating an Event.
pub async fn update_secret_event(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<EventPath>,
    CsmsJson(body): CsmsJson<UpdateEventBody>,
) -> ApiResult<Json<EventResponse>> {
    let (project, name) = path.parse()?;
    let event = service.update_secret_event(&project, &name, body.try_into()?)?;
    Ok(event_response(&event))
}

/// `DELETE /v1/{project_id}/csms/events/{event_name}` — Deleting an Event.
pub async fn delete_secret_event(
    State(service): State<CsmsService>,
    CsmsPath(path): CsmsPath<EventPath>,
) -> ApiResult<StatusCode> {
    let (project, name) = path.parse()?;
    service.delete_secret_event(&project, &name)?;
    Ok(StatusCode::NO_CONTENT)
}
