//! IAM user wire types: the change-password body and the user-list and user-detail
//! answers, in the two shapes Huawei's models give.

use serde::{Deserialize, Serialize};

use super::input::required;
use super::queries::ListUsersQuery;
use crate::error::CsmsError;
use crate::service::{PasswordChange, UserFilter, UserView};

/// A time as the user APIs give it: `2022-03-31 16:46:02.964` (UTC).
fn user_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

/// `UserOrgRelationListResult`.
#[derive(Debug, Serialize)]
pub struct UserOrgRelationDto {
    pub org_id: &'static str,
    pub relation_type: &'static str,
}

/// The fields both user answers share, in the form both models give them.
#[derive(Debug, Serialize)]
pub struct UserCommonDto {
    pub user_id: &'static str,
    pub org_id: &'static str,
    pub user_name: &'static str,
    pub name: &'static str,
    pub mobile: &'static str,
    pub email: &'static str,
    pub pwd_must_modify: bool,
    pub pwd_change_at: String,
    pub created_at: String,
    pub updated_at: String,
    pub locked: &'static str,
    pub user_org_relation_list: Vec<UserOrgRelationDto>,
}

impl From<&UserView> for UserCommonDto {
    fn from(v: &UserView) -> Self {
        Self {
            user_id: v.user.user_id,
            org_id: v.user.org_id,
            user_name: v.user.user_name,
            name: v.user.user_name,
            mobile: "",
            email: "",
            pwd_must_modify: false,
            pwd_change_at: user_time(v.password_changed_at),
            created_at: user_time(v.created_at),
            updated_at: user_time(v.password_changed_at.max(v.created_at)),
            locked: "false",
            user_org_relation_list: vec![UserOrgRelationDto {
                org_id: v.user.org_id,
                relation_type: "1",
            }],
        }
    }
}

/// A `users[]` item of list-users: `UsersDetailsResult`, whose `disabled`, `grade` and
/// `extension` are strings and which has no `domain_id`.
#[derive(Debug, Serialize)]
pub struct UserListItemDto {
    #[serde(flatten)]
    pub common: UserCommonDto,
    pub disabled: &'static str,
    pub grade: &'static str,
    pub extension: &'static str,
}

impl From<&UserView> for UserListItemDto {
    fn from(v: &UserView) -> Self {
        Self {
            common: v.into(),
            disabled: "false",
            grade: "1",
            extension: "{}",
        }
    }
}

/// The answer of user-detail: `ShowUserDetailResponse`, whose `disabled` is a boolean,
/// `grade` an integer and `extension` an object, with `domain_id`.
#[derive(Debug, Serialize)]
pub struct UserDetailDto {
    #[serde(flatten)]
    pub common: UserCommonDto,
    pub disabled: bool,
    pub grade: u8,
    pub extension: serde_json::Value,
    pub domain_id: &'static str,
}

impl From<&UserView> for UserDetailDto {
    fn from(v: &UserView) -> Self {
        Self {
            common: v.into(),
            disabled: false,
            grade: 1,
            extension: serde_json::json!({}),
            domain_id: crate::service::DOMAIN_ID,
        }
    }
}

#[derive(Default, Deserialize, schemars::JsonSchema)]
pub struct PasswordChangeBody {
    #[schemars(required, length(min = 1))]
    pub password: Option<String>,
    #[schemars(required)]
    pub old_password: Option<String>,
}

impl std::fmt::Debug for PasswordChangeBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::value::redacted;
        f.debug_struct("PasswordChangeBody")
            .field("password", &redacted(self.password.as_deref()))
            .field("old_password", &redacted(self.old_password.as_deref()))
            .finish()
    }
}

impl ListUsersQuery {
    /// `offset` ≥ 0 and `limit` 10–100 are required (ListUsers.json); the emulator has
    /// one user, so the limit only has to be valid.
    pub fn parse(&self) -> Result<UserFilter, CsmsError> {
        let offset = required(self.offset, "offset")?;
        let limit = required(self.limit, "limit")?;
        let offset = u64::try_from(offset)
            .map_err(|_| CsmsError::invalid("offset", "must not be negative"))?;
        if !(10..=100).contains(&limit) {
            return Err(CsmsError::invalid("limit", "must be from 10 to 100"));
        }
        Ok(UserFilter {
            offset,
            user_info: self.user_info.clone(),
        })
    }
}

impl PasswordChangeBody {
    /// The new password (not empty) and the old one, both required.
    pub fn parse(self) -> Result<PasswordChange, CsmsError> {
        let password = self
            .password
            .filter(|p| !p.is_empty())
            .ok_or_else(|| CsmsError::invalid("password", "is required"))?;
        Ok(PasswordChange {
            password,
            old_password: required(self.old_password, "old_password")?,
        })
    }
}
