//! The emulator control API's wire types: clock, secret state, faults, journal and seed
//! bodies and answers.

use serde::{Deserialize, Serialize};

use crate::clock::{Clock, ClockMode, EmulatorClock, Millis, is_settable_moment, parse_duration};
use crate::control::faults::FaultRule;
use crate::control::journal::JournalEntry;
use crate::domain::names::ProjectId;
use crate::domain::secret::SecretState;
use crate::error::CsmsError;
use crate::service::{CheckedFixture, check_fixture};

#[derive(Debug, Serialize)]
pub struct ClockDto {
    pub now: Millis,
    pub mode: &'static str,
    pub offset_ms: Millis,
    /// After a move forward: how many secrets had work that fell due on the way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_work_ran: Option<usize>,
}

pub fn clock_dto(clock: &EmulatorClock) -> ClockDto {
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

/// What a clock request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockChange {
    /// Real or frozen time.
    Mode(ClockMode),
    /// Move to `target`; given an `offset`, keep that offset exactly afterwards rather
    /// than the moment it meant when the request was read.
    MoveTo {
        target: Millis,
        offset: Option<Millis>,
    },
}

impl ClockBody {
    /// The change asked for, with each moment checked to lie in 1970–9999 as seen from
    /// `now`.
    pub fn parse(self, now: Millis) -> Result<ClockChange, CsmsError> {
        let given = [
            self.advance.is_some(),
            self.set.is_some(),
            self.offset_ms.is_some(),
            self.mode.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(CsmsError::invalid("clock", ONE_OF_CLOCK));
        }
        if let Some(mode) = self.mode {
            return match mode.as_str() {
                "real" => Ok(ClockChange::Mode(ClockMode::Real)),
                "frozen" => Ok(ClockChange::Mode(ClockMode::Frozen)),
                _ => Err(CsmsError::invalid("mode", "must be real or frozen")),
            };
        }
        let target = match (self.advance, self.set, self.offset_ms) {
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
                ));
            }
            (None, None, Some(offset)) => EmulatorClock::moment_at_offset(offset)
                .filter(|t| is_settable_moment(*t))
                .ok_or_else(|| {
                    CsmsError::invalid(
                        "offset_ms",
                        "must put the clock between 1970 and the end of the year 9999",
                    )
                })?,
            _ => return Err(CsmsError::invalid("clock", ONE_OF_CLOCK)),
        };
        Ok(ClockChange::MoveTo {
            target,
            offset: self.offset_ms,
        })
    }
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct StateBody {
    #[schemars(required, extend("enum" = ["ENABLED", "DISABLED", "FROZEN"]))]
    pub state: Option<String>,
}

impl StateBody {
    /// The state an operator may set (docs/behaviour.md §17): never PENDING_DELETE, which
    /// only scheduling a deletion gives.
    pub fn operator_state(&self) -> Result<SecretState, CsmsError> {
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

#[derive(Debug, Serialize)]
pub struct FaultsDto {
    pub faults: Vec<FaultRule>,
}

#[derive(Debug, Serialize)]
pub struct JournalDto {
    pub requests: Vec<JournalEntry>,
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
        "format": {"type": "integer", "enum": [crate::fixture_file::FIXTURE_FORMAT]},
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

impl SeedBody {
    /// The one-project fixture the body holds, parsed at `now` and checked as `--seed`
    /// checks a file; with `target`, retargeted to that project.
    pub fn parse(
        self,
        target: Option<&ProjectId>,
        now: Millis,
    ) -> Result<CheckedFixture, CsmsError> {
        let invalid = |rule: String| CsmsError::invalid("fixture", rule);
        let fixture = crate::fixture_file::parse_one_project(
            serde_json::Value::Object(self.0),
            target,
            "body",
            now,
        )
        .map_err(invalid)?;
        check_fixture("body", fixture).map_err(invalid)
    }
}

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
