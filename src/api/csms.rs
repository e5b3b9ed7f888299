//! Routes under `/v1/{project_id}/csms/…`: events, notification records, tasks, password
//! generation, grants, tags and the tag search. Their first segment is either a literal
//! (`events`, `tags`, `tasks`, …) or a secret id, so each route tells them apart here.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::domain::names::{EventName, ProjectId};
use crate::domain::password::PasswordPolicy;
use crate::error::CsmsError;
use crate::service::{
    CreateEventInput, CsmsService, GrantInput, ListTasksInput, ResourceFilterInput, TagActionInput,
    UpdateEventInput,
};

use super::dto_extra::{
    CreateTagBody, EventResponse, GrantResponse, ListEventsResponse, ListGrantsResponse,
    ListRecordsResponse, ListTasksResponse, PasswordBody, PasswordResponse, ProjectTagsResponse,
    ResourcesResponse, SecretTagsResponse,
};
use super::error::{ApiError, ApiResult};
use super::extract::{CsmsJson, CsmsPath, CsmsQuery, OptionalJson};

/// Every query parameter the `/csms/` operations take.
#[derive(Debug, Default, Deserialize)]
pub struct CsmsQueryParams {
    pub limit: Option<String>,
    pub marker: Option<String>,
    pub secret_name: Option<String>,
    pub status: Option<String>,
    pub task_id: Option<String>,
    pub resource_id: Option<String>,
    pub grantee_user: Option<String>,
}

fn not_found(method: &Method, request_path: &str) -> ApiError {
    ApiError(CsmsError::RouteNotFound {
        method: method.to_string(),
        path: request_path.to_owned(),
    })
}

fn event_response(event: &crate::domain::event::Event) -> Response {
    Json(EventResponse {
        event: event.into(),
    })
    .into_response()
}

async fn body<T: serde::de::DeserializeOwned>(request: Request) -> ApiResult<T> {
    let CsmsJson(body) = CsmsJson::<T>::from_request(request, &()).await?;
    Ok(body)
}

/// `/v1/{project_id}/csms/{literal}`.
pub async fn csms_collection(
    State(service): State<CsmsService>,
    CsmsPath((project_id, literal)): CsmsPath<(String, String)>,
    CsmsQuery(query): CsmsQuery<CsmsQueryParams>,
    request: Request,
) -> ApiResult<Response> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let project = ProjectId::parse(&project_id)?;
    match (method.as_str(), literal.as_str()) {
        ("GET", "tags") => Ok(Json(ProjectTagsResponse::from(
            service.list_project_secrets_tags(&project)?,
        ))
        .into_response()),
        ("GET", "events") => Ok(Json(ListEventsResponse::from(service.list_secret_events(
            &project,
            query.limit.as_deref(),
            query.marker.as_deref(),
        )?))
        .into_response()),
        ("POST", "events") => {
            let input: CreateEventInput = body(request).await?;
            let event = service.create_secret_event(&project, input)?;
            Ok(event_response(&event))
        }
        ("GET", "tasks") => {
            let input = ListTasksInput {
                secret_name: query.secret_name,
                status: query.status,
                task_id: query.task_id,
                limit: query.limit,
                marker: query.marker,
            };
            Ok(Json(ListTasksResponse::from(
                service.list_secret_tasks(&project, &input)?,
            ))
            .into_response())
        }
        ("GET", "notification-records") => Ok(Json(ListRecordsResponse::from(
            service.list_notification_records(
                &project,
                query.limit.as_deref(),
                query.marker.as_deref(),
            )?,
        ))
        .into_response()),
        ("POST", "generate-password") => {
            let OptionalJson(input) =
                OptionalJson::<PasswordBody>::from_request(request, &()).await?;
            let b = input.unwrap_or_default();
            // a field left out keeps the domain's default
            let d = PasswordPolicy::default();
            let policy = PasswordPolicy {
                length: b.length.or(d.length),
                exclude_characters: b.exclude_characters.unwrap_or(d.exclude_characters),
                exclude_lowercase: b.exclude_lowercase.unwrap_or(d.exclude_lowercase),
                exclude_uppercase: b.exclude_uppercase.unwrap_or(d.exclude_uppercase),
                exclude_numbers: b.exclude_numbers.unwrap_or(d.exclude_numbers),
                exclude_punctuation: b.exclude_punctuation.unwrap_or(d.exclude_punctuation),
                include_space: b.include_space.unwrap_or(d.include_space),
                require_each_included_type: b
                    .require_each_included_type
                    .unwrap_or(d.require_each_included_type),
            };
            let password = service.generate_random_password(&policy)?;
            Ok(Json(PasswordResponse { password }).into_response())
        }
        ("POST", "grants") => {
            let input: GrantInput = body(request).await?;
            Ok(Json(GrantResponse::from(service.create_grants(&project, input)?)).into_response())
        }
        ("PUT", "grants") => {
            let input: GrantInput = body(request).await?;
            Ok(Json(GrantResponse::from(service.update_grant(
                &project,
                query.resource_id,
                input,
            )?))
            .into_response())
        }
        ("GET", "grants") => {
            let resource = query.resource_id.clone();
            let grants = service.list_grants(&project, query.resource_id)?;
            Ok(Json(ListGrantsResponse::new(
                resource.unwrap_or_default(),
                &grants,
            ))
            .into_response())
        }
        ("DELETE", "grants") => {
            service.delete_grant(&project, query.resource_id, query.grantee_user.as_deref())?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(not_found(&method, &path)),
    }
}

/// `/v1/{project_id}/csms/{first}/{second}`: events by name, a secret's tags, the search.
pub async fn csms_item(
    State(service): State<CsmsService>,
    CsmsPath((project_id, first, second)): CsmsPath<(String, String, String)>,
    request: Request,
) -> ApiResult<Response> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let project = ProjectId::parse(&project_id)?;
    match (method.as_str(), first.as_str(), second.as_str()) {
        ("GET", "events", name) => {
            let name = EventName::parse("event_name", name)?;
            let event = service.show_secret_event(&project, &name)?;
            Ok(event_response(&event))
        }
        ("PUT", "events", name) => {
            let name = EventName::parse("event_name", name)?;
            let input: UpdateEventInput = body(request).await?;
            let event = service.update_secret_event(&project, &name, input)?;
            Ok(event_response(&event))
        }
        ("DELETE", "events", name) => {
            let name = EventName::parse("event_name", name)?;
            service.delete_secret_event(&project, &name)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        ("GET", secret_id, "tags") => {
            let secret = service.list_secret_tags(&project, secret_id)?;
            Ok(Json(SecretTagsResponse::from(&*secret)).into_response())
        }
        ("POST", secret_id, "tags") => {
            let input: CreateTagBody = body(request).await?;
            service.create_secret_tag(&project, secret_id, input.tag)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        ("POST", "resource_instances", "action") => {
            let input: ResourceFilterInput = body(request).await?;
            let page = service.list_resource_instances(&project, &input)?;
            Ok(Json(ResourcesResponse::new(page.resources, page.total_count)).into_response())
        }
        _ => Err(not_found(&method, &path)),
    }
}

/// `/v1/{project_id}/csms/{secret_id}/tags/{key}`: POST `action` is the batch tag action,
/// DELETE removes one key.
pub async fn csms_tag(
    State(service): State<CsmsService>,
    CsmsPath((project_id, secret_id, key)): CsmsPath<(String, String, String)>,
    request: Request,
) -> ApiResult<Response> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let project = ProjectId::parse(&project_id)?;
    match (method.as_str(), key.as_str()) {
        ("POST", "action") => {
            let input: TagActionInput = body(request).await?;
            service.batch_create_or_delete_tags(&project, &secret_id, input)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        ("DELETE", key) => {
            service.delete_secret_tag(&project, &secret_id, key)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(not_found(&method, &path)),
    }
}
