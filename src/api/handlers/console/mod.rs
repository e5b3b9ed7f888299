//! The web console at `/_emulator/ui/`: one static page, its script and its style, embedded
//! in the binary, over the JSON routes the API already has, plus the two read-only control
//! routes it browses with (`/_emulator/projects…`). It holds no rules: every action goes
//! through the same routes, and so the same service calls, credentials and journal, as a
//! client's.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};

use crate::api::error::ApiResult;
use crate::api::extract::{CsmsPath, CsmsQuery};
use crate::api::handlers::control::AdminState;
use crate::api::json::Json;
use crate::api::wire::queries::BrowseQuery;
use crate::domain::names::ProjectId;
use crate::error::CsmsError;
use crate::service::BrowsePage;

/// Where the console lives.
pub const CONSOLE_PATH: &str = "/_emulator/ui/";

const INDEX_HTML: &str = include_str!("index.html");
const CONSOLE_JS: &str = include_str!("console.js");
const CONSOLE_CSS: &str = include_str!("console.css");

/// A page or asset: its text and media type; never cached, so an upgraded binary's
/// console loads at once.
fn asset_response(media_type: &'static str, body: &'static str) -> Response {
    (
        [(CONTENT_TYPE, media_type), (CACHE_CONTROL, "no-store")],
        body,
    )
        .into_response()
}

/// `GET /_emulator/ui/`: the console page.
pub async fn index() -> Response {
    asset_response("text/html; charset=utf-8", INDEX_HTML)
}

/// `GET /_emulator/ui`: to the page, whose relative links need the trailing slash.
pub async fn to_console() -> Redirect {
    Redirect::permanent(CONSOLE_PATH)
}

/// `GET /_emulator/ui/{asset}`: the script and the style.
pub async fn asset(CsmsPath(name): CsmsPath<String>, method: Method, uri: Uri) -> Response {
    match name.as_str() {
        "console.js" => asset_response("text/javascript; charset=utf-8", CONSOLE_JS),
        "console.css" => asset_response("text/css; charset=utf-8", CONSOLE_CSS),
        _ => crate::api::error::ApiError(CsmsError::RouteNotFound {
            method: method.to_string(),
            path: uri.path().to_owned(),
        })
        .into_response(),
    }
}

/// Whether a request for `/` comes from a browser navigating (it asks for HTML first);
/// API clients never call `/`, and their answer stays the 404 every unknown path gets.
#[must_use]
pub fn is_browser_navigation(method: &Method, uri: &Uri, headers: &HeaderMap) -> bool {
    method == Method::GET
        && uri.path() == "/"
        && headers
            .get(axum::http::header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}

/// `GET /` from a browser: to the console.
#[must_use]
pub fn redirect_browser() -> Response {
    (
        StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, CONSOLE_PATH)],
    )
        .into_response()
}

/// `GET /_emulator/projects`: `{"projects": [{"project_id", "secrets"}]}`.
pub async fn list_projects(State(state): State<AdminState>) -> ApiResult<Json<serde_json::Value>> {
    let projects: Vec<serde_json::Value> = state
        .service
        .browse_projects()?
        .into_iter()
        .map(|(project_id, secrets)| serde_json::json!({"project_id": project_id, "secrets": secrets}))
        .collect();
    Ok(Json(serde_json::json!({ "projects": projects })))
}

/// `GET /_emulator/projects/{project_id}/secrets?name=&state=&type=&tag=&offset=&limit=`.
pub async fn browse_secrets(
    State(state): State<AdminState>,
    CsmsPath(project_id): CsmsPath<String>,
    CsmsQuery(query): CsmsQuery<BrowseQuery>,
) -> ApiResult<Json<BrowsePage>> {
    let project = ProjectId::parse(&project_id)?;
    Ok(Json(
        state.service.browse_secrets(&project, &query.try_into()?)?,
    ))
}
