//! Event wire types: the create and update bodies with their notification, and the event
//! and event-list answers.

use serde::{Deserialize, Serialize};

use super::input::{optional, required};
use super::page::PageInfoDto;
use super::queries::NamedPageQuery;
use crate::domain::event::{Event, EventState, EventType, Notification};
use crate::domain::names::EventName;
use crate::domain::page::PageLimit;
use crate::error::CsmsError;
use crate::service::{EventPatch, Listing, NewEvent};

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

/// `Notification`.
#[derive(Debug, Serialize)]
pub struct NotificationDto {
    pub target_type: String,
    pub target_id: String,
    pub target_name: String,
}

/// `Event`.
#[derive(Debug, Serialize)]
pub struct EventDto {
    pub name: String,
    pub event_id: String,
    pub event_types: Vec<&'static str>,
    pub state: &'static str,
    pub create_time: i64,
    pub update_time: i64,
    pub notification: NotificationDto,
}

impl From<&Event> for EventDto {
    fn from(e: &Event) -> Self {
        Self {
            name: e.name.as_str().to_owned(),
            event_id: e.id.to_string(),
            event_types: e.types.iter().map(|t| t.as_str()).collect(),
            state: e.state.as_str(),
            create_time: e.create_time,
            update_time: e.update_time,
            notification: NotificationDto {
                target_type: e.notification.target_type.clone(),
                target_id: e.notification.target_id.clone(),
                target_name: e.notification.target_name.clone(),
            },
        }
    }
}

/// `{"event": Event}`.
#[derive(Debug, Serialize)]
pub struct EventResponse {
    pub event: EventDto,
}

/// The answer of list-secret-events.
#[derive(Debug, Serialize)]
pub struct ListEventsResponse {
    pub events: Vec<EventDto>,
    pub page_info: PageInfoDto,
}

impl From<Listing<Event>> for ListEventsResponse {
    fn from(listing: Listing<Event>) -> Self {
        Self {
            events: listing.items.iter().map(EventDto::from).collect(),
            page_info: PageInfoDto::of(&listing),
        }
    }
}

impl NamedPageQuery {
    /// List-events' page: its size, and the event name it starts after.
    pub fn event_page(&self) -> Result<(PageLimit, Option<EventName>), CsmsError> {
        let limit = PageLimit::parse(self.limit.as_deref())?;
        let marker = optional(self.marker.as_deref(), |m| EventName::parse("marker", m))?;
        Ok((limit, marker))
    }
}
