//! The emulator's own API under `/_emulator/`: health and readiness, the clock, secret
//! states, fault rules, the request journal, metrics, export, seed, reset and the OpenAPI
//! description.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{CsmsJson, CsmsPath, CsmsQuery};
use crate::api::json::{self, Json};
use crate::api::paths::FaultPath;
use crate::api::wire::control::{
    ClockBody, ClockChange, ClockDto, FaultsDto, JournalDto, SeedBody, SeededDto, StateBody,
    clock_dto,
};
use crate::api::wire::json_text::WriteJson;
use crate::api::wire::queries::{ExportQuery, JournalQuery, ProjectQuery};
use crate::api::wire::secrets::SecretResponse;
use crate::clock::{Clock, EmulatorClock};
use crate::control::faults::{FaultRule, FaultRules, FaultSpec};
use crate::control::journal::Journal;
use crate::control::metrics::Metrics;
use crate::domain::names::{ProjectId, SecretName};
use crate::error::CsmsError;
use crate::service::CsmsService;

/// Everything the admin API reaches.
#[derive(Clone)]
pub struct AdminState {
    pub service: CsmsService,
    pub clock: Arc<EmulatorClock>,
    pub journal: Arc<Journal>,
    pub faults: Arc<FaultRules>,
    pub metrics: Arc<Metrics>,
    pub smn: crate::smn::Smn,
}

/// `GET /_emulator/health`: 200 as soon as the server serves.
pub async fn health() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `GET /_emulator/ready`: 200 while the emulator takes writes (start-up work, such as
/// loading the data directory and the seed, is done before it serves); 503 with the reason
/// once a durable store refuses writes.
pub async fn ready(State(state): State<AdminState>) -> Response {
    match state.service.writable() {
        Ok(()) => Json(serde_json::json!({ "status": "ready" })).into_response(),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "failing", "reason": err.client_message() })),
        )
            .into_response(),
    }
}

/// `GET /_emulator/clock`.
pub async fn show_clock(State(state): State<AdminState>) -> Json<ClockDto> {
    Json(clock_dto(&state.clock))
}

/// `POST /_emulator/clock`: moving time forward runs, in time order, every piece of work
/// that falls due on the way (deletions, expiry events, automatic rotation) before
/// answering.
pub async fn set_clock(
    State(state): State<AdminState>,
    CsmsJson(body): CsmsJson<ClockBody>,
) -> ApiResult<Json<ClockDto>> {
    let now = state.clock.now_ms();
    let (target, offset) = match body.parse(now)? {
        ClockChange::Mode(mode) => {
            state.clock.set_mode(mode);
            save_clock(&state)?;
            return Ok(Json(clock_dto(&state.clock)));
        }
        ClockChange::MoveTo { target, offset } => (target, offset),
    };
    let clock = Arc::clone(&state.clock);
    let service = state.service.clone();
    let moved = tokio::task::spawn_blocking(move || {
        let ran = if target > now {
            service.advance_to(target, &|t| clock.set(t))
        } else {
            clock.set(target);
            Ok(0)
        };
        // An offset is kept exactly, not as the moment it meant a few microseconds ago.
        if let (Some(offset), Ok(_)) = (offset, &ran) {
            clock.set_offset(offset);
        }
        ran
    })
    .await
    .map_err(|e| CsmsError::Internal(format!("clock task: {e}")))?;
    let ran = moved?;
    save_clock(&state)?;
    Ok(Json(ClockDto {
        due_work_ran: Some(ran),
        ..clock_dto(&state.clock)
    }))
}

/// The clock as kept with the state: `{"mode", "now", "offset_ms"}`.
fn save_clock(state: &AdminState) -> Result<(), CsmsError> {
    state.service.save_clock(&state.clock)
}

/// `POST /_emulator/projects/{project_id}/secrets/{secret_name}/state`: ENABLED, DISABLED
/// or FROZEN (docs/behaviour.md §17), which no public API sets.
pub async fn set_secret_state(
    State(state): State<AdminState>,
    CsmsPath((project_id, secret_name)): CsmsPath<(String, String)>,
    CsmsJson(body): CsmsJson<StateBody>,
) -> ApiResult<Response> {
    let project = ProjectId::parse(&project_id)?;
    let name = SecretName::parse_lookup("secret_name", &secret_name)?;
    let secret = state
        .service
        .set_secret_state(&project, &name, body.operator_state()?)?;
    let answer = SecretResponse::of(&secret);
    Ok(json::written(|out| answer.write_json(out)))
}

/// `GET /_emulator/faults`.
pub async fn list_faults(State(state): State<AdminState>) -> Json<FaultsDto> {
    Json(FaultsDto {
        faults: state.faults.list(),
    })
}

/// `POST /_emulator/faults`.
pub async fn add_fault(
    State(state): State<AdminState>,
    CsmsJson(spec): CsmsJson<FaultSpec>,
) -> ApiResult<Json<FaultRule>> {
    state
        .faults
        .add(spec)
        .map(Json)
        .map_err(|rule| CsmsError::invalid("fault", rule).into())
}

/// `DELETE /_emulator/faults`.
pub async fn clear_faults(State(state): State<AdminState>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}

/// `DELETE /_emulator/faults/{fault_id}`.
pub async fn delete_fault(
    State(state): State<AdminState>,
    CsmsPath(path): CsmsPath<FaultPath>,
) -> ApiResult<StatusCode> {
    let id = path.parse()?;
    if state.faults.remove(id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError(CsmsError::NotFound {
            kind: "fault rule",
            name: id.to_string(),
        }))
    }
}

/// `GET /_emulator/journal?limit=N`: the latest requests, oldest first.
pub async fn journal(
    State(state): State<AdminState>,
    CsmsQuery(query): CsmsQuery<JournalQuery>,
) -> Json<JournalDto> {
    Json(JournalDto {
        requests: state.journal.latest(query.limit.unwrap_or(usize::MAX)),
    })
}

/// `DELETE /_emulator/journal`.
pub async fn clear_journal(State(state): State<AdminState>) -> StatusCode {
    state.journal.clear();
    StatusCode::NO_CONTENT
}

/// `GET /_emulator/metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AdminState>) -> ApiResult<Response> {
    let counts = state.service.secret_counts()?;
    let text = state.metrics.render(&counts);
    Ok((
        [(CONTENT_TYPE, crate::api::openapi::OPENMETRICS_TEXT)],
        text,
    )
        .into_response())
}

/// `GET /_emulator/export?project=&values=true`: the state in the `--seed` format; values
/// only when asked.
pub async fn export(
    State(state): State<AdminState>,
    CsmsQuery(query): CsmsQuery<ExportQuery>,
) -> ApiResult<Json<crate::fixture_file::Fixture>> {
    let project = query.project.as_deref().map(ProjectId::parse).transpose()?;
    let fixture = state
        .service
        .export_fixture(project.as_ref(), query.values.unwrap_or(false))?;
    Ok(Json(fixture))
}

/// `POST /_emulator/seed?project=`: loads a one-project fixture into the running emulator
/// in one transaction (every secret and event, or none when a name is taken); with
/// `project`, into that project whatever id the fixture gives.
pub async fn seed(
    State(state): State<AdminState>,
    CsmsQuery(query): CsmsQuery<ProjectQuery>,
    CsmsJson(body): CsmsJson<SeedBody>,
) -> ApiResult<Json<SeededDto>> {
    let target = query.project.as_deref().map(ProjectId::parse).transpose()?;
    let fixture = body.parse(target.as_ref(), state.clock.now_ms())?;
    let seeded = state.service.seed_project(fixture)?;
    Ok(Json(SeededDto {
        project_id: seeded.project.to_string(),
        secrets: seeded.secrets,
        events: seeded.events,
    }))
}

/// `POST /_emulator/reset?project=`: empties one project, or everything, atomically.
pub async fn reset(
    State(state): State<AdminState>,
    CsmsQuery(query): CsmsQuery<ProjectQuery>,
) -> ApiResult<StatusCode> {
    let project = query.project.as_deref().map(ProjectId::parse).transpose()?;
    state.service.reset(project.as_ref())?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /_emulator/openapi.json`.
pub async fn openapi() -> Json<serde_json::Value> {
    Json(crate::api::openapi::document())
}
