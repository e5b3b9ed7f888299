//! The control API of SMN deliveries (docs/behaviour.md §57): the signing certificate
//! (open, as SMN's is), subscriptions added, listed and removed at run time, and the
//! latest delivery attempts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{CsmsJson, CsmsPath};
use crate::api::handlers::control::AdminState;
use crate::api::json::Json;
use crate::api::wire::smn::{DeliveriesDto, SubscriptionBody, SubscriptionsDto};
use crate::error::CsmsError;
use crate::smn::subscriptions::Subscription;

/// `GET /_emulator/smn/signing-cert.pem`: the X.509 certificate `signing_cert_url` names.
pub async fn signing_cert(State(state): State<AdminState>) -> ApiResult<Response> {
    let signer = state.smn.signer().await.map_err(CsmsError::Internal)?;
    Ok((
        [(CONTENT_TYPE, "application/x-pem-file")],
        signer.cert_pem().to_owned(),
    )
        .into_response())
}

/// `GET /_emulator/smn/subscriptions`.
pub async fn list_subscriptions(State(state): State<AdminState>) -> Json<SubscriptionsDto> {
    Json(SubscriptionsDto {
        subscriptions: state.smn.subscriptions().list(),
    })
}

/// `POST /_emulator/smn/subscriptions`: confirmed at once (§57); records already pending
/// for the topic go to it too.
pub async fn add_subscription(
    State(state): State<AdminState>,
    CsmsJson(body): CsmsJson<SubscriptionBody>,
) -> ApiResult<(StatusCode, Json<Subscription>)> {
    let subscription = state.smn.subscriptions().add(&body.parse()?, "api");
    keep(&state)?;
    state.smn.wake();
    Ok((StatusCode::CREATED, Json(subscription)))
}

/// `DELETE /_emulator/smn/subscriptions/{subscription_urn}`; `unsubscribe_url` names it.
pub async fn delete_subscription(
    State(state): State<AdminState>,
    CsmsPath(urn): CsmsPath<String>,
) -> ApiResult<StatusCode> {
    if state.smn.subscriptions().remove(&urn) {
        keep(&state)?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError(CsmsError::NotFound {
            kind: "subscription",
            name: urn,
        }))
    }
}

/// Keeps the run-time subscriptions where the state lives (a data directory; in memory
/// this does nothing).
fn keep(state: &AdminState) -> Result<(), CsmsError> {
    state.service.save_setting(
        crate::smn::SUBSCRIPTIONS_SETTING,
        &state.smn.subscriptions().saved(),
    )
}

/// `GET /_emulator/smn/deliveries`: the latest attempts, oldest first.
pub async fn list_deliveries(State(state): State<AdminState>) -> Json<DeliveriesDto> {
    Json(DeliveriesDto {
        deliveries: state.smn.attempts(),
    })
}
