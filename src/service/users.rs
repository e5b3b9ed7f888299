//! The emulated account and its one user: list users, show user detail, change the
//! user's password (kept as a digest only). Users have no project in their path and live
//! in the global namespace.

use crate::clock::Millis;
use crate::domain::names::ProjectId;
use crate::domain::password::PasswordDigest;
use crate::error::CsmsError;
use crate::store;

use super::handle::CsmsService;

/// The one user the emulator knows.
#[derive(Debug, Clone)]
pub struct UserInfo {
    pub user_id: &'static str,
    pub user_name: &'static str,
    pub org_id: &'static str,
}

/// The emulated user as users and user-detail report it: who, and when its account and
/// password last changed.
#[derive(Debug, Clone)]
pub struct UserView {
    pub user: UserInfo,
    /// When the account was created: [`USER_CREATED_AT`].
    pub created_at: Millis,
    /// When the password was last changed (the creation time until it is).
    pub password_changed_at: Millis,
}

/// When the emulated user was created: 2024-01-01T00:00:00Z, a fixed moment, as the
/// account of a real tenant is older than any test.
pub const USER_CREATED_AT: Millis = 1_704_067_200_000;

/// The tenant (domain) the emulated account belongs to: the `domain_id` of its secrets and
/// of its user.
pub const DOMAIN_ID: &str = "9a6e2b1c4d3f40e58a7b6c5d4e3f2a1b";

/// The emulated user.
pub const USER: UserInfo = UserInfo {
    user_id: "5f8a1e2bd2c94e7f9b3c6d0a1e2f3a4b",
    user_name: "csms-emulator",
    org_id: "0",
};
/// What list-users asks for: the first user to answer (offset) and a fragment of the
/// user name, if any.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub offset: u64,
    pub user_info: Option<String>,
}

/// A change of the user's password: the new one (not empty) and the old one. `Debug`
/// shows neither.
#[derive(Clone)]
pub struct PasswordChange {
    pub password: String,
    pub old_password: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { <redacted> }")
    }
}

/// Its password until changed.
const DEFAULT_PASSWORD: &str = "csms-emulator";

impl CsmsService {
    /// List users, `GET /v1/csms/users`: the one user, if the filter matches it and the
    /// page starts at it.
    pub fn list_users(&self, filter: &UserFilter) -> Result<Vec<UserView>, CsmsError> {
        let matches = filter
            .user_info
            .as_deref()
            .is_none_or(|f| USER.user_name.contains(f));
        Ok(if matches && filter.offset == 0 {
            vec![self.user_view()?]
        } else {
            Vec::new()
        })
    }

    fn user_view(&self) -> Result<UserView, CsmsError> {
        let changed = store::read(self.store(), &ProjectId::global(), |data| {
            data.settings.user_password_changed_at
        })?;
        Ok(UserView {
            user: USER,
            created_at: USER_CREATED_AT,
            password_changed_at: changed.unwrap_or(USER_CREATED_AT),
        })
    }

    /// Show user detail, `GET /v1/csms/users/{user_id}`.
    pub fn show_user_detail(&self, user_id: &str) -> Result<UserView, CsmsError> {
        if user_id == USER.user_id {
            self.user_view()
        } else {
            Err(CsmsError::NotFound {
                kind: "user",
                name: user_id.to_owned(),
            })
        }
    }

    /// Change password, `POST /v1/csms/users/change-password`: the old one must match.
    pub fn update_user_password(&self, change: &PasswordChange) -> Result<&'static str, CsmsError> {
        let (password, old) = (&change.password, &change.old_password);
        // Argon2 is slow on purpose: hash and verify outside the transaction, then commit
        // only if no other change came in between.
        let global = ProjectId::global();
        let current = store::read(self.store(), &global, |data| {
            data.settings.user_password.clone()
        })?;
        let matches = match &current {
            Some(digest) => digest.matches(old),
            None => old == DEFAULT_PASSWORD,
        };
        if !matches {
            return Err(CsmsError::invalid("old_password", "does not match"));
        }
        let digest = PasswordDigest::of(password)?;
        self.write(&global, |tx, now| {
            if tx.settings().user_password != current {
                return Err(CsmsError::invalid("old_password", "does not match"));
            }
            tx.settings_mut().user_password = Some(digest);
            tx.settings_mut().user_password_changed_at = Some(now);
            Ok(USER.user_id)
        })
    }
}
