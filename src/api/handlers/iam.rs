//! The one IAM call the SDKs make when they have AK/SK and a region but no project id:
//! `GET /v3/projects?name=<region>`, answered with exactly one project.

use axum::extract::State;

use crate::api::extract::CsmsQuery;
use crate::api::json::Json;
use crate::api::wire::iam::{ProjectDto, ProjectsResponse};
use crate::api::wire::queries::KeystoneProjectsQuery;

/// The project id the lookup answers with (`--project-id`).
#[derive(Debug, Clone)]
pub struct IamProject(pub String);

/// `GET /v3/projects` — Keystone List Projects, as IAM answers it to the SDKs.
pub async fn list_projects(
    State(IamProject(id)): State<IamProject>,
    CsmsQuery(query): CsmsQuery<KeystoneProjectsQuery>,
) -> Json<ProjectsResponse> {
    let name = query.name.unwrap_or_else(|| "csms-emulator".to_owned());
    Json(ProjectsResponse {
        projects: vec![ProjectDto {
            parent_id: id.clone(),
            domain_id: id.clone(),
            id,
            name,
            description: String::new(),
            enabled: true,
            is_domain: false,
        }],
    })
}
