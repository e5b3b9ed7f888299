//! Events and notification records: create, list, show,
//! update and delete events; record a notification whenever a subscribed, enabled
//! event's type happens.

use serde::Deserialize;
use uuid::Uuid;

use crate::domain::event::{Event, EventState, EventType, Notification, NotificationRecord};
use crate::domain::names::{EventName, ProjectId};
use crate::domain::page::{PageLimit, take_page};
use crate::error::CsmsError;
use crate::store::{self, Tx};

use super::input::{non_empty, required};
use super::{CsmsService, Listing};

/// `notification` of an event request.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct NotificationInput {
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
}

impl NotificationInput {
    fn parse(self) -> Result<Notification, CsmsError> {
        Notification::parse(
            self.target_type.as_deref().unwrap_or_default(),
            self.target_id.as_deref().unwrap_or_default(),
            self.target_name.as_deref().unwrap_or_default(),
        )
    }
}

/// The body of create-secret-event, as sent.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct CreateEventInput {
    #[schemars(required, regex(pattern = crate::domain::names::NAME_PATTERN))]
    pub name: Option<String>,
    #[schemars(required, length(min = 1, max = 12))]
    pub event_types: Option<Vec<String>>,
    pub state: Option<String>,
    pub notification: Option<NotificationInput>,
}

/// The body of update-secret-event, as sent; absent fields stay unchanged.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct UpdateEventInput {
    #[schemars(length(max = 12))]
    pub event_types: Option<Vec<String>>,
    pub state: Option<String>,
    pub notification: Option<NotificationInput>,
}

fn event_not_found(name: &str) -> CsmsError {
    CsmsError::NotFound {
        kind: "event",
        name: name.to_owned(),
    }
}

/// Fails unless every named event exists in the project.
pub(super) fn ensure_events_exist(tx: &Tx<'_>, names: &[EventName]) -> Result<(), CsmsError> {
    match names.iter().find(|n| !tx.events().contains_key(*n)) {
        Some(missing) => Err(event_not_found(missing.as_str())),
        None => Ok(()),
    }
}

impl CsmsService {
    /// Create event, `POST /v1/{project_id}/csms/events`.
    #[tracing::instrument(skip_all, fields(project = %project))]
    pub fn create_secret_event(
        &self,
        project: &ProjectId,
        input: CreateEventInput,
    ) -> Result<Event, CsmsError> {
        let name = EventName::parse_for_create(&required(input.name, "name")?)?;
        let types = EventType::parse_list(&required(input.event_types, "event_types")?)?;
        let state = EventState::parse(&required(input.state, "state")?)?;
        let notification = required(input.notification, "notification")?.parse()?;
        self.write(project, |tx, now| {
            if tx.events().contains_key(&name) {
                return Err(CsmsError::invalid(
                    "name",
                    format!("an event named {} already exists", name.as_str()),
                ));
            }
            let event = Event {
                name: name.clone(),
                id: Uuid::new_v4(),
                types,
                state,
                notification,
                create_time: now,
                update_time: now,
            };
            tx.events_mut().insert(name, event.clone());
            Ok(event)
        })
    }

    /// Show event, `GET /v1/{project_id}/csms/events/{event_name}`.
    pub fn show_secret_event(
        &self,
        project: &ProjectId,
        name: &EventName,
    ) -> Result<Event, CsmsError> {
        store::read(&*self.store, project, |data| data.events.get(name).cloned())?
            .ok_or_else(|| event_not_found(name.as_str()))
    }

    /// List events, `GET /v1/{project_id}/csms/events`: name order, exclusive marker.
    pub fn list_secret_events(
        &self,
        project: &ProjectId,
        limit: Option<&str>,
        marker: Option<&str>,
    ) -> Result<Listing<Event>, CsmsError> {
        let limit = PageLimit::parse(limit)?;
        let marker = non_empty(marker)
            .map(|m| EventName::parse("marker", m))
            .transpose()?;
        let page = store::read(&*self.store, project, |data| {
            take_page(
                data.events.values(),
                |e| e.name.clone(),
                marker.as_ref(),
                limit,
            )
            .map(Event::clone)
        })?;
        Ok(Listing::new(
            page,
            |e| e.name.as_str().to_owned(),
            marker.map(|m| m.as_str().to_owned()),
        ))
    }

    /// Update event, `PUT /v1/{project_id}/csms/events/{event_name}`.
    #[tracing::instrument(skip_all, fields(project = %project))]
    pub fn update_secret_event(
        &self,
        project: &ProjectId,
        name: &EventName,
        input: UpdateEventInput,
    ) -> Result<Event, CsmsError> {
        // UpdateSecretEventRequestBody allows an empty list, while an event keeps 1 to 12
        // types: an empty list leaves the types as they are (docs/behaviour.md §47).
        let types = input
            .event_types
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(EventType::parse_list)
            .transpose()?;
        let state = input.state.as_deref().map(EventState::parse).transpose()?;
        let notification = input
            .notification
            .map(NotificationInput::parse)
            .transpose()?;
        self.write(project, |tx, now| {
            let event = tx
                .events_mut()
                .get_mut(name)
                .ok_or_else(|| event_not_found(name.as_str()))?;
            if let Some(types) = types {
                event.types = types;
            }
            if let Some(state) = state {
                event.state = state;
            }
            if let Some(notification) = notification {
                event.notification = notification;
            }
            event.update_time = now;
            Ok(event.clone())
        })
    }

    /// Delete event, `DELETE /v1/{project_id}/csms/events/{event_name}`: refused while a
    /// secret subscribes to it.
    #[tracing::instrument(skip_all, fields(project = %project))]
    pub fn delete_secret_event(
        &self,
        project: &ProjectId,
        name: &EventName,
    ) -> Result<(), CsmsError> {
        self.write(project, |tx, _| {
            if !tx.events().contains_key(name) {
                return Err(event_not_found(name.as_str()));
            }
            if let Some(user) = tx
                .secrets()
                .find(|s| s.settings().event_subscriptions.contains(name))
            {
                return Err(CsmsError::invalid(
                    "event_name",
                    format!(
                        "event {} is subscribed by secret {} and cannot be deleted",
                        name.as_str(),
                        user.name()
                    ),
                ));
            }
            tx.events_mut().remove(name);
            Ok(())
        })
    }

    /// List notification records, `GET /v1/{project_id}/csms/notification-records`:
    /// newest first, paged by `limit` and an index `marker`.
    pub fn list_notification_records(
        &self,
        project: &ProjectId,
        limit: Option<&str>,
        marker: Option<&str>,
    ) -> Result<Listing<NotificationRecord>, CsmsError> {
        let limit = PageLimit::parse(limit)?;
        let start = match non_empty(marker) {
            Some(m) => m
                .parse::<usize>()
                .map_err(|_| CsmsError::invalid("marker", "must be a record position"))?,
            None => 0,
        };
        let (items, total) = store::read(&*self.store, project, |data| {
            let items: Vec<NotificationRecord> = data
                .records
                .iter()
                .rev()
                .skip(start)
                .take(limit.get())
                .cloned()
                .collect();
            (items, data.records.len())
        })?;
        let end = start + items.len();
        Ok(Listing {
            items,
            next_marker: (end < total).then(|| end.to_string()),
            previous_marker: non_empty(marker).map(str::to_owned),
        })
    }
}
