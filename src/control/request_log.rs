//! How much the log says about requests (`--request-log`): a line for each request
//! (`all`, the default), or a line only for those answered with an error plus a summary
//! of the rest at most once a minute (`errors`), for long or heavy runs whose log would
//! otherwise grow by a line a request.
//!
//! The summary needs no timer: the first request after a minute has passed takes the
//! counts and logs them, so an idle emulator neither wakes nor logs.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What the log says about requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RequestLog {
    /// A line for every request.
    #[default]
    All,
    /// A line for every request answered 400 or above, and a summary of the others.
    Errors,
}

impl RequestLog {
    /// Whether a request answered with `status` gets a line of its own.
    #[must_use]
    pub fn logs(self, status: u16) -> bool {
        self == Self::All || status >= 400
    }
}

/// How often, at most, the `errors` mode writes a summary.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(60);

/// What a summary line reports: the requests answered in a window, and how many of them
/// were errors (400 or above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub requests: u64,
    pub errors: u64,
    pub window: Duration,
}

/// Requests counted since the last summary.
#[derive(Debug)]
pub struct Tally {
    requests: AtomicU64,
    errors: AtomicU64,
    /// When the current window began; taken by the request that closes it.
    window_start: Mutex<Instant>,
    every: Duration,
}

impl Tally {
    /// A tally whose windows last `every`, starting now.
    #[must_use]
    pub fn new(every: Duration) -> Self {
        Self::starting(every, Instant::now())
    }

    fn starting(every: Duration, at: Instant) -> Self {
        Self {
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            window_start: Mutex::new(at),
            every,
        }
    }

    /// Counts a request answered with `status` at `now`; when that closes a window, returns
    /// the window's summary (this request included) and starts the next.
    pub fn count(&self, status: u16, now: Instant) -> Option<Summary> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if status >= 400 {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        // `try_lock`: a request that finds another closing the window leaves it to it.
        let mut start = self.window_start.try_lock().ok()?;
        let window = now.saturating_duration_since(*start);
        if window < self.every {
            return None;
        }
        *start = now;
        drop(start);
        Some(Summary {
            requests: self.requests.swap(0, Ordering::Relaxed),
            errors: self.errors.swap(0, Ordering::Relaxed),
            window,
        })
    }
}

impl Summary {
    /// Writes the summary line.
    pub fn log(self) {
        tracing::info!(
            requests = self.requests,
            errors = self.errors,
            window_s = self.window.as_secs(),
            "requests answered"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_logs_every_request_and_errors_only_those_answered_400_or_above() {
        assert!(RequestLog::All.logs(200) && RequestLog::All.logs(404));
        assert!(!RequestLog::Errors.logs(200) && !RequestLog::Errors.logs(399));
        assert!(RequestLog::Errors.logs(400) && RequestLog::Errors.logs(503));
    }

    #[test]
    fn the_first_request_after_a_window_takes_its_counts_and_starts_the_next() {
        let start = Instant::now();
        let tally = Tally::starting(SUMMARY_EVERY, start);
        for (i, status) in [200, 404, 200, 500].into_iter().enumerate() {
            let at = start + Duration::from_secs(i as u64);
            assert_eq!(tally.count(status, at), None, "request {i}");
        }
        let closing = start + Duration::from_secs(61);
        assert_eq!(
            tally.count(200, closing),
            Some(Summary {
                requests: 5,
                errors: 2,
                window: Duration::from_secs(61),
            })
        );
        // The next window counts from the closing request.
        assert_eq!(tally.count(200, closing + Duration::from_secs(59)), None);
        assert_eq!(
            tally.count(201, closing + Duration::from_secs(60)),
            Some(Summary {
                requests: 2,
                errors: 0,
                window: SUMMARY_EVERY,
            })
        );
    }
}
