//! The rules a new secret's settings are parsed by, where create-secret and batch import
//! differ (docs/behaviour.md §8–§11), and the field rules they share with update-secret.

use crate::domain::limits::{
    DESCRIPTION_MAX_BYTES, ENTERPRISE_PROJECT_ID_MAX_CHARS, IMPORT_ROTATION_PERIOD_MIN_SECS,
    IMPORT_VALUE_MAX_BYTES, ROTATION_PERIOD_MIN_SECS, VALUE_MAX_BYTES,
};
use crate::domain::names::SecretName;
use crate::domain::rotation::check_auto_rotation;
use crate::error::CsmsError;

use super::settings::{DEFAULT_ENTERPRISE_PROJECT, SecretSettings};

/// The rules that differ between create-secret and batch import.
#[derive(Debug, Clone, Copy)]
pub struct CreateRules {
    pub parse_name: fn(&str) -> Result<SecretName, CsmsError>,
    pub value_max_bytes: usize,
    pub period_min_secs: u64,
}

/// Create-secret's rules ("Creating a Secret" page).
pub const CREATE_RULES: CreateRules = CreateRules {
    parse_name: SecretName::parse_for_create,
    value_max_bytes: VALUE_MAX_BYTES,
    period_min_secs: ROTATION_PERIOD_MIN_SECS,
};

/// Batch import's rules ("Importing Secrets in Batches" page).
pub const IMPORT_RULES: CreateRules = CreateRules {
    parse_name: SecretName::parse_for_import,
    value_max_bytes: IMPORT_VALUE_MAX_BYTES,
    period_min_secs: IMPORT_ROTATION_PERIOD_MIN_SECS,
};

impl SecretSettings {
    /// A new secret's settings, each field already parsed, checked as a whole: what
    /// automatic rotation needs (docs/behaviour.md §11, §43), as `update_settings` checks
    /// it on every update.
    pub fn checked(self) -> Result<Self, CsmsError> {
        check_auto_rotation(
            self.secret_type,
            self.auto_rotation,
            self.rotation_period(),
            self.rotation_func_urn(),
        )?;
        Ok(self)
    }
}

/// `description`: at most 2,048 bytes.
pub fn check_description(description: &str) -> Result<(), CsmsError> {
    if description.len() > DESCRIPTION_MAX_BYTES {
        return Err(CsmsError::invalid(
            "description",
            "must have at most 2048 bytes",
        ));
    }
    Ok(())
}

/// `enterprise_project_id`: `"0"` when absent, else 1 to 36 characters.
pub fn parse_enterprise_project(raw: Option<String>) -> Result<String, CsmsError> {
    let id = raw.unwrap_or_else(|| DEFAULT_ENTERPRISE_PROJECT.to_owned());
    let len = id.chars().count();
    if len == 0 || len > ENTERPRISE_PROJECT_ID_MAX_CHARS {
        return Err(CsmsError::invalid(
            "enterprise_project_id",
            "must have 1 to 36 characters",
        ));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_and_enterprise_projects_keep_their_bounds() {
        assert!(check_description(&"x".repeat(2048)).is_ok());
        assert!(check_description(&"x".repeat(2049)).is_err());
        assert_eq!(parse_enterprise_project(None).unwrap(), "0");
        assert!(parse_enterprise_project(Some(String::new())).is_err());
        assert!(parse_enterprise_project(Some("é".repeat(36))).is_ok());
        assert!(parse_enterprise_project(Some("e".repeat(37))).is_err());
    }
}
