//! Rotation tasks, as `list_secret_task` reports them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Millis;

/// How a rotation ended; built-in rotation ends in its transaction, a rotation function
/// leaves the task `ROTATING` until it answers (docs/behaviour.md §59).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskStatus {
    Success,
    Failed,
    Rotating,
}

impl TaskStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "SUCCESS",
            Self::Failed => "FAILED",
            Self::Rotating => "ROTATING",
        }
    }

    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "SUCCESS" => Some(Self::Success),
            "FAILED" => Some(Self::Failed),
            "ROTATING" => Some(Self::Rotating),
            _ => None,
        }
    }
}

/// One rotation attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationTask {
    pub id: Uuid,
    pub secret_name: String,
    pub rotation_func_urn: Option<String>,
    pub status: TaskStatus,
    pub time: Millis,
    /// `(task_error_code, task_error_msg)` of a failed rotation.
    pub error: Option<(String, String)>,
}
