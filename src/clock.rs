//! The emulator's only source of time: every timestamp it reports or compares comes from a
//! [`Clock`]. Only [`SystemClock`] reads the system time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, the unit of every CSMS timestamp (docs/behaviour.md §1).
pub type Millis = i64;

/// A source of the current time in epoch milliseconds.
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> Millis;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as Millis)
    }
}

/// A clock that moves only when told to; for tests.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    #[must_use]
    pub fn new(start: Millis) -> Self {
        Self(Arc::new(AtomicI64::new(start)))
    }

    pub fn advance(&self, by: Millis) {
        self.0.fetch_add(by, Ordering::SeqCst);
    }

    pub fn set(&self, to: Millis) {
        self.0.store(to, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

/// The earliest moment the emulator's clock can be set to: the Unix epoch.
pub const EARLIEST_MOMENT: Millis = 0;
/// The latest moment the emulator's clock can be set to: 9999-12-31T23:59:59.999Z, the
/// last instant an ISO-8601 date can name. Later moments would make timestamps computed
/// from "now" (expiry, deletion windows) overflow.
pub const LATEST_MOMENT: Millis = 253_402_300_799_999;

/// Whether `t` is a moment the emulator's clock may be set to.
#[must_use]
pub fn is_settable_moment(t: Millis) -> bool {
    (EARLIEST_MOMENT..=LATEST_MOMENT).contains(&t)
}

/// Sentinel meaning "not frozen" in [`EmulatorClock`]; outside the settable range, so no
/// set can be mistaken for it.
const NOT_FROZEN: Millis = Millis::MIN;

/// The clock tests control (issue: virtual clock): real time shifted by an offset, or
/// frozen at a moment. Every time the emulator reports or compares comes from it.
#[derive(Debug)]
pub struct EmulatorClock {
    offset: AtomicI64,
    frozen_at: AtomicI64,
}

/// How the emulator's clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Time flows with the system clock, shifted by an offset.
    Real,
    /// Time stands still until set or advanced.
    Frozen,
}

impl Default for EmulatorClock {
    fn default() -> Self {
        Self {
            offset: AtomicI64::new(0),
            frozen_at: AtomicI64::new(NOT_FROZEN),
        }
    }
}

impl EmulatorClock {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn mode(&self) -> ClockMode {
        if self.frozen_at.load(Ordering::SeqCst) == NOT_FROZEN {
            ClockMode::Real
        } else {
            ClockMode::Frozen
        }
    }

    /// The offset from the system clock: exactly the one kept in real mode; in frozen
    /// mode, as of now.
    #[must_use]
    pub fn offset(&self) -> Millis {
        match self.frozen_at.load(Ordering::SeqCst) {
            NOT_FROZEN => self.offset.load(Ordering::SeqCst),
            frozen => frozen - SystemClock.now_ms(),
        }
    }

    /// The moment `offset` milliseconds from the system clock, if it is one.
    #[must_use]
    pub fn moment_at_offset(offset: Millis) -> Option<Millis> {
        SystemClock.now_ms().checked_add(offset)
    }

    /// Puts the clock `offset` milliseconds from the system clock, keeping its mode: in
    /// real mode the offset is kept exactly (so a test can put back the offset it found);
    /// in frozen mode the clock stands at the system time plus `offset`. The moment is
    /// clamped as for [`EmulatorClock::set`].
    pub fn set_offset(&self, offset: Millis) {
        let system = SystemClock.now_ms();
        let offset = system
            .saturating_add(offset)
            .clamp(EARLIEST_MOMENT, LATEST_MOMENT)
            - system;
        match self.mode() {
            ClockMode::Frozen => self.frozen_at.store(system + offset, Ordering::SeqCst),
            ClockMode::Real => self.offset.store(offset, Ordering::SeqCst),
        }
    }

    /// Moves the clock to `to`, keeping its mode; a moment outside
    /// [`EARLIEST_MOMENT`]`..=`[`LATEST_MOMENT`] is clamped into it (callers taking
    /// client input refuse such moments first, with [`is_settable_moment`]).
    pub fn set(&self, to: Millis) {
        let to = to.clamp(EARLIEST_MOMENT, LATEST_MOMENT);
        match self.mode() {
            ClockMode::Frozen => self.frozen_at.store(to, Ordering::SeqCst),
            ClockMode::Real => self
                .offset
                .store(to - SystemClock.now_ms(), Ordering::SeqCst),
        }
    }

    /// Moves the clock by `by` milliseconds (without running due work: the admin API's
    /// advance does that).
    pub fn advance(&self, by: Millis) {
        self.set(self.now_ms().saturating_add(by));
    }

    /// Freezes time at the current moment, or lets it run again from it.
    pub fn set_mode(&self, mode: ClockMode) {
        let now = self.now_ms();
        match mode {
            ClockMode::Frozen => self.frozen_at.store(now, Ordering::SeqCst),
            ClockMode::Real => {
                self.offset
                    .store(now - SystemClock.now_ms(), Ordering::SeqCst);
                self.frozen_at.store(NOT_FROZEN, Ordering::SeqCst);
            }
        }
    }
}

impl Clock for EmulatorClock {
    fn now_ms(&self) -> Millis {
        match self.frozen_at.load(Ordering::SeqCst) {
            NOT_FROZEN => SystemClock.now_ms() + self.offset.load(Ordering::SeqCst),
            frozen => frozen,
        }
    }
}

/// Parses a duration such as `7d`, `36h`, `90m`, `15s` or `250ms` into milliseconds.
#[must_use]
pub fn parse_duration(raw: &str) -> Option<Millis> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = raw.split_at(split);
    let n: Millis = digits.parse().ok()?;
    let unit_ms: Millis = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(unit_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance(500);
        assert_eq!(clock.now_ms(), 1_500);
        clock.set(42);
        assert_eq!(clock.now_ms(), 42);
    }

    #[test]
    fn the_emulator_clock_freezes_sets_and_runs_again() {
        let clock = EmulatorClock::new();
        assert_eq!(clock.mode(), ClockMode::Real);
        clock.set_mode(ClockMode::Frozen);
        let frozen = clock.now_ms();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.now_ms(), frozen);
        clock.set(frozen + 7 * 86_400_000);
        assert_eq!(clock.now_ms(), frozen + 7 * 86_400_000);
        clock.set_mode(ClockMode::Real);
        let running = clock.now_ms();
        assert!(running >= frozen + 7 * 86_400_000);
        assert!((clock.offset() - 7 * 86_400_000).abs() < 1_000);
        clock.set(0);
        assert!(clock.now_ms() < 1_000);
    }

    #[test]
    fn a_frozen_clock_stays_frozen_whatever_it_is_set_to() {
        let clock = EmulatorClock::new();
        clock.set_mode(ClockMode::Frozen);
        clock.set(Millis::MIN);
        assert_eq!(clock.mode(), ClockMode::Frozen);
        assert_eq!(clock.now_ms(), EARLIEST_MOMENT);
        clock.set(Millis::MAX);
        assert_eq!(clock.mode(), ClockMode::Frozen);
        assert_eq!(clock.now_ms(), LATEST_MOMENT);
        clock.advance(Millis::MAX);
        assert_eq!(clock.now_ms(), LATEST_MOMENT);
    }

    #[test]
    fn settable_moments_run_from_the_epoch_to_the_end_of_year_9999() {
        assert!(is_settable_moment(0));
        assert!(is_settable_moment(LATEST_MOMENT));
        assert!(!is_settable_moment(-1));
        assert!(!is_settable_moment(LATEST_MOMENT + 1));
        assert!(!is_settable_moment(Millis::MIN));
        assert!(!is_settable_moment(Millis::MAX));
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("7d"), Some(7 * 86_400_000));
        assert_eq!(parse_duration("36h"), Some(36 * 3_600_000));
        assert_eq!(parse_duration("90m"), Some(90 * 60_000));
        assert_eq!(parse_duration("15s"), Some(15_000));
        assert_eq!(parse_duration("250ms"), Some(250));
        for bad in ["", "d", "7", "7w", "-1d", "1.5h", "99999999999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn system_clock_reports_milliseconds() {
        // 13 digits: any date between 2001 and 2286.
        assert_eq!(SystemClock.now_ms().to_string().len(), 13);
    }
}
