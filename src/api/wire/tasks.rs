//! Rotation task and notification record wire types: the task-list filter's parse, and
//! the task-list and record-list answers.

use serde::Serialize;
use uuid::Uuid;

use super::input::{non_empty, optional};
use super::page::PageInfoDto;
use super::queries::{ListTasksQuery, RecordsQuery};
use crate::domain::event::NotificationRecord;
use crate::domain::names::SecretName;
use crate::domain::page::PageLimit;
use crate::domain::task::{RotationTask, TaskStatus};
use crate::error::CsmsError;
use crate::service::{Listing, TaskFilter, TaskListing};

impl RecordsQuery {
    /// List-notification-records' page: its size, and the position it starts after.
    pub fn parse(&self) -> Result<(PageLimit, Option<usize>), CsmsError> {
        let limit = PageLimit::parse(self.limit.as_deref())?;
        let marker = optional(self.marker.as_deref(), |m| {
            m.parse::<usize>()
                .map_err(|_| CsmsError::invalid("marker", "must be a record position"))
        })?;
        Ok((limit, marker))
    }
}

impl ListTasksQuery {
    /// List-secret-task's filter: empty parameters count as absent, and `task_id` cannot
    /// be combined with `secret_name` or `status`.
    pub fn task_filter(&self) -> Result<TaskFilter, CsmsError> {
        let limit = PageLimit::parse(self.limit.as_deref())?;
        let task_id = optional(self.task_id.as_deref(), |t| {
            Uuid::parse_str(t).map_err(|_| CsmsError::invalid("task_id", "must be a UUID"))
        })?;
        if task_id.is_some()
            && (non_empty(self.secret_name.as_deref()).is_some()
                || non_empty(self.status.as_deref()).is_some())
        {
            return Err(CsmsError::invalid(
                "task_id",
                "cannot be combined with secret_name or status",
            ));
        }
        let secret = optional(self.secret_name.as_deref(), |n| {
            SecretName::parse_lookup("secret_name", n)
        })?;
        let status = optional(self.status.as_deref(), |s| {
            TaskStatus::parse(s)
                .ok_or_else(|| CsmsError::invalid("status", "must be SUCCESS, FAILED or ROTATING"))
        })?;
        let marker = optional(self.marker.as_deref(), |m| {
            Uuid::parse_str(m).map_err(|_| CsmsError::invalid("marker", "must be a task id"))
        })?;
        Ok(TaskFilter {
            limit,
            task_id,
            secret,
            status,
            marker,
        })
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
