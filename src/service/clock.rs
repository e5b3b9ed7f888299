//! The emulator's clock as a data directory keeps it: a typed setting, saved after every
//! change through the control API and put back at start. A damaged saved clock is refused
//! with a message that says so, never read as "no offset".

use serde::{Deserialize, Serialize};

use crate::clock::{Clock, ClockMode, EmulatorClock, Millis, is_settable_moment};
use crate::error::CsmsError;
use crate::error::StoreError;

use super::handle::CsmsService;

/// The setting the clock is kept under.
const CLOCK_SETTING: &str = "clock";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SavedMode {
    Real,
    Frozen,
}

/// The clock as saved: its mode, the moment it stood at (where a frozen clock resumes)
/// and its offset from the system clock (what a running clock resumes with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedClock {
    mode: SavedMode,
    now: Millis,
    offset_ms: Millis,
}

fn damaged(detail: String) -> CsmsError {
    StoreError::Damaged {
        what: "the saved clock".to_owned(),
        detail,
    }
    .into()
}

impl CsmsService {
    /// Keeps the clock's state, so a restart with `--data-dir` finds it as it was.
    pub fn save_clock(&self, clock: &EmulatorClock) -> Result<(), CsmsError> {
        let saved = SavedClock {
            mode: match clock.mode() {
                ClockMode::Real => SavedMode::Real,
                ClockMode::Frozen => SavedMode::Frozen,
            },
            now: clock.now_ms(),
            offset_ms: clock.offset(),
        };
        let text = serde_json::to_string(&saved)
            .map_err(|e| CsmsError::Internal(format!("cannot write the clock: {e}")))?;
        self.save_setting(CLOCK_SETTING, &text)
    }

    /// Puts the clock back as it was saved; with nothing saved it stays as it is.
    pub fn restore_clock(&self, clock: &EmulatorClock) -> Result<(), CsmsError> {
        let Some(text) = self.load_setting(CLOCK_SETTING)? else {
            return Ok(());
        };
        let saved: SavedClock =
            serde_json::from_str(&text).map_err(|e| damaged(format!("{e} in {text:?}")))?;
        match saved.mode {
            SavedMode::Frozen if is_settable_moment(saved.now) => {
                clock.set_mode(ClockMode::Frozen);
                clock.set(saved.now);
            }
            SavedMode::Frozen => {
                return Err(damaged(format!(
                    "a frozen clock at {} is outside 1970 to 9999",
                    saved.now
                )));
            }
            SavedMode::Real => {
                let at = clock
                    .now_ms()
                    .checked_sub(clock.offset())
                    .and_then(|system| system.checked_add(saved.offset_ms))
                    .filter(|at| is_settable_moment(*at))
                    .ok_or_else(|| {
                        damaged(format!(
                            "an offset of {} ms puts the clock outside 1970 to 9999",
                            saved.offset_ms
                        ))
                    })?;
                clock.set_mode(ClockMode::Real);
                clock.set(at);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::sqlite::SqliteStore;

    fn service_in(dir: &std::path::Path) -> CsmsService {
        let store = SqliteStore::open(dir, None).unwrap();
        CsmsService::new(Arc::new(store), Arc::new(EmulatorClock::new()))
    }

    fn temp_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("csms-clock-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_saved_clock_comes_back_frozen_where_it_stood_or_running_with_its_offset() {
        let dir = temp_dir();
        let frozen = EmulatorClock::new();
        frozen.set_mode(ClockMode::Frozen);
        frozen.set(86_400_000);
        service_in(&dir).save_clock(&frozen).unwrap();
        let restored = EmulatorClock::new();
        service_in(&dir).restore_clock(&restored).unwrap();
        assert_eq!(restored.mode(), ClockMode::Frozen);
        assert_eq!(restored.now_ms(), 86_400_000);
        // the format written before the setting was typed reads the same
        let service = service_in(&dir);
        service
            .save_setting(
                CLOCK_SETTING,
                r#"{"mode":"real","now":5,"offset_ms":3600000}"#,
            )
            .unwrap();
        let running = EmulatorClock::new();
        service.restore_clock(&running).unwrap();
        assert_eq!(running.mode(), ClockMode::Real);
        assert_eq!(running.offset(), 3_600_000);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_damaged_saved_clock_is_refused_not_read_as_no_offset() {
        let dir = temp_dir();
        let service = service_in(&dir);
        for damaged in [
            "not json",
            r#"{"mode":"real","now":5}"#,
            r#"{"mode":"real","now":5,"offset_ms":"7"}"#,
            r#"{"mode":"sideways","now":5,"offset_ms":0}"#,
            r#"{"mode":"frozen","now":-1,"offset_ms":0}"#,
            r#"{"mode":"real","now":5,"offset_ms":9223372036854775807}"#,
        ] {
            service.save_setting(CLOCK_SETTING, damaged).unwrap();
            let clock = EmulatorClock::new();
            let err = service.restore_clock(&clock).unwrap_err();
            assert!(
                err.to_string().contains("the saved clock"),
                "{damaged}: {err}"
            );
            assert_eq!(clock.offset(), 0, "{damaged}: the clock is left alone");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
