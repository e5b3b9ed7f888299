//! A grant's fields and their rules (`CreateGrants.json`, `UpdateGrant.json`): what a
//! validated create-grants or update-grant request holds, and a grant as it is kept.

use uuid::Uuid;

use crate::clock::Millis;
use crate::error::CsmsError;

/// One grant of a resource to a user or group, as a project keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grant {
    pub id: Uuid,
    pub resource_id: String,
    pub kind: String,
    pub grantee_type: String,
    pub grantee_id: String,
    pub validity_time: Option<i64>,
    pub create_time: Millis,
    pub update_time: Millis,
}

/// The longest `resource_id`, `grantee_target_id` and `grantee_user`.
pub const GRANT_ID_MAX_CHARS: usize = 64;

/// A validated grant request: the resource, what kind of grant, to whom, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRequest {
    pub resource_id: String,
    /// `SECRET` or `GROUP`.
    pub kind: String,
    /// `0` (user) or `2` (group).
    pub grantee_type: String,
    pub grantee_id: String,
    /// Milliseconds.
    pub validity_time: Option<i64>,
}

/// A required text of 1 to `max` characters.
pub fn bounded(raw: Option<String>, param: &'static str, max: usize) -> Result<String, CsmsError> {
    let value = raw.ok_or_else(|| CsmsError::invalid(param, "is required"))?;
    if value.is_empty() || value.chars().count() > max {
        return Err(CsmsError::invalid(
            param,
            format!("must have 1 to {max} characters"),
        ));
    }
    Ok(value)
}

/// The resource the grant queries name (`resource_id`): 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantResource(String);

impl GrantResource {
    pub fn parse(raw: Option<String>) -> Result<Self, CsmsError> {
        bounded(raw, "resource_id", GRANT_ID_MAX_CHARS).map(Self)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Delete-grant's `grantee_user`: at most 64 characters; absent or empty means every
/// grantee of the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grantee(String);

impl Grantee {
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, CsmsError> {
        match raw {
            Some(id) if id.chars().count() > GRANT_ID_MAX_CHARS => Err(CsmsError::invalid(
                "grantee_user",
                "must have at most 64 characters",
            )),
            Some(id) if !id.is_empty() => Ok(Some(Self(id.to_owned()))),
            _ => Ok(None),
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `type`: `SECRET` or `GROUP`.
pub fn parse_kind(raw: Option<&str>) -> Result<String, CsmsError> {
    match raw {
        Some(k @ ("SECRET" | "GROUP")) => Ok(k.to_owned()),
        _ => Err(CsmsError::invalid("type", "must be SECRET or GROUP")),
    }
}

/// `grantee_type`: `0` (user) or `2` (group).
pub fn parse_grantee_type(raw: Option<&str>) -> Result<String, CsmsError> {
    match raw {
        Some(t @ ("0" | "2")) => Ok(t.to_owned()),
        _ => Err(CsmsError::invalid(
            "grantee_type",
            "must be 0 (user) or 2 (group)",
        )),
    }
}

/// A grant's `validity_time` as milliseconds: a `YYYY-MM-DD` date (its first moment, UTC)
/// or a millisecond timestamp (docs/behaviour.md §38); empty means none.
pub fn parse_validity_time(raw: Option<&str>) -> Result<Option<i64>, CsmsError> {
    let Some(raw) = raw.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let invalid = || {
        CsmsError::invalid(
            "validity_time",
            "must be a date (YYYY-MM-DD) or a millisecond timestamp",
        )
    };
    if let Ok(ms) = raw.parse::<i64>() {
        return if ms >= 0 {
            Ok(Some(ms))
        } else {
            Err(invalid())
        };
    }
    if raw.len() != "YYYY-MM-DD".len() {
        return Err(invalid());
    }
    let date = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| invalid())?;
    Ok(Some(
        date.and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_times_are_dates_or_milliseconds() {
        assert_eq!(parse_validity_time(None).unwrap(), None);
        assert_eq!(parse_validity_time(Some("")).unwrap(), None);
        assert_eq!(
            parse_validity_time(Some("2030-01-01")).unwrap(),
            Some(1_893_456_000_000)
        );
        assert_eq!(parse_validity_time(Some("5")).unwrap(), Some(5));
        assert!(parse_validity_time(Some("-5")).is_err());
        assert!(parse_validity_time(Some("2030-1-1")).is_err());
        assert!(parse_kind(Some("SECRET")).is_ok() && parse_kind(Some("secret")).is_err());
        assert!(parse_grantee_type(Some("2")).is_ok() && parse_grantee_type(None).is_err());
        assert!(bounded(Some("x".repeat(64)), "p", 64).is_ok());
        assert!(bounded(Some("x".repeat(65)), "p", 64).is_err());
        assert!(bounded(None, "p", 64).is_err());
    }
}
