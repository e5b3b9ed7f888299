//! Wire types of the operations beyond secrets and versions: events, notification records,
//! tasks, tags and search, backup, rotation, passwords and the peripheral operations.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::domain::event::{Event, NotificationRecord};
use crate::domain::grant::Grant;
use crate::domain::secret::Secret;
use crate::domain::task::RotationTask;
use crate::service::{Listing, RotationOutcome, TaskListing};

use super::dto::{PageInfoDto, SecretDto};

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

/// `Record` of list-notification-records.
#[derive(Debug, Serialize)]
pub struct RecordDto {
    pub event_name: String,
    pub trigger_event_type: &'static str,
    pub create_time: i64,
    pub secret_name: String,
    pub secret_type: &'static str,
    pub notification_target_name: String,
    pub notification_target_id: String,
    pub notification_content: String,
    pub notification_status: &'static str,
}

/// The answer of list-notification-records.
#[derive(Debug, Serialize)]
pub struct ListRecordsResponse {
    pub records: Vec<RecordDto>,
    pub page_info: PageInfoDto,
}

impl From<Listing<NotificationRecord>> for ListRecordsResponse {
    fn from(listing: Listing<NotificationRecord>) -> Self {
        Self {
            records: listing
                .items
                .iter()
                .map(|r| RecordDto {
                    event_name: r.event_name.clone(),
                    trigger_event_type: r.trigger_event_type.as_str(),
                    create_time: r.create_time,
                    secret_name: r.secret_name.clone(),
                    secret_type: r.secret_type.as_str(),
                    notification_target_name: r.target_name.clone(),
                    notification_target_id: r.target_id.clone(),
                    notification_content: r.content.clone(),
                    notification_status: r.status.as_str(),
                })
                .collect(),
            page_info: PageInfoDto::of(&listing),
        }
    }
}

/// `SecretTask`.
#[derive(Debug, Serialize)]
pub struct TaskDto {
    pub task_id: String,
    pub secret_name: String,
    pub rotation_func_urn: Option<String>,
    pub task_status: &'static str,
    pub operate_type: &'static str,
    pub task_time: i64,
    pub attempt_nums: u32,
    pub task_error_code: Option<String>,
    pub task_error_msg: Option<String>,
}

impl From<&RotationTask> for TaskDto {
    fn from(t: &RotationTask) -> Self {
        Self {
            task_id: t.id.to_string(),
            secret_name: t.secret_name.clone(),
            rotation_func_urn: t.rotation_func_urn.clone(),
            task_status: t.status.as_str(),
            operate_type: "ROTATE",
            task_time: t.time,
            attempt_nums: 1,
            task_error_code: t.error.as_ref().map(|(code, _)| code.clone()),
            task_error_msg: t.error.as_ref().map(|(_, msg)| msg.clone()),
        }
    }
}

/// The answer of list-secret-task.
#[derive(Debug, Serialize)]
pub struct ListTasksResponse {
    pub total: usize,
    pub tasks: Vec<TaskDto>,
    pub next_marker: Option<String>,
}

impl From<TaskListing> for ListTasksResponse {
    fn from(l: TaskListing) -> Self {
        Self {
            total: l.total,
            tasks: l.tasks.iter().map(TaskDto::from).collect(),
            next_marker: l.next_marker,
        }
    }
}

/// The answer of rotate-secret.
#[derive(Debug, Serialize)]
pub struct RotateResponse {
    pub version_id: String,
    pub secret_name: String,
    pub rotation_task_id: String,
}

impl From<RotationOutcome> for RotateResponse {
    fn from(o: RotationOutcome) -> Self {
        Self {
            version_id: o.version_id.to_string(),
            secret_name: o.secret_name.to_string(),
            rotation_task_id: o.task_id.to_string(),
        }
    }
}

/// `{"secret_blob": ...}`, in both directions.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BlobBody {
    #[schemars(required)]
    pub secret_blob: Option<String>,
}

/// `{"password": ...}`. `Debug` hides the password.
#[derive(Serialize)]
pub struct PasswordResponse {
    pub password: String,
}

impl std::fmt::Debug for PasswordResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordResponse { password: <redacted> }")
    }
}

/// The body of generate-password, as sent.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct PasswordBody {
    pub password_policy_name: Option<String>,
    #[schemars(range(min = crate::domain::password::LENGTH_MIN, max = crate::domain::password::LENGTH_MAX))]
    pub length: Option<i64>,
    pub exclude_characters: Option<String>,
    pub exclude_lowercase: Option<bool>,
    pub exclude_uppercase: Option<bool>,
    pub exclude_numbers: Option<bool>,
    pub exclude_punctuation: Option<bool>,
    pub include_space: Option<bool>,
    pub require_each_included_type: Option<bool>,
}

/// `TagItem` / `SysTag` in answers.
#[derive(Debug, Serialize)]
pub struct TagItemDto {
    pub key: String,
    pub value: String,
}

/// The `_sys_` tags of a secret: its enterprise project when not the default.
fn sys_tags(secret: &Secret) -> Vec<TagItemDto> {
    if secret.settings().in_default_enterprise_project() {
        Vec::new()
    } else {
        vec![TagItemDto {
            key: "_sys_enterprise_project_id".to_owned(),
            value: secret.settings().enterprise_project_id.clone(),
        }]
    }
}

fn tag_items(secret: &Secret) -> Vec<TagItemDto> {
    secret
        .tags()
        .iter()
        .map(|(k, v)| TagItemDto {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

/// The answer of list-secret-tags.
#[derive(Debug, Serialize)]
pub struct SecretTagsResponse {
    pub tags: Vec<TagItemDto>,
    pub sys_tags: Vec<TagItemDto>,
}

impl From<&Secret> for SecretTagsResponse {
    fn from(s: &Secret) -> Self {
        Self {
            tags: tag_items(s),
            sys_tags: sys_tags(s),
        }
    }
}

/// `TagResponse` of the project tag list.
#[derive(Debug, Serialize)]
pub struct TagValuesDto {
    pub key: String,
    pub values: Vec<String>,
}

/// The answer of list-project-secrets-tags.
#[derive(Debug, Serialize)]
pub struct ProjectTagsResponse {
    pub tags: Vec<TagValuesDto>,
}

impl From<BTreeMap<String, BTreeSet<String>>> for ProjectTagsResponse {
    fn from(all: BTreeMap<String, BTreeSet<String>>) -> Self {
        Self {
            tags: all
                .into_iter()
                .map(|(key, values)| TagValuesDto {
                    key,
                    values: values.into_iter().collect(),
                })
                .collect(),
        }
    }
}

/// `ActionResources`.
#[derive(Debug, Serialize)]
pub struct ResourceDto {
    pub resource_id: String,
    pub resource_name: String,
    pub resource_detail: SecretDto,
    pub tags: Vec<TagItemDto>,
    pub sys_tags: Vec<TagItemDto>,
}

/// The answer of resource_instances/action.
#[derive(Debug, Serialize)]
pub struct ResourcesResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ResourceDto>>,
    pub total_count: usize,
}

impl ResourcesResponse {
    #[must_use]
    pub fn new(resources: Option<Vec<Arc<Secret>>>, total_count: usize) -> Self {
        Self {
            resources: resources.map(|list| {
                list.iter()
                    .map(|s| ResourceDto {
                        resource_id: s.id().to_string(),
                        resource_name: s.name().to_string(),
                        resource_detail: SecretDto::from(&**s),
                        tags: tag_items(s),
                        sys_tags: sys_tags(s),
                    })
                    .collect()
            }),
            total_count,
        }
    }
}

/// `GrantData` (camelCase keys, as the SDK models them).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantDataDto {
    pub uuid: String,
    pub resource_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub grantee_user: String,
    pub create_time: i64,
    pub update_time: i64,
    pub validity_time: Option<i64>,
    pub state: u8,
    pub signature: String,
}

/// `{"data": GrantData}`.
#[derive(Debug, Serialize)]
pub struct GrantResponse {
    pub data: GrantDataDto,
}

impl From<Grant> for GrantResponse {
    fn from(g: Grant) -> Self {
        Self {
            data: GrantDataDto {
                uuid: g.id.to_string(),
                resource_id: g.resource_id,
                kind: g.kind,
                grantee_user: g.grantee_id,
                create_time: g.create_time,
                update_time: g.update_time,
                validity_time: g.validity_time,
                state: 1,
                signature: String::new(),
            },
        }
    }
}

/// `GrantUserInfo`.
#[derive(Debug, Serialize)]
pub struct GrantUserDto {
    pub user_id: String,
    pub user_name: String,
    pub create_time: i64,
    pub validity_time: Option<i64>,
}

/// `GrantDTO`.
#[derive(Debug, Serialize)]
pub struct GrantListDto {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub grantee_user: Vec<GrantUserDto>,
    pub create_time: i64,
    pub update_time: i64,
}

/// `{"data": GrantDTO}`.
#[derive(Debug, Serialize)]
pub struct ListGrantsResponse {
    pub data: GrantListDto,
}

impl ListGrantsResponse {
    #[must_use]
    pub fn new(resource_id: String, grants: &[Grant]) -> Self {
        Self {
            data: GrantListDto {
                id: resource_id.clone(),
                name: resource_id,
                kind: grants.first().map(|g| g.kind.clone()).unwrap_or_default(),
                grantee_user: grants
                    .iter()
                    .map(|g| GrantUserDto {
                        user_id: g.grantee_id.clone(),
                        user_name: g.grantee_id.clone(),
                        create_time: g.create_time,
                        validity_time: g.validity_time,
                    })
                    .collect(),
                create_time: grants.iter().map(|g| g.create_time).min().unwrap_or(0),
                update_time: grants.iter().map(|g| g.update_time).max().unwrap_or(0),
            },
        }
    }
}
