//! The HTTP surface: routes, extractors, wire types and the request middleware. Handlers
//! translate between HTTP and one service call each; they hold no business rules.

pub mod admin;
pub mod auth;
pub mod body;
mod console;
mod csms;
pub mod dto;
pub mod dto_extra;
pub mod error;
pub mod extract;
mod iam;
mod lifecycle;
pub mod middleware;
mod openapi;
pub mod operations;
mod paths;
mod peripheral;
mod secrets;
mod versions;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use tower_http::catch_panic::CatchPanicLayer;

use std::sync::Arc;

use crate::auth::Authenticator;
use crate::clock::EmulatorClock;
use crate::control::faults::FaultRules;
use crate::control::journal::Journal;
use crate::control::metrics::Metrics;
use crate::error::CsmsError;
use crate::service::CsmsService;

use self::error::ApiError;

/// What the router is built with besides the service.
#[derive(Debug, Clone)]
pub struct RouterSettings {
    pub body_limit: usize,
    /// How long a body may take to arrive.
    pub body_read_timeout: std::time::Duration,
    pub auth: Arc<Authenticator>,
    /// The project the IAM lookup answers with.
    pub project_id: String,
    pub clock: Arc<EmulatorClock>,
    pub journal: Arc<Journal>,
    pub faults: Arc<FaultRules>,
    pub metrics: Arc<Metrics>,
}

/// The full router: CSMS routes, the IAM project lookup, the emulator's own routes,
/// CSMS-shaped fallbacks for unknown paths and methods (docs/behaviour.md §5), authentication, a body limit,
/// panic capture and the request middleware.
pub fn router(service: CsmsService, settings: RouterSettings) -> Router {
    let body_limit = settings.body_limit;
    let body_rules = body::BodyRules {
        limit: body_limit,
        timeout: settings.body_read_timeout,
    };
    let auth_state = auth::AuthState {
        authenticator: settings.auth,
        body: body_rules,
    };
    let observe = middleware::ObserveState {
        journal: Arc::clone(&settings.journal),
        metrics: Arc::clone(&settings.metrics),
        clock: Arc::clone(&settings.clock),
    };
    let faults = Arc::clone(&settings.faults);
    let admin_state = admin::AdminState {
        service: service.clone(),
        clock: settings.clock,
        journal: settings.journal,
        faults: settings.faults,
        metrics: settings.metrics,
    };
    let admin_routes = admin::routes(admin_state);
    csms_routes()
        .route("/v3/projects", get(iam::list_projects))
        .fallback(route_not_found)
        .with_state(service)
        .merge(admin_routes)
        // after the merge: it applies to every route registered so far (docs/behaviour.md §5)
        .method_not_allowed_fallback(route_not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::Extension(iam::IamProject(settings.project_id)))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            faults,
            middleware::inject_faults,
        ))
        .layer(axum::middleware::from_fn_with_state(
            auth_state,
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            body_rules,
            body::limit_bodies,
        ))
        .layer(axum::middleware::from_fn_with_state(
            observe,
            middleware::request_context,
        ))
}

/// The CSMS routes (paths as in [`operations::OPERATIONS`]).
fn csms_routes() -> Router<CsmsService> {
    let secrets = "/v1/{project_id}/secrets";
    let secret = format!("{secrets}/{{secret_name}}");
    let csms = "/v1/{project_id}/csms";
    Router::new()
        .route(
            secrets,
            get(secrets::list_secrets).post(secrets::create_secret),
        )
        .route(
            &secret,
            get(secrets::show_secret)
                .put(lifecycle::update_secret)
                .delete(lifecycle::delete_secret)
                .post(secrets::post_secret_literal),
        )
        .route(
            &format!("{secret}/versions"),
            get(versions::list_secret_versions).post(versions::create_secret_version),
        )
        .route(
            &format!("{secret}/versions/"),
            get(versions::show_secret_version),
        )
        .route(
            &format!("{secret}/versions/{{version_id}}"),
            get(versions::show_secret_version).put(versions::update_version),
        )
        .route(
            &format!("{secret}/stages/{{stage_name}}"),
            get(versions::show_secret_stage)
                .put(versions::update_secret_stage)
                .delete(versions::delete_secret_stage),
        )
        .route(
            &format!("{secret}/scheduled-deleted-tasks/{{action}}"),
            post(lifecycle::scheduled_deletion),
        )
        .route(
            &format!("{secret}/backup"),
            post(lifecycle::download_secret_blob),
        )
        .route(&format!("{secret}/rotate"), post(lifecycle::rotate_secret))
        .route(
            &format!("{secret}/config"),
            get(peripheral::checker_config).post(peripheral::checker_config),
        )
        .route(&format!("{secret}/check"), post(peripheral::check_secrets))
        .route(&format!("{csms}/{{literal}}"), any(csms::csms_collection))
        .route(
            &format!("{csms}/{{first}}/{{second}}"),
            any(csms::csms_item),
        )
        .route(
            &format!("{csms}/{{secret_id}}/tags/{{key}}"),
            any(csms::csms_tag),
        )
        .route(
            "/v1/csms/agencies",
            get(peripheral::show_agency).post(peripheral::create_agency),
        )
        .route("/v1/csms/users", get(peripheral::list_users))
        .route("/v1/csms/users/{user_id}", any(peripheral::user_item))
        .route(
            "/v1/csms/function-templates",
            get(peripheral::show_secret_function_templates),
        )
}

/// Any path or method the API does not define: 404 `APIGW.0101` (docs/behaviour.md §5).
async fn route_not_found(method: Method, uri: Uri, headers: axum::http::HeaderMap) -> Response {
    if console::is_browser_navigation(&method, &uri, &headers) {
        return console::redirect_browser();
    }
    ApiError(CsmsError::RouteNotFound {
        method: method.to_string(),
        path: uri.path().to_owned(),
    })
    .into_response()
}
