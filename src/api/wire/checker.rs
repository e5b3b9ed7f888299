//! Secrets checker wire types: the configuration and check bodies.

use serde::Deserialize;

use super::input::required;
use crate::error::CsmsError;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct ConfigBody {
    #[schemars(required)]
    pub checking_secret_strength: Option<bool>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct CheckBody {
    #[serde(rename = "type")]
    #[schemars(required, length(min = 1))]
    pub kind: Option<String>,
    #[schemars(required, extend("type" = "object"))]
    pub data: Option<serde_json::Value>,
}

impl ConfigBody {
    /// Whether secret strength is checked: required.
    pub fn checking(&self) -> Result<bool, CsmsError> {
        required(self.checking_secret_strength, "checking_secret_strength")
    }
}

impl CheckBody {
    /// The check's `type` (not empty) and its `data` (a JSON object), which the answer
    /// echoes (CheckSecrets.json).
    pub fn parse(self) -> Result<(String, serde_json::Value), CsmsError> {
        let kind = self
            .kind
            .filter(|k| !k.is_empty())
            .ok_or_else(|| CsmsError::invalid("type", "is required"))?;
        match self.data {
            Some(data @ serde_json::Value::Object(_)) => Ok((kind, data)),
            Some(_) => Err(CsmsError::invalid("data", "must be a JSON object")),
            None => Err(CsmsError::invalid("data", "is required")),
        }
    }
}
