//! Rotation function routes (global, no project in the path): the FunctionGraph agency
//! and the function templates.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsJson, CsmsQuery};
use crate::api::json::Json;
use crate::api::wire::functions::{AgencyDto, SecretTypeBody};
use crate::api::wire::queries::{AgencyQuery, FunctionTemplatesQuery};
use crate::domain::rotation::{SecretType, TemplateKind};
use crate::service::CsmsService;

/// `POST /v1/csms/agencies` — Creating an Agency.
pub async fn create_agency(
    State(service): State<CsmsService>,
    CsmsJson(body): CsmsJson<SecretTypeBody>,
) -> ApiResult<Response> {
    let (agency_name, agency_id) =
        service.create_agency(SecretType::parse_database(body.secret_type.as_deref())?)?;
    let agencies = vec![AgencyDto {
        agency_name,
        agency_id,
        error_msg: None,
    }];
    Ok(Json(serde_json::json!({ "agencies": agencies })).into_response())
}

/// `GET /v1/csms/agencies` — Querying Whether an Agency Was Granted.
pub async fn show_agency(
    State(service): State<CsmsService>,
    CsmsQuery(query): CsmsQuery<AgencyQuery>,
) -> ApiResult<Response> {
    let granted = service.show_agency(SecretType::parse_database(query.secret_type.as_deref())?)?;
    Ok(Json(serde_json::json!({ "agency_granted": granted.to_string() })).into_response())
}

/// `GET /v1/csms/function-templates` — Querying Rotation Function Templates.
pub async fn show_secret_function_templates(
    State(service): State<CsmsService>,
    CsmsQuery(query): CsmsQuery<FunctionTemplatesQuery>,
) -> ApiResult<Response> {
    let kind = TemplateKind::parse(
        query.secret_type.as_deref(),
        query.secret_sub_type.as_deref(),
        query.engine.as_deref(),
    )?;
    let templates = service.show_secret_function_templates(kind)?;
    Ok(Json(serde_json::json!({ "function_templates": templates })).into_response())
}
