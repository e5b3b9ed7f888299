//! Path parameter sets and their parsing into validated domain names.

use serde::Deserialize;

use crate::domain::names::{ProjectId, SecretName, StageName, VersionRef};

use super::error::ApiResult;

#[derive(Debug, Deserialize)]
pub struct ProjectPath {
    pub project_id: String,
}

impl ProjectPath {
    pub fn parse(&self) -> ApiResult<ProjectId> {
        Ok(ProjectId::parse(&self.project_id)?)
    }
}

#[derive(Debug, Deserialize)]
pub struct SecretPath {
    pub project_id: String,
    pub secret_name: String,
}

impl SecretPath {
    pub fn parse(&self) -> ApiResult<(ProjectId, SecretName)> {
        Ok((
            ProjectId::parse(&self.project_id)?,
            SecretName::parse_lookup("secret_name", &self.secret_name)?,
        ))
    }
}

#[derive(Debug, Deserialize)]
pub struct VersionPath {
    pub project_id: String,
    pub secret_name: String,
    /// Absent on `…/versions/`, which means `latest` (docs/behaviour.md §7).
    #[serde(default)]
    pub version_id: String,
}

impl VersionPath {
    pub fn parse(&self) -> ApiResult<(ProjectId, SecretName, VersionRef)> {
        Ok((
            ProjectId::parse(&self.project_id)?,
            SecretName::parse_lookup("secret_name", &self.secret_name)?,
            VersionRef::parse(&self.version_id)?,
        ))
    }
}

#[derive(Debug, Deserialize)]
pub struct StagePath {
    pub project_id: String,
    pub secret_name: String,
    pub stage_name: String,
}

impl StagePath {
    pub fn parse(&self) -> ApiResult<(ProjectId, SecretName, StageName)> {
        Ok((
            ProjectId::parse(&self.project_id)?,
            SecretName::parse_lookup("secret_name", &self.secret_name)?,
            StageName::parse("stage_name", &self.stage_name)?,
        ))
    }
}
