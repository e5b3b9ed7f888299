//! Grants on a resource (create, update, list, delete): simple state that round-trips,
//! one grant per resource and grantee, kept in the project's settings.

use uuid::Uuid;

use crate::domain::grant::{Grant, GrantRequest, GrantResource, Grantee};
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
        resource: &GrantResource,
        request: GrantRequest,
    ) -> Result<Grant, CsmsError> {
        let resource_id = resource.as_str();
        // UpdateGrant.json requires `resource_id` in the query and in the body: they must
        // name the same resource.
        if request.resource_id != resource_id {
            return Err(CsmsError::invalid(
                "resource_id",
                "in the body must be the resource_id of the query",
            ));
        }
        let grantee = &request.grantee_id;
        let exists = store::read(self.store(), project, |data| {
            data.settings
                .grants
                .get(resource_id)
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
        resource: &GrantResource,
    ) -> Result<Vec<Grant>, CsmsError> {
        store::read(self.store(), project, |data| {
            data.settings
                .grants
                .get(resource.as_str())
                .map(|g| g.values().cloned().collect())
                .unwrap_or_default()
        })
    }

    /// Delete grant, `DELETE /v1/{project_id}/csms/grants?resource_id=&grantee_user=`: one
    /// grantee's grant, or every grant of the resource without `grantee_user`.
    pub fn delete_grant(
        &self,
        project: &ProjectId,
        resource: &GrantResource,
        grantee: Option<&Grantee>,
    ) -> Result<(), CsmsError> {
        let resource_id = resource.as_str();
        let grantee = grantee.map(Grantee::as_str);
        self.write(project, |tx, _| {
            let found = tx
                .settings()
                .grants
                .get(resource_id)
                .is_some_and(|g| grantee.is_none_or(|id| g.contains_key(id)));
            if !found {
                return Err(CsmsError::NotFound {
                    kind: "grant",
                    name: resource_id.to_owned(),
                });
            }
            let grants = &mut tx.settings_mut().grants;
            match grantee {
                Some(id) => {
                    if let Some(g) = grants.get_mut(resource_id) {
                        g.remove(id);
                        if g.is_empty() {
                            grants.remove(resource_id);
                        }
                    }
                }
                None => {
                    grants.remove(resource_id);
                }
            }
            Ok(())
        })
    }
}
