//! Logging setup: `tracing-subscriber` with `RUST_LOG` (default `info`), on stdout through
//! the batching writer of [`batch`] (a request never waits for its log line to
//! be written), or on a [`LogBuffer`] for tests that read what was logged; and
//! [`write_message_line`], which writes a line of that format without `tracing`'s
//! formatting machinery, for the one line every request writes.

pub mod batch;
pub mod format;

use std::cell::RefCell;
use std::io::{IsTerminal, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use tracing::Level;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{Format, Full};
use tracing_subscriber::fmt::{MakeWriter, SubscriberBuilder};

use format::{PlainFields, UtcMicros};

/// The one log format, over any output: tracing-subscriber's full format without targets,
/// its timestamp and fields written by [`format`] (same text, less work).
fn builder(
    filter: EnvFilter,
    out: Out,
    ansi: bool,
) -> SubscriberBuilder<PlainFields, Format<Full, UtcMicros>, EnvFilter, LogWriter> {
    tracing_subscriber::fmt()
        .fmt_fields(PlainFields)
        .with_timer(UtcMicros)
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(LogWriter { out, ansi })
}

/// The writer of every subscriber [`builder`] makes, and of no other: finding it in the
/// subscriber in charge tells [`write_message_line`] that the line format is this
/// module's, and where its lines go.
#[derive(Debug, Clone)]
pub struct LogWriter {
    out: Out,
    /// Whether the subscriber writes ANSI styles.
    ansi: bool,
}

/// Where the lines go.
#[derive(Debug, Clone)]
enum Out {
    Batched(batch::BatchedWriter),
    Stdout,
    Buffer(LogBuffer),
}

/// One line's writer of a [`LogWriter`].
#[derive(Debug)]
pub enum LineOut<'a> {
    Batched(batch::LineWriter<'a>),
    Stdout(std::io::Stdout),
    Buffer(LogBuffer),
}

impl std::io::Write for LineOut<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            Self::Batched(out) => out.write(bytes),
            Self::Stdout(out) => out.write(bytes),
            Self::Buffer(out) => out.write(bytes),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Self::Batched(out) => out.write_all(bytes),
            Self::Stdout(out) => out.write_all(bytes),
            Self::Buffer(out) => out.write_all(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Self::Batched(out) => out.flush(),
            Self::Stdout(out) => out.flush(),
            Self::Buffer(out) => out.flush(),
        }
    }
}

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = LineOut<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        match &self.out {
            Out::Batched(out) => LineOut::Batched(out.make_writer()),
            Out::Stdout => LineOut::Stdout(std::io::stdout()),
            Out::Buffer(out) => LineOut::Buffer(out.clone()),
        }
    }
}

thread_local! {
    /// The line [`write_message_line`] puts together, kept between lines for its capacity.
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Writes an event of `level` whose only field is a message (`info!("{}", …)`), the
/// message being what `message` writes, with the bytes and the single write the
/// subscriber in charge would make for it; but without the event's dispatch, its
/// field visits and a second pass over the message. Returns `false`, having written
/// nothing, unless the subscriber in charge is one [`builder`] made, without styles,
/// outside any span, and the message holds nothing the format escapes: the caller then
/// logs the event through `tracing`. The caller checks that the event is enabled.
pub fn write_message_line(level: Level, message: impl Fn(&mut String)) -> bool {
    tracing::dispatcher::get_default(|dispatch| {
        let Some(writer) = dispatch.downcast_ref::<LogWriter>() else {
            return false;
        };
        if writer.ansi || dispatch.current_span().id().is_some() {
            return false;
        }
        LINE.with(|line| {
            let Ok(mut line) = line.try_borrow_mut() else {
                // Only a line written while another is being put together gets here.
                return false;
            };
            line.clear();
            if format::write_utc_micros(&mut *line, SystemTime::now()).is_err() {
                return false;
            }
            // The level as `Format<Full>` pads it, then the space after it.
            line.push_str(match level {
                Level::TRACE => " TRACE ",
                Level::DEBUG => " DEBUG ",
                Level::INFO => "  INFO ",
                Level::WARN => "  WARN ",
                Level::ERROR => " ERROR ",
            });
            let start = line.len();
            message(&mut line);
            if format::needs_sanitizing(&line[start..]) {
                return false;
            }
            line.push('\n');
            if let Err(err) = writer.make_writer().write_all(line.as_bytes()) {
                // What tracing-subscriber's layer does with an error of its writer.
                eprintln!(
                    "[tracing-subscriber] Unable to write an event to the Writer for this Subscriber! Error: {err}\n"
                );
            }
            true
        })
    })
}

/// Whether the subscriber [`init`] installed writes ANSI styles (its stdout is a terminal).
static STYLED: AtomicBool = AtomicBool::new(false);

/// Whether the global log is written with ANSI styles: field names in italics, so a line
/// written as one pre-formatted message would look different from its fields.
#[must_use]
pub fn styled() -> bool {
    STYLED.load(Ordering::Relaxed)
}

/// Installs the global subscriber writing to stdout from a background thread; keep the
/// returned guard alive for as long as the process logs (dropping it flushes what is
/// queued). Safe to call once per process.
#[must_use = "dropping the guard stops the log writer"]
pub fn init() -> Option<batch::FlushGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::stdout().is_terminal();
    // Ignoring the errors of `try_init` keeps a second call (for example from a test)
    // harmless. Should the writer thread not start, lines go to stdout directly.
    if let Ok((writer, guard)) = batch::batched(std::io::stdout()) {
        if builder(filter, Out::Batched(writer), ansi)
            .try_init()
            .is_ok()
        {
            STYLED.store(ansi, Ordering::Relaxed);
        }
        Some(guard)
    } else {
        if builder(filter, Out::Stdout, ansi).try_init().is_ok() {
            STYLED.store(ansi, Ordering::Relaxed);
        }
        None
    }
}

/// A subscriber in the emulator's log format at `level` (an `EnvFilter` directive), and
/// the buffer it writes to; install it with `tracing::subscriber::set_default`.
#[must_use]
pub fn capture(level: &str) -> (impl tracing::Subscriber + Send + Sync, LogBuffer) {
    let buffer = LogBuffer::default();
    let subscriber = builder(EnvFilter::new(level), Out::Buffer(buffer.clone()), false).finish();
    (subscriber, buffer)
}

/// An in-memory log.
#[derive(Debug, Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// Everything logged so far.
    #[must_use]
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> MakeWriter<'w> for LogBuffer {
    type Writer = Self;

    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events of every shape the emulator and its dependencies log: the request line with
    /// and without an error code, escapes, Unicode, ANSI, numbers, errors, `r#` names, the
    /// `log.` fields of the `log` crate's records,
    /// spans with fields recorded late, and a level the filter drops.
    fn log_every_shape() {
        let method = axum::http::Method::GET;
        let path = "/v1/p/secrets/a%20b/versions/latest";
        let id = uuid::Uuid::from_u128(7).simple().to_string();
        let operation = "ShowSecretVersion";
        let (status, latency_us) = (200u16, 103u64);
        let none: Option<String> = None;
        tracing::info!(%method, %path, operation, status, latency_us, request_id = %id, error_code = none, "request");
        let error_code = Some("CSMS.0101".to_owned());
        tracing::error!(%method, %path, operation, status = 500u16, latency_us, request_id = %id, error_code, "request");
        tracing::warn!(
            quoted = "has \"quotes\" and \\",
            unicode = "ünïcode 日本",
            ansi = "\x1b[31mred\x07",
            negative = -5i64,
            flag = true,
            float = 1.0f64,
            big = 1u128 << 100,
            "a message with \x1b[1m escapes and \"quotes\""
        );
        tracing::info!(r#type = "COMMON", "a raw name");
        tracing::info!("r#raw" = "v", "a name spelled raw");
        tracing::info!(only = 1u64);
        tracing::info!(
            log.target = "rustls",
            log.line = 7u64,
            after = 1u64,
            "from the log crate"
        );
        tracing::info!("");
        let err = std::io::Error::other("disk full");
        tracing::error!(
            error = &err as &(dyn std::error::Error + 'static),
            "write failed"
        );
        let span = tracing::info_span!(
            "outer",
            project = "p1",
            count = 3u64,
            late = tracing::field::Empty
        );
        let _entered = span.enter();
        span.record("late", "recorded \"later\"");
        tracing::info!(inner = %"x y", "inside");
        let nested = tracing::info_span!("inner", secret = "s");
        let _nested = nested.enter();
        tracing::warn!(debug = ?Some("d"), "nested");
        tracing::debug!(hidden = 1u64, "dropped by the filter");
    }

    /// What `log` writes through our subscriber and through tracing-subscriber's own
    /// default format, with the same filter and styling.
    fn ours_and_reference(ansi: bool, log: fn()) -> (String, String) {
        let ours = LogBuffer::default();
        let subscriber = builder(EnvFilter::new("info"), Out::Buffer(ours.clone()), ansi).finish();
        tracing::subscriber::with_default(subscriber, log);

        let reference = LogBuffer::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new("info"))
            .with_target(false)
            .with_ansi(ansi)
            .with_writer(reference.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, log);
        (ours.contents(), reference.contents())
    }

    /// Each line with its timestamp replaced by `<time>`; a line without one fails.
    fn without_timestamps(log: &str) -> Vec<String> {
        let timestamp =
            regex::Regex::new(r"^(\x1b\[2m)?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z").unwrap();
        log.lines()
            .map(|line| {
                assert!(timestamp.is_match(line), "{line:?}");
                timestamp.replace(line, "$1<time>").into_owned()
            })
            .collect()
    }

    #[test]
    fn lines_are_written_exactly_as_tracing_subscribers_default_format_writes_them() {
        for ansi in [false, true] {
            let (ours, reference) = ours_and_reference(ansi, log_every_shape);
            assert_eq!(ours.lines().count(), 11, "{ours}");
            assert_eq!(
                without_timestamps(&ours),
                without_timestamps(&reference),
                "ansi {ansi}"
            );
        }
    }

    /// Messages with every character tracing-subscriber escapes in a message, at the
    /// start, middle and end of a piece, next to those it leaves alone.
    fn log_messages() {
        let controls = "esc \x1b[1m bel \x07 bs \x08 ff \x0c del \x7f end";
        tracing::info!("{controls}");
        tracing::info!("c1 \u{80} \u{85} \u{9f}, not c1 \u{a0} © ° ü 日本, tab\t nl\n cr\r");
        tracing::info!("\x1b");
        tracing::info!("{}{}", "\u{9b}", 42);
        tracing::info!(field = 1u64, "{} then a field", "plain");
        tracing::warn!(message = "a message given as a string \x1b", after = "x");
        tracing::info!(message = %"a message given by display \x07");
    }

    #[test]
    fn messages_are_escaped_exactly_as_tracing_subscriber_escapes_them() {
        for ansi in [false, true] {
            let (ours, reference) = ours_and_reference(ansi, log_messages);
            assert_eq!(timestamp().find_iter(&ours).count(), 7, "{ours}");
            assert!(ours.contains("\\x1b[1m"), "{ours}");
            assert_eq!(
                ours,
                reference_with_times_of(&ours, &reference),
                "ansi {ansi}"
            );
        }
    }

    fn timestamp() -> regex::Regex {
        regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z").unwrap()
    }

    /// `reference` with each timestamp replaced by the one at the same place in `ours`.
    fn reference_with_times_of(ours: &str, reference: &str) -> String {
        let timestamp = timestamp();
        let mut times = timestamp.find_iter(ours).map(|m| m.as_str());
        timestamp
            .replace_all(reference, |_: &regex::Captures<'_>| {
                times.next().unwrap_or_default().to_owned()
            })
            .into_owned()
    }

    #[test]
    fn a_message_line_written_directly_reads_as_the_event_would() {
        let messages = [
            (Level::INFO, "request method=GET path=/a operation=\"X\""),
            (Level::ERROR, "status=500"),
            (Level::WARN, ""),
            (Level::DEBUG, "debug"),
            (Level::TRACE, "esc \x1b and c1 \u{85} go through tracing"),
        ];
        for (level, message) in messages {
            let direct = LogBuffer::default();
            let subscriber = builder(EnvFilter::new("trace"), Out::Buffer(direct.clone()), false);
            let written = tracing::subscriber::with_default(subscriber.finish(), || {
                write_message_line(level, |out| out.push_str(message))
            });
            assert_eq!(written, !format::needs_sanitizing(message), "{message:?}");
            let event = LogBuffer::default();
            let subscriber = builder(EnvFilter::new("trace"), Out::Buffer(event.clone()), false);
            tracing::subscriber::with_default(subscriber.finish(), || match level {
                Level::TRACE => tracing::trace!("{message}"),
                Level::DEBUG => tracing::debug!("{message}"),
                Level::INFO => tracing::info!("{message}"),
                Level::WARN => tracing::warn!("{message}"),
                Level::ERROR => tracing::error!("{message}"),
            });
            if written {
                assert_eq!(
                    without_timestamps(&direct.contents()),
                    without_timestamps(&event.contents()),
                    "{message:?}"
                );
            } else {
                assert_eq!(direct.contents(), "");
            }
        }
    }

    #[test]
    fn a_message_line_is_left_to_tracing_inside_a_span_or_with_styles() {
        let out = LogBuffer::default();
        let subscriber = builder(EnvFilter::new("info"), Out::Buffer(out.clone()), false);
        tracing::subscriber::with_default(subscriber.finish(), || {
            let _span = tracing::info_span!("outer").entered();
            assert!(!write_message_line(Level::INFO, |out| out.push('x')));
        });
        let subscriber = builder(EnvFilter::new("info"), Out::Buffer(out.clone()), true);
        tracing::subscriber::with_default(subscriber.finish(), || {
            assert!(!write_message_line(Level::INFO, |out| out.push('x')));
        });
        let subscriber = tracing_subscriber::fmt().with_writer(out.clone()).finish();
        tracing::subscriber::with_default(subscriber, || {
            assert!(!write_message_line(Level::INFO, |out| out.push('x')));
        });
        assert_eq!(out.contents(), "");
    }

    #[test]
    fn the_request_line_reads_as_before() {
        let (subscriber, log) = capture("info");
        tracing::subscriber::with_default(subscriber, log_every_shape);
        let first = log.contents().lines().next().unwrap().to_owned();
        let (time, rest) = first.split_at(27);
        assert!(
            time.ends_with('Z') && time.as_bytes()[10] == b'T',
            "{first}"
        );
        assert_eq!(
            rest,
            "  INFO request method=GET path=/v1/p/secrets/a%20b/versions/latest \
             operation=\"ShowSecretVersion\" status=200 latency_us=103 \
             request_id=00000000000000000000000000000007"
        );
    }
}
