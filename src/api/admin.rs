//! The emulator's own API under `/_emulator/`: health and readiness, the clock, secret
//! states, fault rules, the request journal, metrics and the OpenAPI description.

use std::sync::Arc;

use crate::api::json::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, ClockMode, EmulatorClock, Millis, is_settable_moment, parse_duration};
use crate::control::faults::{FaultRule, FaultRules, FaultSpec};
use crate::control::journal::{Journal, JournalEntry};
use crate::control::metrics::Metrics;
use crate::domain::names::{ProjectId, SecretName};
use crate::domain::secret::SecretState;
use crate::error::CsmsError;
use crate::service::{CsmsService, check_fixture};

use super::dto::SecretResponse;
use super::error::{ApiError, ApiResult};
use super::extract::{CsmsJson, CsmsPath, CsmsQuery};
use super::wire::queries::{ExportQuery, JournalQuery, ProjectQuery};

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

#[derive(Debug, Serialize)]
pub struct ClockDto {
    pub now: Millis,
    pub mode: &'static str,
    pub offset_ms: Millis,
    /// After a move forward: how many secrets had work that fell due on the way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_work_ran: Option<usize>,
}

fn clock_dto(clock: &EmulatorClock) -> ClockDto {
    ClockDto {
        now: clock.now_ms(),
        mode: match clock.mode() {
            ClockMode::Real => "real",
            ClockMode::Frozen => "frozen",
        },
        offset_ms: clock.offset(),
        due_work_ran: None,
    }
}

/// `GET /_emulator/clock`.
pub async fn show_clock(State(state): State<AdminState>) -> Json<ClockDto> {
    Json(clock_dto(&state.clock))
}

/// The body of `POST /_emulator/clock`: one of `advance` (`"7d"`, or milliseconds),
/// `set` (epoch milliseconds), `offset_ms` (milliseconds from the system clock, as
/// `GET /_emulator/clock` reports it) or `mode` (`real` or `frozen`).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[schemars(extend("oneOf" = [{"required": ["advance"]}, {"required": ["set"]}, {"required": ["offset_ms"]}, {"required": ["mode"]}]))]
pub struct ClockBody {
    /// A duration (`7d`, `36h`, `90m`, `15s`, `250ms`) or milliseconds.
    #[schemars(extend("anyOf" = [{"type": "string", "pattern": "^[0-9]{1,6}(ms|s|m|h|d)$"}, {"type": "integer", "minimum": 0, "maximum": 1_000_000_000_000_i64}]))]
    pub advance: Option<serde_json::Value>,
    #[schemars(range(min = crate::clock::EARLIEST_MOMENT, max = crate::clock::LATEST_MOMENT))]
    pub set: Option<Millis>,
    /// Milliseconds from the system clock; the moment must fall in 1970–9999.
    #[schemars(range(min = -1_000_000_000_000_i64, max = 1_000_000_000_000_i64))]
    pub offset_ms: Option<Millis>,
    #[schemars(extend("enum" = ["real", "frozen"]))]
    pub mode: Option<String>,
}

const ONE_OF_CLOCK: &str = "give exactly one of advance, set, offset_ms, mode";

/// `POST /_emulator/clock`: moving time forward runs, in time order, every piece of work
/// that falls due on the way (deletions, expiry events, automatic rotation) before
/// answering.
pub async fn set_clock(
    State(state): State<AdminState>,
    CsmsJson(body): CsmsJson<ClockBody>,
) -> ApiResult<Json<ClockDto>> {
    let given = [
        body.advance.is_some(),
        body.set.is_some(),
        body.offset_ms.is_some(),
        body.mode.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(CsmsError::invalid("clock", ONE_OF_CLOCK).into());
    }
    if let Some(mode) = body.mode {
        let mode = match mode.as_str() {
            "real" => ClockMode::Real,
            "frozen" => ClockMode::Frozen,
            _ => return Err(CsmsError::invalid("mode", "must be real or frozen").into()),
        };
        state.clock.set_mode(mode);
        save_clock(&state)?;
        return Ok(Json(clock_dto(&state.clock)));
    }
    let now = state.clock.now_ms();
    let target = match (body.advance, body.set, body.offset_ms) {
        (Some(advance), None, None) => {
            let by = match &advance {
                serde_json::Value::String(s) => parse_duration(s),
                serde_json::Value::Number(n) => n.as_i64().filter(|n| *n >= 0),
                _ => None,
            }
            .ok_or_else(|| {
                CsmsError::invalid(
                    "advance",
                    "must be a duration such as 7d, 36h, 90m, 15s, 250ms",
                )
            })?;
            now.checked_add(by)
                .filter(|t| is_settable_moment(*t))
                .ok_or_else(|| {
                    CsmsError::invalid("advance", "would move the clock past the year 9999")
                })?
        }
        (None, Some(set), None) if is_settable_moment(set) => set,
        (None, Some(_), None) => {
            return Err(CsmsError::invalid(
                "set",
                "must be epoch milliseconds from 0 to 253402300799999 (the end of the year 9999)",
            )
            .into());
        }
        (None, None, Some(offset)) => EmulatorClock::moment_at_offset(offset)
            .filter(|t| is_settable_moment(*t))
            .ok_or_else(|| {
                CsmsError::invalid(
                    "offset_ms",
                    "must put the clock between 1970 and the end of the year 9999",
                )
            })?,
        _ => return Err(CsmsError::invalid("clock", ONE_OF_CLOCK).into()),
    };
    let clock = Arc::clone(&state.clock);
    let service = state.service.clone();
    let offset = body.offset_ms;
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

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct StateBody {
    #[schemars(required, extend("enum" = ["ENABLED", "DISABLED", "FROZEN"]))]
    pub state: Option<String>,
}

impl StateBody {
    /// The state an operator may set (docs/behaviour.md §17): never PENDING_DELETE, which
    /// only scheduling a deletion gives.
    fn operator_state(&self) -> Result<SecretState, CsmsError> {
        match self.state.as_deref() {
            Some("ENABLED") => Ok(SecretState::Enabled),
            Some("DISABLED") => Ok(SecretState::Disabled),
            Some("FROZEN") => Ok(SecretState::Frozen),
            _ => Err(CsmsError::invalid(
                "state",
                "must be ENABLED, DISABLED or FROZEN",
            )),
        }
    }
}

/// `POST /_emulator/projects/{project_id}/secrets/{secret_name}/state`: ENABLED, DISABLED
/// or FROZEN (docs/behaviour.md §17), which no public API sets.
pub async fn set_secret_state(
    State(state): State<AdminState>,
    CsmsPath((project_id, secret_name)): CsmsPath<(String, String)>,
    CsmsJson(body): CsmsJson<StateBody>,
) -> ApiResult<Json<SecretResponse>> {
    let project = ProjectId::parse(&project_id)?;
    let name = SecretName::parse_lookup("secret_name", &secret_name)?;
    let secret = state
        .service
        .set_secret_state(&project, &name, body.operator_state()?)?;
    Ok(Json(SecretResponse::of(&secret)))
}

#[derive(Debug, Serialize)]
pub struct FaultsDto {
    pub faults: Vec<FaultRule>,
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
    CsmsPath(id): CsmsPath<String>,
) -> ApiResult<StatusCode> {
    let id: u64 = id
        .parse()
        .map_err(|_| CsmsError::invalid("fault_id", "must be a rule id"))?;
    if state.faults.remove(id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError(CsmsError::NotFound {
            kind: "fault rule",
            name: id.to_string(),
        }))
    }
}

#[derive(Debug, Serialize)]
pub struct JournalDto {
    pub requests: Vec<JournalEntry>,
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
    Ok(([(CONTENT_TYPE, super::openapi::OPENMETRICS_TEXT)], text).into_response())
}

/// `GET /_emulator/export?project=&values=true`: the state in the `--seed` format; values
/// only when asked.
pub async fn export(
    State(state): State<AdminState>,
    CsmsQuery(query): CsmsQuery<ExportQuery>,
) -> ApiResult<Json<crate::fixture::Fixture>> {
    let project = query.project.as_deref().map(ProjectId::parse).transpose()?;
    let fixture = state
        .service
        .export_fixture(project.as_ref(), query.values.unwrap_or(false))?;
    Ok(Json(fixture))
}

/// The body of `POST /_emulator/seed`: a fixture document, as `--seed` reads and
/// `GET /_emulator/export` writes, holding one project. Its `Debug` shows no value.
///
/// The document describes a small subset of the format (one project of secrets with text
/// versions), enough for a generated fixture to load; the format itself is in the README.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
#[schemars(extend(
    "required" = ["projects"],
    "additionalProperties" = false,
    "properties" = {
        "format": {"type": "integer", "enum": [crate::fixture::FIXTURE_FORMAT]},
        "projects": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
            "type": "object",
            "required": ["id"],
            "additionalProperties": false,
            "properties": {
                "id": {"type": "string", "pattern": crate::domain::names::NAME_PATTERN},
                "secrets": {"type": "array", "maxItems": 5, "items": {
                    "type": "object",
                    "required": ["name", "versions"],
                    "additionalProperties": false,
                    "properties": {
                        "name": {"type": "string", "pattern": crate::domain::names::NAME_PATTERN},
                        "description": {"type": "string", "maxLength": crate::domain::limits::DESCRIPTION_MAX_BYTES},
                        "versions": {"type": "array", "minItems": 1, "maxItems": 3, "items": {
                            "type": "object",
                            "required": ["secret_string"],
                            "additionalProperties": false,
                            "properties": {"secret_string": {"type": "string", "maxLength": 1024}}
                        }}
                    }
                }}
            }
        }}
    }
))]
pub struct SeedBody(pub serde_json::Map<String, serde_json::Value>);

impl std::fmt::Debug for SeedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The document holds secret values: say only how it is laid out.
        f.debug_struct("SeedBody")
            .field("keys", &self.0.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// What `POST /_emulator/seed` loaded.
#[derive(Debug, Serialize)]
pub struct SeededDto {
    pub project_id: String,
    pub secrets: usize,
    pub events: usize,
}

/// `POST /_emulator/seed?project=`: loads a one-project fixture into the running emulator
/// in one transaction (every secret and event, or none when a name is taken); with
/// `project`, into that project whatever id the fixture gives.
pub async fn seed(
    State(state): State<AdminState>,
    CsmsQuery(query): CsmsQuery<ProjectQuery>,
    CsmsJson(SeedBody(doc)): CsmsJson<SeedBody>,
) -> ApiResult<Json<SeededDto>> {
    let target = query.project.as_deref().map(ProjectId::parse).transpose()?;
    let invalid = |rule: String| CsmsError::invalid("fixture", rule);
    let fixture = crate::fixture::parse_one_project(
        serde_json::Value::Object(doc),
        target.as_ref(),
        "body",
        state.clock.now_ms(),
    )
    .map_err(invalid)?;
    let checked = check_fixture("body", fixture).map_err(invalid)?;
    let seeded = state.service.seed_project(checked)?;
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
    Json(super::openapi::document())
}
