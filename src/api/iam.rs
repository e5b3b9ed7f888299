//! The one IAM call the SDKs make when they have AK/SK and a region but no project id
//!: `GET /v3/projects?name=<region>`, answered with exactly one project.

use crate::api::json::Json;
use axum::extract::State;
use serde::Serialize;

use super::extract::CsmsQuery;
use super::wire::queries::KeystoneProjectsQuery;

/// The project id the lookup answers with (`--project-id`).
#[derive(Debug, Clone)]
pub struct IamProject(pub String);

#[derive(Debug, Serialize)]
pub struct ProjectDto {
    pub id: String,
    pub name: String,
    pub domain_id: String,
    pub parent_id: String,
    pub description: String,
    pub enabled: bool,
    pub is_domain: bool,
}

#[derive(Debug, Serialize)]
pub struct ProjectsResponse {
    pub projects: Vec<ProjectDto>,
}

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
