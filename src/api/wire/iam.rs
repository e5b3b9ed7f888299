//! IAM project wire types: the one Keystone answer the SDKs read.

use serde::Serialize;

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
