//! The settings a secret is created with ([`SecretSettings`]), already validated, and the
//! enterprise project a secret belongs to by default. The settings most secrets leave at
//! their defaults ([`SettingsExtras`]) take no memory until one is set.

use crate::domain::names::{EventName, KmsKeyId, SecretName};
use crate::domain::rotation::{RotationConfig, RotationPeriod, SecretType};

use super::sparse::{AtDefaults, Sparse};

/// The settings a secret is created with, already validated.
#[derive(Debug, Clone)]
pub struct SecretSettings {
    pub name: SecretName,
    pub kms_key_id: KmsKeyId,
    pub secret_type: SecretType,
    pub auto_rotation: bool,
    /// Boxed only when one of them is set: most secrets have none (memory per secret).
    extras: Sparse<SettingsExtras>,
}

/// The settings most secrets leave at their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsExtras {
    pub description: String,
    pub rotation_period: Option<RotationPeriod>,
    pub rotation_config: Option<RotationConfig>,
    pub event_subscriptions: Vec<EventName>,
    pub enterprise_project_id: String,
    pub rotation_func_urn: Option<String>,
}

impl Default for SettingsExtras {
    fn default() -> Self {
        Self {
            description: String::new(),
            rotation_period: None,
            rotation_config: None,
            event_subscriptions: Vec::new(),
            enterprise_project_id: DEFAULT_ENTERPRISE_PROJECT.to_owned(),
            rotation_func_urn: None,
        }
    }
}

impl AtDefaults for SettingsExtras {
    fn at_defaults(&self) -> bool {
        // Destructured whole: a new field must say what its default is here.
        let Self {
            description,
            rotation_period,
            rotation_config,
            event_subscriptions,
            enterprise_project_id,
            rotation_func_urn,
        } = self;
        description.is_empty()
            && rotation_period.is_none()
            && rotation_config.is_none()
            && event_subscriptions.is_empty()
            && enterprise_project_id == DEFAULT_ENTERPRISE_PROJECT
            && rotation_func_urn.is_none()
    }
}

/// The enterprise project a secret belongs to when the request names none.
pub const DEFAULT_ENTERPRISE_PROJECT: &str = "0";

impl SecretSettings {
    #[must_use]
    pub fn new(
        name: SecretName,
        kms_key_id: KmsKeyId,
        secret_type: SecretType,
        auto_rotation: bool,
        extras: SettingsExtras,
    ) -> Self {
        Self {
            name,
            kms_key_id,
            secret_type,
            auto_rotation,
            extras: Sparse::new(extras),
        }
    }

    /// Plain COMMON settings with the project's default key, for tests.
    #[cfg(test)]
    pub(crate) fn for_test(name: &str) -> Self {
        use crate::domain::names::ProjectId;
        Self::new(
            SecretName::parse_for_import(name).expect("valid test name"),
            KmsKeyId::project_default(&ProjectId::parse("p").expect("valid id")),
            SecretType::Common,
            false,
            SettingsExtras::default(),
        )
    }

    #[must_use]
    pub fn description(&self) -> &str {
        self.extras.get().map_or("", |e| &e.description)
    }

    #[must_use]
    pub fn rotation_period(&self) -> Option<&RotationPeriod> {
        self.extras.get().and_then(|e| e.rotation_period.as_ref())
    }

    #[must_use]
    pub fn rotation_config(&self) -> Option<&RotationConfig> {
        self.extras.get().and_then(|e| e.rotation_config.as_ref())
    }

    #[must_use]
    pub fn event_subscriptions(&self) -> &[EventName] {
        self.extras.get().map_or(&[], |e| &e.event_subscriptions)
    }

    #[must_use]
    pub fn enterprise_project_id(&self) -> &str {
        self.extras
            .get()
            .map_or(DEFAULT_ENTERPRISE_PROJECT, |e| &e.enterprise_project_id)
    }

    #[must_use]
    pub fn rotation_func_urn(&self) -> Option<&str> {
        self.extras
            .get()
            .and_then(|e| e.rotation_func_urn.as_deref())
    }

    /// Changes the less common settings.
    pub fn change_extras<R>(&mut self, change: impl FnOnce(&mut SettingsExtras) -> R) -> R {
        self.extras.change(change)
    }

    /// Whether the secret is in the default enterprise project (then it carries no
    /// `_sys_enterprise_project_id` tag).
    #[must_use]
    pub fn in_default_enterprise_project(&self) -> bool {
        self.enterprise_project_id() == DEFAULT_ENTERPRISE_PROJECT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_at_their_defaults_read_as_defaults_and_set_ones_read_back() {
        let mut settings = SecretSettings::for_test("s");
        assert!(settings.extras.get().is_none());
        assert_eq!(settings.description(), "");
        assert_eq!(settings.enterprise_project_id(), "0");
        assert!(settings.in_default_enterprise_project());
        assert!(settings.event_subscriptions().is_empty());
        assert!(settings.rotation_period().is_none());
        assert!(settings.rotation_config().is_none());
        assert!(settings.rotation_func_urn().is_none());

        settings.change_extras(|e| {
            e.enterprise_project_id = "ep".into();
            e.rotation_func_urn = Some("urn".into());
        });
        assert_eq!(settings.enterprise_project_id(), "ep");
        assert!(!settings.in_default_enterprise_project());
        assert_eq!(settings.rotation_func_urn(), Some("urn"));
        assert_eq!(settings.description(), "");

        settings.change_extras(|e| *e = SettingsExtras::default());
        assert!(settings.extras.get().is_none(), "back to defaults, unboxed");
    }
}
