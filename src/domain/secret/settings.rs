//! The settings a secret is created with ([`SecretSettings`]), already validated, and the
//! enterprise project a secret belongs to by default.

use crate::domain::names::{EventName, KmsKeyId, SecretName};
use crate::domain::rotation::{RotationConfig, RotationPeriod, SecretType};

/// The settings a secret is created with, already validated.
#[derive(Debug, Clone)]
pub struct SecretSettings {
    pub name: SecretName,
    pub kms_key_id: KmsKeyId,
    pub description: String,
    pub secret_type: SecretType,
    pub auto_rotation: bool,
    pub rotation_period: Option<RotationPeriod>,
    pub rotation_config: Option<RotationConfig>,
    pub event_subscriptions: Vec<EventName>,
    pub enterprise_project_id: String,
    pub rotation_func_urn: Option<String>,
}

impl SecretSettings {
    /// Plain COMMON settings with the project's default key, for tests.
    #[cfg(test)]
    pub(crate) fn for_test(name: &str) -> Self {
        use crate::domain::names::ProjectId;
        Self {
            name: SecretName::parse_for_import(name).expect("valid test name"),
            kms_key_id: KmsKeyId::project_default(&ProjectId::parse("p").expect("valid id")),
            description: String::new(),
            secret_type: SecretType::Common,
            auto_rotation: false,
            rotation_period: None,
            rotation_config: None,
            event_subscriptions: Vec::new(),
            enterprise_project_id: DEFAULT_ENTERPRISE_PROJECT.into(),
            rotation_func_urn: None,
        }
    }
}

/// The enterprise project a secret belongs to when the request names none.
pub const DEFAULT_ENTERPRISE_PROJECT: &str = "0";

impl SecretSettings {
    /// Whether the secret is in the default enterprise project (then it carries no
    /// `_sys_enterprise_project_id` tag).
    #[must_use]
    pub fn in_default_enterprise_project(&self) -> bool {
        self.enterprise_project_id == DEFAULT_ENTERPRISE_PROJECT
    }
}
