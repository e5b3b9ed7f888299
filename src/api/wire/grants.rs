//! Grant wire types: the create/update body and its parse, and the grant and grant-list
//! answers.

use serde::{Deserialize, Serialize};

use super::queries::{DeleteGrantQuery, GrantQuery};
use crate::domain::grant::{self, GRANT_ID_MAX_CHARS, Grant, GrantRequest, GrantResource, Grantee};
use crate::error::CsmsError;

/// The body of create-grants and update-grant.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct GrantBody {
    /// The secret's id.
    #[schemars(required, length(min = 1, max = GRANT_ID_MAX_CHARS))]
    pub resource_id: Option<String>,
    #[serde(rename = "type")]
    #[schemars(required, extend("enum" = ["SECRET", "GROUP"]))]
    pub kind: Option<String>,
    /// `0` a user, `2` a group.
    #[schemars(required, extend("enum" = ["0", "2"]))]
    pub grantee_type: Option<String>,
    #[schemars(required, length(min = 1, max = GRANT_ID_MAX_CHARS))]
    pub grantee_target_id: Option<String>,
    /// The SDKs send a date (`2030-01-01`, `format: date`); a millisecond timestamp is
    /// taken too (docs/behaviour.md §38).
    #[schemars(extend("format" = "date"))]
    pub validity_time: Option<String>,
}

impl TryFrom<GrantBody> for GrantRequest {
    type Error = CsmsError;

    fn try_from(body: GrantBody) -> Result<Self, CsmsError> {
        Ok(Self {
            resource_id: grant::bounded(body.resource_id, "resource_id", GRANT_ID_MAX_CHARS)?,
            kind: grant::parse_kind(body.kind.as_deref())?,
            grantee_type: grant::parse_grantee_type(body.grantee_type.as_deref())?,
            grantee_id: grant::bounded(
                body.grantee_target_id,
                "grantee_target_id",
                GRANT_ID_MAX_CHARS,
            )?,
            validity_time: grant::parse_validity_time(body.validity_time.as_deref())?,
        })
    }
}

/// `GrantData` (camelCase keys, as the SDK models them).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantDataDto {
    pub uuid: String,
    pub resource_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub grantee_user: String,
    pub create_time: i64,
    pub update_time: i64,
    pub validity_time: Option<i64>,
    pub state: u8,
    pub signature: String,
}

/// `{"data": GrantData}`.
#[derive(Debug, Serialize)]
pub struct GrantResponse {
    pub data: GrantDataDto,
}

impl From<Grant> for GrantResponse {
    fn from(g: Grant) -> Self {
        Self {
            data: GrantDataDto {
                uuid: g.id.to_string(),
                resource_id: g.resource_id,
                kind: g.kind,
                grantee_user: g.grantee_id,
                create_time: g.create_time,
                update_time: g.update_time,
                validity_time: g.validity_time,
                state: 1,
                signature: String::new(),
            },
        }
    }
}

/// `GrantUserInfo`.
#[derive(Debug, Serialize)]
pub struct GrantUserDto {
    pub user_id: String,
    pub user_name: String,
    pub create_time: i64,
    pub validity_time: Option<i64>,
}

/// `GrantDTO`.
#[derive(Debug, Serialize)]
pub struct GrantListDto {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub grantee_user: Vec<GrantUserDto>,
    pub create_time: i64,
    pub update_time: i64,
}

/// `{"data": GrantDTO}`.
#[derive(Debug, Serialize)]
pub struct ListGrantsResponse {
    pub data: GrantListDto,
}

impl ListGrantsResponse {
    #[must_use]
    pub fn new(resource_id: String, grants: &[Grant]) -> Self {
        Self {
            data: GrantListDto {
                id: resource_id.clone(),
                name: resource_id,
                kind: grants.first().map(|g| g.kind.clone()).unwrap_or_default(),
                grantee_user: grants
                    .iter()
                    .map(|g| GrantUserDto {
                        user_id: g.grantee_id.clone(),
                        user_name: g.grantee_id.clone(),
                        create_time: g.create_time,
                        validity_time: g.validity_time,
                    })
                    .collect(),
                create_time: grants.iter().map(|g| g.create_time).min().unwrap_or(0),
                update_time: grants.iter().map(|g| g.update_time).max().unwrap_or(0),
            },
        }
    }
}

impl GrantQuery {
    /// The resource whose grants the request reaches.
    pub fn resource(&self) -> Result<GrantResource, CsmsError> {
        GrantResource::parse(self.resource_id.clone())
    }
}

impl DeleteGrantQuery {
    /// The resource, and the one grantee whose grant goes (none: every grant).
    pub fn parse(&self) -> Result<(GrantResource, Option<Grantee>), CsmsError> {
        let resource = GrantResource::parse(self.resource_id.clone())?;
        Ok((
            resource,
            Grantee::parse_optional(self.grantee_user.as_deref())?,
        ))
    }
}
