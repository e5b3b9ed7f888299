//! Path parameter sets, taken from the request's classification, and their parsing into
//! validated domain names.

use super::error::ApiResult;
use super::extract::FromPathParams;
use uuid::Uuid;

use crate::domain::tag::TagKey;
use crate::error::CsmsError;

use crate::domain::names::{
    EventName, ProjectId, SecretName, StageName, VersionRef, parse_secret_id,
};

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

/// The path's strings become the parsed names, uncopied.
impl SecretPath {
    pub fn parse(self) -> ApiResult<(ProjectId, SecretName)> {
        Ok((
            ProjectId::parse(self.project_id)?,
            SecretName::parse_lookup("secret_name", self.secret_name)?,
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

/// The path's strings become the parsed names, uncopied.
impl VersionPath {
    pub fn parse(self) -> ApiResult<(ProjectId, SecretName, VersionRef)> {
        Ok((
            ProjectId::parse(self.project_id)?,
            SecretName::parse_lookup("secret_name", self.secret_name)?,
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

/// `/v1/{project_id}/csms/events/{event_name}`.
#[derive(Debug)]
pub struct EventPath {
    pub project_id: String,
    pub event_name: String,
}

impl EventPath {
    pub fn parse(&self) -> ApiResult<(ProjectId, EventName)> {
        Ok((
            ProjectId::parse(&self.project_id)?,
            EventName::parse("event_name", &self.event_name)?,
        ))
    }
}

/// `/v1/{project_id}/csms/{secret_id}/tags…`: the tag routes address a secret by its id.
#[derive(Debug)]
pub struct SecretIdPath {
    pub project_id: String,
    pub secret_id: String,
}

impl SecretIdPath {
    pub fn parse(&self) -> ApiResult<(ProjectId, Uuid)> {
        Ok((
            ProjectId::parse(&self.project_id)?,
            parse_secret_id(&self.secret_id)?,
        ))
    }
}

/// `/v1/{project_id}/csms/{secret_id}/tags/{key}`.
#[derive(Debug)]
pub struct TagPath {
    pub project_id: String,
    pub secret_id: String,
    pub key: String,
}

impl TagPath {
    /// The key is checked as a tag key: one no tag could have is a bad request
    /// (docs/behaviour.md §50), not a missing tag.
    pub fn parse(&self) -> ApiResult<(ProjectId, Uuid, TagKey)> {
        Ok((
            ProjectId::parse(&self.project_id)?,
            parse_secret_id(&self.secret_id)?,
            TagKey::parse(&self.key)?,
        ))
    }
}

/// `/_emulator/faults/{fault_id}`.
#[derive(Debug)]
pub struct FaultPath {
    pub fault_id: String,
}

impl FaultPath {
    pub fn parse(&self) -> ApiResult<u64> {
        Ok(self
            .fault_id
            .parse()
            .map_err(|_| CsmsError::invalid("fault_id", "must be a rule id"))?)
    }
}

/// [`FromPathParams`] for a struct of a route's parameters, in path order: exactly as
/// many segments as it has fields.
macro_rules! from_path_params {
    ($($path:ident { $($field:ident),+ })+) => {$(
        impl FromPathParams for $path {
            fn from_params(mut params: impl Iterator<Item = String>) -> Option<Self> {
                let path = Self { $($field: params.next()?),+ };
                params.next().is_none().then_some(path)
            }
        }
    )+};
}

from_path_params! {
    ProjectPath { project_id }
    SecretPath { project_id, secret_name }
    VersionPath { project_id, secret_name, version_id }
    StagePath { project_id, secret_name, stage_name }
    EventPath { project_id, event_name }
    SecretIdPath { project_id, secret_id }
    TagPath { project_id, secret_id, key }
    FaultPath { fault_id }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params<'a>(parts: &'a [&str]) -> impl Iterator<Item = String> + 'a {
        parts.iter().map(|p| (*p).to_owned())
    }

    #[test]
    fn a_path_takes_exactly_its_segments_in_order() {
        let path = VersionPath::from_params(params(&["p", "s", "v1"])).unwrap();
        assert_eq!(
            (
                path.project_id.as_str(),
                path.secret_name.as_str(),
                path.version_id.as_str()
            ),
            ("p", "s", "v1")
        );
        assert!(VersionPath::from_params(params(&["p", "s"])).is_none());
        assert!(VersionPath::from_params(params(&["p", "s", "v1", "x"])).is_none());
        assert!(ProjectPath::from_params(params(&[])).is_none());
    }
}
