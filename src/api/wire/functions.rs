//! Rotation function wire types: the agency body and answer (function templates answer
//! with the service's view as it is).

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct SecretTypeBody {
    #[schemars(required, extend("enum" = ["RDS-FG", "GaussDB-FG"]))]
    pub secret_type: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AgencyDto {
    pub agency_name: String,
    pub agency_id: String,
    pub error_msg: Option<String>,
}
