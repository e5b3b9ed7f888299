//! Rotation function templates: the source of a function for a database secret type,
//! sub-type and engine.

use crate::domain::rotation::TemplateKind;
use crate::error::CsmsError;

use super::handle::CsmsService;

impl CsmsService {
    /// Function templates, `GET /v1/csms/function-templates`: the source of a function
    /// for the kind asked for.
    pub fn show_secret_function_templates(&self, kind: TemplateKind) -> Result<String, CsmsError> {
        let TemplateKind {
            secret_type,
            sub_type,
            engine,
        } = kind;
        let secret_type = secret_type.as_str();
        Ok(format!(
            "# csms-emulator rotation function template\n# secret_type={secret_type} secret_sub_type={sub_type} engine={engine}\ndef handler(event, context):\n    return {{\"status\": \"ok\"}}\n"
        ))
    }
}
