//! Path parameter sets, taken from the request's classification, and their parsing into
//! validated domain names.

use super::error::ApiResult;
use super::extract::FromPathParams;
use crate::domain::names::{ProjectId, SecretName, StageName, VersionRef};

#[derive(Debug)]
pub struct ProjectPath {
    pub project_id: String,
}

impl ProjectPath {
    pub fn parse(&self) -> ApiResult<ProjectId> {
        Ok(ProjectId::parse(&self.project_id)?)
    }
}

#[derive(Debug)]
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

#[derive(Debug)]
pub struct VersionPath {
    pub project_id: String,
    pub secret_name: String,
    /// Empty on `…/versions/`, which means `latest` (docs/behaviour.md §7).
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

#[derive(Debug)]
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

impl FromPathParams for ProjectPath {
    fn from_params(params: Vec<String>) -> Option<Self> {
        String::from_params(params).map(|project_id| Self { project_id })
    }
}

impl FromPathParams for SecretPath {
    fn from_params(params: Vec<String>) -> Option<Self> {
        let (project_id, secret_name) = FromPathParams::from_params(params)?;
        Some(Self {
            project_id,
            secret_name,
        })
    }
}

impl FromPathParams for VersionPath {
    fn from_params(params: Vec<String>) -> Option<Self> {
        let (project_id, secret_name, version_id) = FromPathParams::from_params(params)?;
        Some(Self {
            project_id,
            secret_name,
            version_id,
        })
    }
}

impl FromPathParams for StagePath {
    fn from_params(params: Vec<String>) -> Option<Self> {
        let (project_id, secret_name, stage_name) = FromPathParams::from_params(params)?;
        Some(Self {
            project_id,
            secret_name,
            stage_name,
        })
    }
}
