//! Rotation function templates: the source of a function for a database secret type,
//! sub-type and engine.

use crate::domain::rotation::SecretType;
use crate::error::CsmsError;

use super::handle::CsmsService;

impl CsmsService {
    /// Function templates, `GET /v1/csms/function-templates`.
    pub fn show_secret_function_templates(
        &self,
        secret_type: SecretType,
        sub_type: Option<&str>,
        engine: Option<&str>,
    ) -> Result<String, CsmsError> {
        let secret_type = secret_type.as_str();
        let Some(sub_type @ ("SingleUser" | "MultiUser")) = sub_type else {
            return Err(CsmsError::invalid(
                "secret_sub_type",
                "must be SingleUser or MultiUser",
            ));
        };
        let engine = match (secret_type, engine) {
            (_, Some(e @ ("mysql" | "postgresql" | "sqlserver"))) => e,
            ("RDS-FG", _) => {
                return Err(CsmsError::invalid(
                    "engine",
                    "must be mysql, postgresql or sqlserver for RDS-FG",
                ));
            }
            (_, None) => "mysql",
            (_, Some(_)) => {
                return Err(CsmsError::invalid(
                    "engine",
                    "must be mysql, postgresql or sqlserver",
                ));
            }
        };
        Ok(format!(
            "# csms-emulator rotation function template\n# secret_type={secret_type} secret_sub_type={sub_type} engine={engine}\ndef handler(event, context):\n    return {{\"status\": \"ok\"}}\n"
        ))
    }
}
