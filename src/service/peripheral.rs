//! The peripheral operations: grants, agencies, users, the secrets
//! checker and function templates. Simple state that round-trips: what is created can be
//! listed, updated and deleted. Agencies and users have no project in their path and live
//! in the global namespace.

use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::grant::Grant;
use crate::domain::grant::{GRANT_ID_MAX_CHARS, GrantRequest, bounded};
use crate::domain::names::ProjectId;
use crate::domain::rotation::SecretType;
use crate::domain::user_password::PasswordDigest;
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
/// Its password until changed.
const DEFAULT_PASSWORD: &str = "csms-emulator";

/// The name of the agency for a database secret type.
fn agency_name(secret_type: SecretType) -> String {
    format!(
        "csms_{}_agency",
        secret_type.as_str().to_ascii_lowercase().replace('-', "_")
    )
}

impl CsmsService {
    /// Create grants, `POST /v1/{project_id}/csms/grants`; a second grant to the same
    /// grantee replaces the first.
    pub fn create_grants(
        &self,
        project: &ProjectId,
        request: GrantRequest,
    ) -> Result<Grant, CsmsError> {
        self.put_grant(project, request)
    }

    /// Update grant, `PUT /v1/{project_id}/csms/grants?resource_id=`.
    pub fn update_grant(
        &self,
        project: &ProjectId,
        resource_id: Option<String>,
        request: GrantRequest,
    ) -> Result<Grant, CsmsError> {
        let resource_id = bounded(resource_id, "resource_id", GRANT_ID_MAX_CHARS)?;
        // UpdateGrant.json requires `resource_id` in the query and in the body: they must
        // name the same resource.
        if request.resource_id != resource_id {
            return Err(CsmsError::invalid(
                "resource_id",
                "in the body must be the resource_id of the query",
            ));
        }
        let grantee = &request.grantee_id;
        let exists = store::read(&*self.store, project, |data| {
            data.settings
                .grants
                .get(&resource_id)
                .is_some_and(|g| g.contains_key(grantee))
        })?;
        if !exists {
            return Err(CsmsError::NotFound {
                kind: "grant",
                name: format!("{resource_id}/{grantee}"),
            });
        }
        self.put_grant(project, request)
    }

    fn put_grant(&self, project: &ProjectId, request: GrantRequest) -> Result<Grant, CsmsError> {
        let GrantRequest {
            resource_id,
            kind,
            grantee_type,
            grantee_id,
            validity_time,
        } = request;
        self.write(project, |tx, now| {
            let grants = tx
                .settings_mut()
                .grants
                .entry(resource_id.clone())
                .or_default();
            let create_time = grants.get(&grantee_id).map_or(now, |g| g.create_time);
            let id = grants.get(&grantee_id).map_or_else(Uuid::new_v4, |g| g.id);
            let grant = Grant {
                id,
                resource_id: resource_id.clone(),
                kind,
                grantee_type,
                grantee_id: grantee_id.clone(),
                validity_time,
                create_time,
                update_time: now,
            };
            grants.insert(grantee_id, grant.clone());
            Ok(grant)
        })
    }

    /// List grants, `GET /v1/{project_id}/csms/grants?resource_id=`.
    pub fn list_grants(
        &self,
        project: &ProjectId,
        resource_id: Option<String>,
    ) -> Result<Vec<Grant>, CsmsError> {
        let resource_id = bounded(resource_id, "resource_id", GRANT_ID_MAX_CHARS)?;
        store::read(&*self.store, project, |data| {
            data.settings
                .grants
                .get(&resource_id)
                .map(|g| g.values().cloned().collect())
                .unwrap_or_default()
        })
    }

    /// Delete grant, `DELETE /v1/{project_id}/csms/grants?resource_id=&grantee_user=`: one
    /// grantee's grant, or every grant of the resource without `grantee_user`.
    pub fn delete_grant(
        &self,
        project: &ProjectId,
        resource_id: Option<String>,
        grantee: Option<&str>,
    ) -> Result<(), CsmsError> {
        let resource_id = bounded(resource_id, "resource_id", GRANT_ID_MAX_CHARS)?;
        if grantee.is_some_and(|g| g.chars().count() > GRANT_ID_MAX_CHARS) {
            return Err(CsmsError::invalid(
                "grantee_user",
                "must have at most 64 characters",
            ));
        }
        self.write(project, |tx, _| {
            let found = tx.settings().grants.get(&resource_id).is_some_and(|g| {
                grantee
                    .filter(|g| !g.is_empty())
                    .is_none_or(|id| g.contains_key(id))
            });
            if !found {
                return Err(CsmsError::NotFound {
                    kind: "grant",
                    name: resource_id.clone(),
                });
            }
            let grants = &mut tx.settings_mut().grants;
            match grantee.filter(|g| !g.is_empty()) {
                Some(id) => {
                    if let Some(g) = grants.get_mut(&resource_id) {
                        g.remove(id);
                        if g.is_empty() {
                            grants.remove(&resource_id);
                        }
                    }
                }
                None => {
                    grants.remove(&resource_id);
                }
            }
            Ok(())
        })
    }

    /// Create agency, `POST /v1/csms/agencies`: returns `(agency_name, agency_id)`.
    pub fn create_agency(&self, secret_type: SecretType) -> Result<(String, String), CsmsError> {
        let name = agency_name(secret_type);
        self.write(&ProjectId::global(), |tx, _| {
            let id = tx
                .settings_mut()
                .agencies
                .entry(name.clone())
                .or_insert_with(|| Uuid::new_v4().simple().to_string())
                .clone();
            Ok((name, id))
        })
    }

    /// Show agency, `GET /v1/csms/agencies?secret_type=`: whether one was created.
    pub fn show_agency(&self, secret_type: SecretType) -> Result<bool, CsmsError> {
        let name = agency_name(secret_type);
        store::read(&*self.store, &ProjectId::global(), |data| {
            data.settings.agencies.contains_key(&name)
        })
    }

    /// List users, `GET /v1/csms/users`: `offset` ≥ 0, `limit` 10–100, `user_info` filter.
    pub fn list_users(
        &self,
        offset: Option<i64>,
        limit: Option<i64>,
        user_info: Option<&str>,
    ) -> Result<Vec<UserView>, CsmsError> {
        let offset = offset.ok_or_else(|| CsmsError::invalid("offset", "is required"))?;
        let limit = limit.ok_or_else(|| CsmsError::invalid("limit", "is required"))?;
        if offset < 0 {
            return Err(CsmsError::invalid("offset", "must not be negative"));
        }
        if !(10..=100).contains(&limit) {
            return Err(CsmsError::invalid("limit", "must be from 10 to 100"));
        }
        let matches = user_info.is_none_or(|f| USER.user_name.contains(f));
        Ok(if matches && offset == 0 {
            vec![self.user_view()?]
        } else {
            Vec::new()
        })
    }

    fn user_view(&self) -> Result<UserView, CsmsError> {
        let changed = store::read(&*self.store, &ProjectId::global(), |data| {
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
    pub fn update_user_password(
        &self,
        password: Option<String>,
        old_password: Option<String>,
    ) -> Result<&'static str, CsmsError> {
        let password = password
            .filter(|p| !p.is_empty())
            .ok_or_else(|| CsmsError::invalid("password", "is required"))?;
        let old = old_password.ok_or_else(|| CsmsError::invalid("old_password", "is required"))?;
        // Argon2 is slow on purpose: hash and verify outside the transaction, then commit
        // only if no other change came in between.
        let global = ProjectId::global();
        let current = store::read(&*self.store, &global, |data| {
            data.settings.user_password.clone()
        })?;
        let matches = match &current {
            Some(digest) => digest.matches(&old),
            None => old == DEFAULT_PASSWORD,
        };
        if !matches {
            return Err(CsmsError::invalid("old_password", "does not match"));
        }
        let digest = PasswordDigest::of(&password)?;
        self.write(&global, |tx, now| {
            if tx.settings().user_password != current {
                return Err(CsmsError::invalid("old_password", "does not match"));
            }
            tx.settings_mut().user_password = Some(digest);
            tx.settings_mut().user_password_changed_at = Some(now);
            Ok(USER.user_id)
        })
    }

    /// Show checker config, `GET /v1/{project_id}/secrets/checker/config`.
    pub fn show_secrets_config(&self, project: &ProjectId) -> Result<bool, CsmsError> {
        store::read(&*self.store, project, |data| {
            data.settings.checking_secret_strength
        })
    }

    /// Update checker config, `POST /v1/{project_id}/secrets/checker/config`.
    pub fn update_secrets_config(
        &self,
        project: &ProjectId,
        checking: Option<bool>,
    ) -> Result<bool, CsmsError> {
        let checking = checking
            .ok_or_else(|| CsmsError::invalid("checking_secret_strength", "is required"))?;
        self.write(project, |tx, _| {
            tx.settings_mut().checking_secret_strength = checking;
            Ok(checking)
        })
    }

    /// Check secrets, `POST /v1/{project_id}/secrets/checker/check`: the emulator finds
    /// nothing to report; `type` is required.
    /// Check secrets: `type` and a JSON object `data` are required (CheckSecrets.json);
    /// the answer echoes both.
    pub fn check_secrets(
        &self,
        kind: Option<&str>,
        data: Option<serde_json::Value>,
    ) -> Result<(String, serde_json::Value), CsmsError> {
        let kind = kind
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| CsmsError::invalid("type", "is required"))?;
        match data {
            Some(data @ serde_json::Value::Object(_)) => Ok((kind, data)),
            Some(_) => Err(CsmsError::invalid("data", "must be a JSON object")),
            None => Err(CsmsError::invalid("data", "is required")),
        }
    }

    /// Function templates, `GET /v1/csms/function-templates`.
    pub fn show_secret_function_templates(
        &self,
        secret_type: SecretType,
        sub_type: Option<&str>,
        engine: Option<&str>,
    ) -> Result<String, CsmsError> {
        let secret_type = secret_type.as_str();
        let Some(sub_type @ ("SingleUser" | "MultiUser")) = sub_type else {
            return Err(CsmsError::invalid(
                "secret_sub_type",
                "must be SingleUser or MultiUser",
            ));
        };
        let engine = match (secret_type, engine) {
            (_, Some(e @ ("mysql" | "postgresql" | "sqlserver"))) => e,
            ("RDS-FG", _) => {
                return Err(CsmsError::invalid(
                    "engine",
                    "must be mysql, postgresql or sqlserver for RDS-FG",
                ));
            }
            (_, None) => "mysql",
            (_, Some(_)) => {
                return Err(CsmsError::invalid(
                    "engine",
                    "must be mysql, postgresql or sqlserver",
                ));
            }
        };
        Ok(format!(
            "# csms-emulator rotation function template\n# secret_type={secret_type} secret_sub_type={sub_type} engine={engine}\ndef handler(event, context):\n    return {{\"status\": \"ok\"}}\n"
        ))
    }
}
