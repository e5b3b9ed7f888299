//! Grants on a resource (create, update, list, delete): simple state that round-trips,
//! one grant per resource and grantee, kept in the project's settings.

use uuid::Uuid;

use crate::domain::grant::{GRANT_ID_MAX_CHARS, Grant, GrantRequest, bounded};
use crate::domain::names::ProjectId;
use crate::error::CsmsError;
use crate::store;

use super::handle::CsmsService;

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
}
