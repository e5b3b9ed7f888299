//! Secrets checker wire types: the configuration and check bodies.

use serde::Deserialize;

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
