//! How much the log says about requests (`--request-log`): a line for each request
//! (`all`, the default), or a line only for those answered with an error plus a summary
//! of the rest at most once a minute (`errors`), for long or heavy runs whose log would
//! otherwise grow by a line a request.
//!
//! The summary needs no timer: the first request after a minute has passed takes the
//! counts and logs them, so an idle emulator neither wakes nor logs.
//!
//! A request's line ([`RequestLine`]) is written as one message holding the text its
//! fields would be written as: one formatting pass instead of one per field.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tracing::Level;

use crate::telemetry;

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

/// The target the request lines have always been logged under (the request middleware's
/// module), so `RUST_LOG` directives naming it keep working.
const TARGET: &str = "csms_emulator::api::middleware";

/// One request's log line: method, path, operation, status, latency, request id and, for
/// an error, its code; never a body. At INFO, or ERROR for a status of 500 or above.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub operation: &'static str,
    pub status: u16,
    pub latency_us: u64,
    /// The request id as 32 lowercase hex digits, as the answer's `X-Request-Id` has it.
    pub request_id: &'a str,
    pub error_code: Option<&'a str>,
}

impl RequestLine<'_> {
    /// Writes the line: as one message, unless the log is styled (a terminal), where
    /// the field names are set in italics and the line is logged field by field.
    pub fn log(&self) {
        if telemetry::styled() {
            self.log_fields();
        } else {
            self.log_text();
        }
    }

    /// The line as one message whose text is that of the fields (see the `Display`):
    /// written straight to the log's writer when the log is the emulator's own, else
    /// as an event.
    fn log_text(&self) {
        // Asked as an event, not with `enabled!`'s hint: a filter on field names (an
        // `EnvFilter` directive such as `target[{status}]=info`) applies to events only.
        let level = if self.status >= 500 {
            tracing::event_enabled!(target: TARGET, Level::ERROR, message).then_some(Level::ERROR)
        } else {
            tracing::event_enabled!(target: TARGET, Level::INFO, message).then_some(Level::INFO)
        };
        if let Some(level) = level {
            let written = telemetry::write_message_line(level, |out| {
                // Writing to a `String` cannot fail.
                let _ = self.write_text(out);
            });
            if written {
                return;
            }
        }
        self.log_event();
    }

    /// The line as one message, through `tracing`.
    fn log_event(&self) {
        if self.status >= 500 {
            tracing::error!(target: TARGET, "{}", self);
        } else {
            tracing::info!(target: TARGET, "{}", self);
        }
    }

    /// The line as the message `request` and a field for each part.
    fn log_fields(&self) {
        let Self {
            method,
            path,
            operation,
            status,
            latency_us,
            request_id,
            error_code,
        } = *self;
        if status >= 500 {
            tracing::error!(target: TARGET, %method, %path, operation, status, latency_us, %request_id, error_code, "request");
        } else {
            tracing::info!(target: TARGET, %method, %path, operation, status, latency_us, %request_id, error_code, "request");
        }
    }
}

thread_local! {
    /// The text of the line being written, kept between lines for its capacity.
    static TEXT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The text the line's fields are written as without styles: `request method=GET
/// path=/… operation="…" status=200 latency_us=… request_id=…`, then ` error_code="…"`
/// when there is one. Put together in a buffer and handed on as one piece: the log's
/// writer checks each piece it is given for characters to escape.
impl fmt::Display for RequestLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        TEXT.with(|text| {
            if let Ok(mut text) = text.try_borrow_mut() {
                text.clear();
                self.write_text(&mut text)?;
                f.write_str(&text)
            } else {
                // Only a line written while another is being put together gets here.
                let mut text = String::new();
                self.write_text(&mut text)?;
                f.write_str(&text)
            }
        })
    }
}

impl RequestLine<'_> {
    fn write_text(&self, out: &mut String) -> fmt::Result {
        let mut digits = itoa::Buffer::new();
        out.push_str("request method=");
        out.push_str(self.method);
        out.push_str(" path=");
        out.push_str(self.path);
        out.push_str(" operation=");
        quoted(out, self.operation)?;
        out.push_str(" status=");
        out.push_str(digits.format(self.status));
        out.push_str(" latency_us=");
        out.push_str(digits.format(self.latency_us));
        out.push_str(" request_id=");
        out.push_str(self.request_id);
        if let Some(code) = self.error_code {
            out.push_str(" error_code=");
            quoted(out, code)?;
        }
        Ok(())
    }
}

/// A string as its `Debug` text, as a string field is written.
fn quoted(out: &mut String, value: &str) -> fmt::Result {
    if telemetry::format::quotes_as_is(value) {
        out.push('"');
        out.push_str(value);
        out.push('"');
        Ok(())
    } else {
        write!(out, "{value:?}")
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

    /// What `write` logs, each line without its timestamp.
    fn logged(write: impl FnOnce()) -> Vec<String> {
        let (subscriber, log) = telemetry::capture("info");
        tracing::subscriber::with_default(subscriber, write);
        log.contents()
            .lines()
            .map(|line| line.split_at(27).1.to_owned())
            .collect()
    }

    #[test]
    fn a_filter_on_field_names_keeps_the_line_out_as_it_keeps_the_event_out() {
        let line = RequestLine {
            method: "GET",
            path: "/v1/p/secrets",
            operation: "ListSecrets",
            status: 200,
            latency_us: 1,
            request_id: "00000000000000000000000000000007",
            error_code: None,
        };
        // The line's one field is its message: a directive that asks for a `status`
        // field matches neither the event nor the line written directly.
        for (filter, shown) in [
            ("warn,csms_emulator::api::middleware[{status}]=info", false),
            ("warn,csms_emulator::api::middleware[{message}]=info", true),
            ("warn", false),
        ] {
            let logged_by = |write: &dyn Fn()| {
                let (subscriber, log) = telemetry::capture(filter);
                tracing::subscriber::with_default(subscriber, write);
                log.contents()
                    .lines()
                    .map(|line| line.split_at(27).1.to_owned())
                    .collect::<Vec<_>>()
            };
            let text = logged_by(&|| line.log_text());
            assert_eq!(text, logged_by(&|| line.log_event()), "{filter}");
            assert_eq!(!text.is_empty(), shown, "{filter}: {text:?}");
        }
    }

    #[test]
    fn the_line_as_one_message_reads_as_the_line_of_fields() {
        let line = |status, error_code| RequestLine {
            method: "GET",
            path: "/v1/p/secrets/a%20b/versions/latest",
            operation: "ShowSecretVersion",
            status,
            latency_us: 103,
            request_id: "00000000000000000000000000000007",
            error_code,
        };
        let lines = [
            line(200, None),
            line(404, Some("CSMS.0101")),
            line(500, Some("has \"quotes\", \\ and ünïcode")),
            RequestLine {
                method: "DELETE",
                operation: "Unknown",
                latency_us: u64::MAX,
                ..line(u16::MAX, Some(""))
            },
        ];
        for line in lines {
            let text = logged(|| line.log_text());
            assert_eq!(text, logged(|| line.log_fields()), "{line:?}");
            assert_eq!(text, logged(|| line.log_event()), "{line:?}");
            assert_eq!(text.len(), 1);
        }
        // Characters the log escapes in a message (not in a field): the line is then
        // written through `tracing`, as before.
        let escaped = RequestLine {
            path: "/v1/p/secrets/\u{85}\x1b",
            ..line(200, None)
        };
        let text = logged(|| escaped.log_text());
        assert_eq!(text, logged(|| escaped.log_event()));
        assert!(text[0].contains("/\\u{85}\\x1b "), "{text:?}");
        assert_eq!(
            logged(|| line(200, None).log_text())[0],
            "  INFO request method=GET path=/v1/p/secrets/a%20b/versions/latest \
             operation=\"ShowSecretVersion\" status=200 latency_us=103 \
             request_id=00000000000000000000000000000007"
        );
        assert!(logged(|| line(503, None).log_text())[0].starts_with(" ERROR request "));
    }

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
