//! Event routes under `/v1/{project_id}/csms/events…`: create, list, show, update and
//! delete, with the bodies they read and their conversion into service commands.

use crate::api::json::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::domain::event::{Event, EventState, EventType, Notification};
use crate::domain::names::{EventName, ProjectId};
use crate::domain::page::PageLimit;
use crate::error::CsmsError;
use crate::service::input::{non_empty, required};
use crate::service::{CsmsService, EventPatch, NewEvent};

use super::dto_extra::{EventResponse, ListEventsResponse};
use super::error::ApiResult;
use super::extract::{CsmsJson, CsmsPath, CsmsQuery};
use super::paths::ProjectPath;

use super::wire::queries::NamedPageQuery;

/// `notification` of an event request.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct NotificationBody {
    #[schemars(required, extend("enum" = ["SMN"]))]
    pub target_type: Option<String>,
    /// The SMN topic's URN.
    #[schemars(required, regex(pattern = r"^[a-zA-Z0-9\-._:]{1,256}$"))]
    pub target_id: Option<String>,
    #[schemars(required, regex(pattern = crate::domain::names::NAME_PATTERN))]
    pub target_name: Option<String>,
}

impl TryFrom<NotificationBody> for Notification {
    type Error = CsmsError;

    fn try_from(body: NotificationBody) -> Result<Self, CsmsError> {
        Notification::parse(
            body.target_type.as_deref().unwrap_or_default(),
            body.target_id.as_deref().unwrap_or_default(),
            body.target_name.as_deref().unwrap_or_default(),
        )
    }
}

/// The body of create-secret-event, as sent.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct CreateEventBody {
    #[schemars(required, regex(pattern = crate::domain::names::NAME_PATTERN))]
    pub name: Option<String>,
    #[schemars(required, length(min = 1, max = 12), extend("uniqueItems" = true, "items" = {"type": "string", "enum": ["SECRET_VERSION_CREATED", "SECRET_VERSION_EXPIRED", "SECRET_ROTATED", "SECRET_DELETED", "SECRET_ROTATED_FAILED"]}))]
    pub event_types: Option<Vec<String>>,
    #[schemars(required, extend("enum" = ["ENABLED", "DISABLED"]))]
    pub state: Option<String>,
    #[schemars(required)]
    pub notification: Option<NotificationBody>,
}

impl TryFrom<CreateEventBody> for NewEvent {
    type Error = CsmsError;

    fn try_from(body: CreateEventBody) -> Result<Self, CsmsError> {
        Ok(Self {
            name: EventName::parse_for_create(&required(body.name, "name")?)?,
            types: EventType::parse_list(&required(body.event_types, "event_types")?)?,
            state: EventState::parse(&required(body.state, "state")?)?,
            notification: required(body.notification, "notification")?.try_into()?,
        })
    }
}

/// The body of update-secret-event, as sent; absent fields stay unchanged.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct UpdateEventBody {
    #[schemars(length(max = 12), extend("uniqueItems" = true, "items" = {"type": "string", "enum": ["SECRET_VERSION_CREATED", "SECRET_VERSION_EXPIRED", "SECRET_ROTATED", "SECRET_DELETED", "SECRET_ROTATED_FAILED"]}))]
    pub event_types: Option<Vec<String>>,
    #[schemars(extend("enum" = ["ENABLED", "DISABLED"]))]
    pub state: Option<String>,
    pub notification: Option<NotificationBody>,
}

impl TryFrom<UpdateEventBody> for EventPatch {
    type Error = CsmsError;

    fn try_from(body: UpdateEventBody) -> Result<Self, CsmsError> {
        // UpdateSecretEventRequestBody allows an empty list, while an event keeps 1 to 12
        // types: an empty list leaves the types as they are (docs/behaviour.md §47).
        Ok(Self {
            types: body
                .event_types
                .as_deref()
                .filter(|t| !t.is_empty())
                .map(EventType::parse_list)
                .transpose()?,
            state: body.state.as_deref().map(EventState::parse).transpose()?,
            notification: body.notification.map(Notification::try_from).transpose()?,
        })
    }
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
