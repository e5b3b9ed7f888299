//! The authentication middleware (docs/behaviour.md §23). It reads the request's one classification (see
//! [`super::operations`]) and decides in this order:
//!
//! - probes (`/_emulator/health`, `/_emulator/ready`) are always served;
//! - in `off` mode the control routes are open, and a CSMS request whose signature would
//!   fail is served and logged at warn;
//! - in `enforce` mode every other route needs a credential: a valid `SDK-HMAC-SHA256`
//!   signature or `X-Auth-Token` (401 `APIGW.0301` without). A credential bound to one
//!   project may use only that project's routes (403 `APIGW.0302`), and no control route,
//!   which spans every project. The `--control-token` opens the control routes only.
//!
//! The head is checked before the body is read: a request with no credential, an unknown
//! AK or token, a stale date or a missing signed header is refused without buffering its
//! body. Failures are logged with their reason, never a key.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;

use super::body::{self, BodyRules};
use super::operations::{Classified, Reach, ReachKind};
use crate::auth::{AuthFailure, AuthMode, Authenticator, HeadCheck, Identity, RequestHead};
use crate::error::CsmsError;

/// What the middleware needs.
#[derive(Debug, Clone)]
pub struct AuthState {
    pub authenticator: Arc<Authenticator>,
    pub body: BodyRules,
}

/// Why a request is refused; `None` lets it through.
fn judge(
    mode: AuthMode,
    reach: &Reach,
    result: Result<Identity, AuthFailure>,
) -> Option<(CsmsError, String)> {
    let identity = match result {
        Ok(identity) => identity,
        Err(AuthFailure::Missing) if mode == AuthMode::Off => return None,
        Err(failure) => {
            return Some((
                CsmsError::AuthFailed(failure.to_string()),
                failure.to_string(),
            ));
        }
    };
    match reach {
        Reach::Control if identity.project.is_some() => Some((
            CsmsError::ControlForbidden,
            format!(
                "{} is bound to one project and may not use the control API",
                identity.principal
            ),
        )),
        Reach::Csms { .. } if identity.control_only => Some((
            CsmsError::AuthFailed(AuthFailure::UnknownToken.to_string()),
            "the control token opens the control API only".to_owned(),
        )),
        Reach::Csms {
            project: Some(project),
        } if identity
            .project
            .as_ref()
            .is_some_and(|bound| bound != project) =>
        {
            Some((
                CsmsError::Forbidden(project.clone()),
                format!("{} is bound to another project", identity.principal),
            ))
        }
        Reach::Control | Reach::Probe | Reach::Csms { .. } => None,
    }
}

/// Whether the request passes without a look at its credentials: a probe, a control route
/// in `off` mode, or a CSMS route while no credential is configured and nothing is
/// enforced. Told before the request is handed to [`authenticate`].
#[must_use]
pub fn passes_unchecked(state: &AuthState, classified: &Classified) -> bool {
    match classified.reach_kind() {
        ReachKind::Probe => true,
        ReachKind::Control => state.authenticator.mode == AuthMode::Off,
        ReachKind::Csms => !state.authenticator.is_active(),
    }
}

/// Checks a request [`passes_unchecked`] does not let through: lets it through (with its
/// body, if it had to be read for the signature), or answers the refusal.
pub async fn authenticate(
    state: &AuthState,
    classified: &Classified,
    request: Request,
) -> Result<Request, CsmsError> {
    let mode = state.authenticator.mode;
    let reach = classified.reach();
    let (parts, body) = request.into_parts();
    let head = RequestHead {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query().unwrap_or_default(),
        headers: &parts.headers,
    };
    let (result, body) = match state.authenticator.check_head(&head) {
        Ok(HeadCheck::Known(identity)) => (Ok(identity), body),
        Ok(HeadCheck::NeedsBody(signed)) => match body::read(body, state.body).await {
            Ok(bytes) => (signed.verify(&bytes), Body::from(bytes)),
            Err(err) => return Err(err),
        },
        Err(failure) => (Err(failure), body),
    };
    if let Some((err, reason)) = judge(mode, &reach, result) {
        let path = parts.uri.path();
        tracing::warn!(%path, reason, mode = ?mode, "authentication failed");
        if mode == AuthMode::Enforce {
            return Err(err);
        }
    }
    Ok(Request::from_parts(parts, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(project: Option<&str>, control_only: bool) -> Identity {
        Identity {
            principal: "AK".into(),
            project: project.map(str::to_owned),
            control_only,
        }
    }

    fn csms(project: &str) -> Reach {
        Reach::Csms {
            project: Some(project.to_owned()),
        }
    }

    #[test]
    fn bound_credentials_keep_to_their_project_and_off_the_control_api() {
        let enforce = AuthMode::Enforce;
        assert!(judge(enforce, &csms("a"), Ok(identity(Some("a"), false))).is_none());
        assert!(judge(enforce, &csms("b"), Ok(identity(Some("a"), false))).is_some());
        assert!(judge(enforce, &csms("b"), Ok(identity(None, false))).is_none());
        assert!(judge(enforce, &Reach::Control, Ok(identity(Some("a"), false))).is_some());
        assert!(judge(enforce, &Reach::Control, Ok(identity(None, false))).is_none());
        assert!(judge(enforce, &Reach::Control, Ok(identity(None, true))).is_none());
        assert!(judge(enforce, &csms("a"), Ok(identity(None, true))).is_some());
        assert!(judge(enforce, &csms("a"), Err(AuthFailure::Missing)).is_some());
        assert!(judge(AuthMode::Off, &csms("a"), Err(AuthFailure::Missing)).is_none());
    }
}
