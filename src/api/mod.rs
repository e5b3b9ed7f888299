//! The HTTP surface: routes, extractors, wire types and the request middleware. Handlers
//! translate between HTTP and one service call each; they hold no business rules.

pub mod dto;
pub mod error;
pub mod extract;
pub mod middleware;
mod paths;
mod secrets;
mod versions;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::CsmsError;
use crate::service::CsmsService;

use self::error::ApiError;
use self::extract::BodyLimit;

/// The full router: CSMS routes, the emulator's own routes, CSMS-shaped fallbacks for
/// unknown paths and methods (D5), a body limit, panic capture and the request middleware.
pub fn router(service: CsmsService, body_limit: usize) -> Router {
    let secrets = "/v1/{project_id}/secrets";
    Router::new()
        .route(
            secrets,
            get(secrets::list_secrets).post(secrets::create_secret),
        )
        .route(
            &format!("{secrets}/{{secret_name}}"),
            get(secrets::show_secret).post(secrets::post_secret_literal),
        )
        .route(
            &format!("{secrets}/{{secret_name}}/versions"),
            get(versions::list_secret_versions).post(versions::create_secret_version),
        )
        .route(
            &format!("{secrets}/{{secret_name}}/versions/"),
            get(versions::show_secret_version),
        )
        .route(
            &format!("{secrets}/{{secret_name}}/versions/{{version_id}}"),
            get(versions::show_secret_version),
        )
        .route(
            &format!("{secrets}/{{secret_name}}/stages/{{stage_name}}"),
            get(versions::show_secret_stage),
        )
        .route("/_emulator/health", get(health))
        .fallback(route_not_found)
        .method_not_allowed_fallback(route_not_found)
        .with_state(service)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::Extension(BodyLimit(body_limit)))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn(middleware::request_context))
}

/// `GET /_emulator/health`: 200 as soon as the server serves.
async fn health() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// Any path or method the API does not define: 404 `APIGW.0101` (D5).
async fn route_not_found(method: Method, uri: Uri) -> Response {
    ApiError(CsmsError::RouteNotFound {
        method: method.to_string(),
        path: uri.path().to_owned(),
    })
    .into_response()
}
