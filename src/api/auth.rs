//! The authentication middleware (D23): buffers the body so the signature can cover it,
//! asks the [`Authenticator`], and in `enforce` mode answers 401 `APIGW.0301` (or 403
//! `APIGW.0302` for a project the credential is not bound to). In `off` mode a failing
//! signature is only logged at warn. Failures are logged with their reason, never a key.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{AuthFailure, AuthMode, Authenticator, Identity, RequestParts};
use crate::error::CsmsError;

use super::error::ApiError;

/// What the middleware needs.
#[derive(Debug, Clone)]
pub struct AuthState {
    pub authenticator: Arc<Authenticator>,
    pub body_limit: usize,
}

/// The project a `/v1/{project_id}/…` path names (`/v1/csms/…` names none).
fn path_project(path: &str) -> Option<&str> {
    let mut segments = path.trim_start_matches('/').split('/');
    match (segments.next(), segments.next(), segments.next()) {
        (Some("v1"), Some(project), Some(_)) if project != "csms" => Some(project),
        _ => None,
    }
}

fn refuse(mode: AuthMode, err: CsmsError, reason: &str, path: &str) -> Option<Response> {
    tracing::warn!(%path, reason, mode = ?mode, "authentication failed");
    (mode == AuthMode::Enforce).then(|| ApiError(err).into_response())
}

pub async fn authenticate(
    State(state): State<AuthState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/_emulator/") || !state.authenticator.is_active() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, state.body_limit).await else {
        return ApiError(CsmsError::BodyTooLarge {
            limit: state.body_limit,
        })
        .into_response();
    };
    let result = state.authenticator.authenticate(&RequestParts {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query().unwrap_or_default(),
        headers: &parts.headers,
        body: &bytes,
    });
    let mode = state.authenticator.mode;
    let refusal = match result {
        Ok(Identity {
            project: Some(bound),
            principal,
        }) if path_project(&path).is_some_and(|p| p != bound) => {
            let project = path_project(&path).unwrap_or_default().to_owned();
            refuse(
                mode,
                CsmsError::Forbidden(project),
                &format!("{principal} is bound to another project"),
                &path,
            )
        }
        Ok(_) => None,
        Err(AuthFailure::Missing) if mode == AuthMode::Off => None,
        Err(failure) => refuse(
            mode,
            CsmsError::AuthFailed(failure.to_string()),
            &failure.to_string(),
            &path,
        ),
    };
    if let Some(response) = refusal {
        return response;
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::path_project;

    #[test]
    fn project_ids_come_from_project_scoped_paths_only() {
        assert_eq!(path_project("/v1/p1/secrets"), Some("p1"));
        assert_eq!(path_project("/v1/p1/csms/events"), Some("p1"));
        assert_eq!(path_project("/v1/csms/users"), None);
        assert_eq!(path_project("/v3/projects"), None);
        assert_eq!(path_project("/v1/p1"), None);
    }
}
