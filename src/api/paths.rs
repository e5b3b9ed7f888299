//! Path parameter sets, taken from the request's classification, and their parsing into
//! validated domain names.
//!
//! Each parameter is parsed as it is taken from the path, straight from the request's
//! bytes (no copy in between), and its outcome is kept: [`parse`](VersionPath::parse)
//! answers the first error in path order, when the handler asks, so the order in which a
//! request's errors are reported (path, then body, then the path's names) is the
//! handler's, as when the raw segments were kept. An error is kept boxed, so a path is
//! no larger than its values: it is moved with the handler's state.

use std::borrow::Cow;

use uuid::Uuid;

use super::error::ApiResult;
use super::extract::FromPathParams;
use crate::domain::names::{
    EventName, ProjectId, SecretName, StageName, VersionRef, parse_secret_id,
};
use crate::domain::tag::TagKey;
use crate::error::CsmsError;

fn project_id(raw: &str) -> Result<ProjectId, CsmsError> {
    ProjectId::parse(raw)
}

fn secret_name(raw: &str) -> Result<SecretName, CsmsError> {
    SecretName::parse_lookup("secret_name", raw)
}

fn stage_name(raw: &str) -> Result<StageName, CsmsError> {
    StageName::parse("stage_name", raw)
}

fn event_name(raw: &str) -> Result<EventName, CsmsError> {
    EventName::parse("event_name", raw)
}

fn fault_id(raw: &str) -> Result<u64, CsmsError> {
    raw.parse()
        .map_err(|_| CsmsError::invalid("fault_id", "must be a rule id"))
}

/// A struct of a route's parameters, in path order, each with the function that parses
/// it; [`FromPathParams`] takes exactly as many segments as it has fields.
macro_rules! path_params {
    ($($(#[$doc:meta])* $path:ident { $($field:ident: $ty:ty = $parse:expr),+ })+) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $path {
            $($field: Result<$ty, Box<CsmsError>>),+
        }

        impl $path {
            /// The parsed parameters, or the first one's error in path order.
            #[allow(unused_parens)] // a one-parameter path answers the value itself
            pub fn parse(self) -> ApiResult<($($ty),+)> {
                Ok(($(self.$field.map_err(|err| *err)?),+))
            }
        }

        impl FromPathParams for $path {
            // One copy per path type, not one in every handler that takes it.
            #[inline(never)]
            fn from_params<'a>(mut params: impl Iterator<Item = Cow<'a, str>>) -> Option<Self> {
                let path = Self { $($field: $parse(&params.next()?).map_err(Box::new)),+ };
                params.next().is_none().then_some(path)
            }
        }
    )+};
}

path_params! {
    ProjectPath { project: ProjectId = project_id }
    SecretPath { project: ProjectId = project_id, name: SecretName = secret_name }
    /// An empty version id (`…/versions/`) means `latest` (docs/behaviour.md §7).
    VersionPath {
        project: ProjectId = project_id,
        name: SecretName = secret_name,
        version: VersionRef = VersionRef::parse
    }
    StagePath {
        project: ProjectId = project_id,
        name: SecretName = secret_name,
        stage: StageName = stage_name
    }
    /// `/v1/{project_id}/csms/events/{event_name}`.
    EventPath { project: ProjectId = project_id, event: EventName = event_name }
    /// `/v1/{project_id}/csms/{secret_id}/tags…`: the tag routes address a secret by its id.
    SecretIdPath { project: ProjectId = project_id, secret_id: Uuid = parse_secret_id }
    /// `/v1/{project_id}/csms/{secret_id}/tags/{key}`. The key is checked as a tag key: one
    /// no tag could have is a bad request (docs/behaviour.md §50), not a missing tag.
    TagPath {
        project: ProjectId = project_id,
        secret_id: Uuid = parse_secret_id,
        key: TagKey = TagKey::parse
    }
    /// `/_emulator/faults/{fault_id}`.
    FaultPath { fault_id: u64 = fault_id }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn params<'a>(parts: &'a [&str]) -> impl Iterator<Item = Cow<'a, str>> + 'a {
        parts.iter().map(|p| Cow::Borrowed(*p))
    }

    #[test]
    fn a_path_takes_exactly_its_segments_in_order() {
        let path = VersionPath::from_params(params(&["p", "s", "v1"])).unwrap();
        let (project, name, version) = path.parse().unwrap();
        assert_eq!(project.as_str(), "p");
        assert_eq!(name.as_str(), "s");
        assert_eq!(version, VersionRef::parse("v1").unwrap());
        assert!(VersionPath::from_params(params(&["p", "s"])).is_none());
        assert!(VersionPath::from_params(params(&["p", "s", "v1", "x"])).is_none());
        assert!(ProjectPath::from_params(params(&[])).is_none());
    }

    #[test]
    fn the_first_bad_parameter_in_path_order_is_the_one_reported() {
        let error = |parts: &[&str]| {
            let path = VersionPath::from_params(params(parts)).unwrap();
            let err = path.parse().unwrap_err().0;
            (err.code(), err.to_string())
        };
        let (code, message) = error(&["bad/project", "bad name", "v0x"]);
        assert_eq!(code, ErrorCode::InvalidParameter);
        assert!(message.contains("project_id"), "{message}");
        let (_, message) = error(&["p", "bad name", "v0x"]);
        assert!(message.contains("secret_name"), "{message}");
        let (_, message) = error(&["p", "s", "v0x"]);
        assert!(message.contains("version_id"), "{message}");
    }
}
