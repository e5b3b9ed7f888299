//! Events and notification records: create, list, show,
//! update and delete events; record a notification whenever a subscribed, enabled
//! event's type happens.

use uuid::Uuid;

use crate::domain::event::{Event, EventState, EventType, Notification, NotificationRecord};
use crate::domain::names::{EventName, ProjectId};
use crate::domain::page::{PageLimit, take_page};
use crate::error::CsmsError;
use crate::store::{self, Tx};

use super::handle::CsmsService;
use super::listing::Listing;

/// A validated create-secret-event request.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub name: EventName,
    pub types: Vec<EventType>,
    pub state: EventState,
    pub notification: Notification,
}

/// A validated update-secret-event request: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EventPatch {
    pub types: Option<Vec<EventType>>,
    pub state: Option<EventState>,
    pub notification: Option<Notification>,
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
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project))]
    pub fn create_secret_event(
        &self,
        project: &ProjectId,
        new: NewEvent,
    ) -> Result<Event, CsmsError> {
        let NewEvent {
            name,
            types,
            state,
            notification,
        } = new;
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
        store::read(self.store(), project, |data| data.events.get(name).cloned())?
            .ok_or_else(|| event_not_found(name.as_str()))
    }

    /// List events, `GET /v1/{project_id}/csms/events`: name order, exclusive marker.
    pub fn list_secret_events(
        &self,
        project: &ProjectId,
        limit: PageLimit,
        marker: Option<EventName>,
    ) -> Result<Listing<Event>, CsmsError> {
        let page = store::read(self.store(), project, |data| {
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
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project))]
    pub fn update_secret_event(
        &self,
        project: &ProjectId,
        name: &EventName,
        patch: EventPatch,
    ) -> Result<Event, CsmsError> {
        let EventPatch {
            types,
            state,
            notification,
        } = patch;
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
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project))]
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
                .find(|s| s.settings().event_subscriptions().contains(name))
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
        limit: PageLimit,
        marker: Option<usize>,
    ) -> Result<Listing<NotificationRecord>, CsmsError> {
        let start = marker.unwrap_or(0);
        let (items, total) = store::read(self.store(), project, |data| {
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
            previous_marker: marker.map(|m| m.to_string()),
        })
    }
}
