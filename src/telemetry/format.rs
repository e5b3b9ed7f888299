//! The log line's timestamp and fields, written exactly as tracing-subscriber's defaults
//! (`SystemTime` and `DefaultFields`) write them, at a fraction of the cost: one request
//! line is written per request, so its formatting is on every request's path.
//!
//! Only the cases that dominate that line take a shorter path: integers, printable ASCII
//! strings and `%`/`?` values of plain fields, a message (whose control characters are
//! escaped as tracing-subscriber escapes them, but a piece with none is written in one
//! go instead of character by character), and a timestamp whose date and time of day
//! are formatted once a second. Everything else (errors, ANSI colours, `r#` names) goes
//! to tracing-subscriber's own visitor, so the text never differs.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::{DefaultVisitor, Writer};
use tracing_subscriber::fmt::time::FormatTime;

/// RFC 3339 UTC with microseconds (`2026-12-02T01:09:52.942534Z`), as
/// `tracing_subscriber::fmt::time::SystemTime` writes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct UtcMicros;

impl FormatTime for UtcMicros {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        write_utc_micros(w, SystemTime::now())
    }
}

thread_local! {
    /// The last second this thread wrote, and its text up to the decimal point.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// Writes `at` as RFC 3339 UTC with microseconds.
pub(super) fn write_utc_micros(w: &mut impl fmt::Write, at: SystemTime) -> fmt::Result {
    let Ok(since_epoch) = at.duration_since(UNIX_EPOCH) else {
        // Before 1970 (a clock set wrong): not worth a cache.
        let before = UNIX_EPOCH.duration_since(at).map_err(|_| fmt::Error)?;
        let nanos = i64::try_from(before.as_nanos()).map_err(|_| fmt::Error)?;
        let at = chrono::DateTime::from_timestamp_nanos(-nanos);
        return write!(w, "{}", at.format("%Y-%m-%dT%H:%M:%S%.6fZ"));
    };
    let seconds = since_epoch.as_secs();
    SECOND.with(|cached| {
        let mut cached = cached.borrow_mut();
        if cached.0 != seconds {
            let second = i64::try_from(seconds)
                .ok()
                .and_then(|s| chrono::DateTime::<chrono::Utc>::from_timestamp(s, 0))
                .ok_or(fmt::Error)?;
            cached.1.clear();
            write!(cached.1, "{}", second.format("%Y-%m-%dT%H:%M:%S."))?;
            cached.0 = seconds;
        }
        w.write_str(&cached.1)
    })?;
    // A leading 1 keeps the zeros of the six digits, and is cut off.
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(1_000_000 + since_epoch.subsec_micros());
    w.write_str(digits.get(1..).ok_or(fmt::Error)?)?;
    w.write_char('Z')
}

/// Formats fields as `DefaultFields` does: the message as is, every other field as
/// `name=value`, separated by spaces.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainFields;

impl<'a> MakeVisitor<Writer<'a>> for PlainFields {
    type Visitor = PlainVisitor<'a>;

    fn make_visitor(&self, writer: Writer<'a>) -> Self::Visitor {
        PlainVisitor {
            writer,
            is_empty: true,
            result: Ok(()),
        }
    }
}

/// The visitor of [`PlainFields`].
#[derive(Debug)]
pub struct PlainVisitor<'a> {
    writer: Writer<'a>,
    is_empty: bool,
    result: fmt::Result,
}

impl PlainVisitor<'_> {
    /// Whether this field is written as `name=` + its `Debug` text, with nothing else to
    /// decide; the rest goes to tracing-subscriber's visitor.
    fn is_plain(&self, name: &str) -> bool {
        name != "message" && !name.starts_with("r#") && !self.writer.has_ansi_escapes()
    }

    /// Writes one field with tracing-subscriber's own visitor.
    fn delegate(&mut self, record: impl FnOnce(&mut DefaultVisitor<'_>)) {
        let mut visitor = DefaultVisitor::new(self.writer.by_ref(), self.is_empty);
        record(&mut visitor);
        self.result = visitor.finish();
        self.is_empty = false;
    }

    /// Writes the message as `DefaultVisitor` does: its `Debug` text, with the control
    /// characters a terminal could act on escaped unless the writer is told not to.
    fn message(&mut self, value: &dyn fmt::Debug) {
        let separator = if self.is_empty { "" } else { " " };
        self.is_empty = false;
        let sanitize = self.writer.sanitizes_ansi_escapes();
        let w = &mut self.writer;
        self.result = w.write_str(separator).and_then(|()| {
            if sanitize {
                write!(Sanitizing(w), "{value:?}")
            } else {
                write!(w, "{value:?}")
            }
        });
    }

    /// Writes ` name=` (no space before the first field), then the value.
    fn plain(&mut self, name: &str, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        let separator = if self.is_empty { "" } else { " " };
        self.is_empty = false;
        let w = &mut self.writer;
        self.result = w
            .write_str(separator)
            .and_then(|()| w.write_str(name))
            .and_then(|()| w.write_char('='))
            .and_then(|()| value(w));
    }

    /// An integer field: its decimal digits, as `Debug` writes them.
    fn integer(
        &mut self,
        field: &Field,
        digits: &str,
        delegate: impl FnOnce(&mut DefaultVisitor<'_>),
    ) {
        if self.skips(field) {
            return;
        }
        if self.is_plain(field.name()) {
            self.plain(field.name(), |w| w.write_str(digits));
        } else {
            self.delegate(delegate);
        }
    }

    /// Whether a field is skipped: an error already happened, or it is one of the `log.`
    /// fields the `log` crate's records carry (tracing-subscriber reads them as metadata
    /// and never writes them as fields).
    fn skips(&self, field: &Field) -> bool {
        self.result.is_err() || field.name().starts_with("log.")
    }
}

/// Escapes what tracing-subscriber's `EscapingWriter` escapes in a message: ESC, BEL,
/// BS, FF and DEL as `\xNN`, the C1 controls (U+0080 to U+009F) as `\u{NN}`. A piece
/// without any of their bytes is passed on whole.
struct Sanitizing<'a, W>(&'a mut W);

/// Whether a byte may belong to a character [`Sanitizing`] escapes: one of the five
/// controls, or the lead byte of U+0080 to U+00BF (the C1 controls among them).
fn may_escape(byte: u8) -> bool {
    matches!(byte, 0x1b | 0x07 | 0x08 | 0x0c | 0x7f | 0xc2)
}

/// Whether a message holds a byte [`Sanitizing`] might escape.
pub(super) fn needs_sanitizing(s: &str) -> bool {
    // Every byte [`may_escape`] names lies outside printable ASCII, so a message of
    // printable ASCII only (a request line, almost always) is told by one comparison a
    // byte; only another is looked at byte by byte. Folds rather than `any`: without the
    // early exit the scans are vectorized.
    let printable = s
        .bytes()
        .fold(true, |all, byte| all & (byte.wrapping_sub(0x20) < 0x5f));
    !printable && s.bytes().fold(false, |seen, byte| seen | may_escape(byte))
}

impl<W: fmt::Write> fmt::Write for Sanitizing<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if !needs_sanitizing(s) {
            return self.0.write_str(s);
        }
        for ch in s.chars() {
            match ch {
                '\x1b' => self.0.write_str("\\x1b")?,
                '\x07' => self.0.write_str("\\x07")?,
                '\x08' => self.0.write_str("\\x08")?,
                '\x0c' => self.0.write_str("\\x0c")?,
                '\x7f' => self.0.write_str("\\x7f")?,
                '\u{80}'..='\u{9f}' => write!(self.0, "\\u{{{:x}}}", u32::from(ch))?,
                _ => self.0.write_char(ch)?,
            }
        }
        Ok(())
    }
}

/// Whether `Debug` of `value` is `value` in quotes: nothing in it is escaped.
#[must_use]
#[allow(clippy::needless_bitwise_bool)] // lazy operators would stop the vectorizing too
pub fn quotes_as_is(value: &str) -> bool {
    // A fold rather than `all`: without the early exit the scan is vectorized.
    value.bytes().fold(true, |plain, b| {
        plain & (0x20..0x7f).contains(&b) & (b != b'"') & (b != b'\\')
    })
}

impl Visit for PlainVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.skips(field) {
            return;
        }
        if !self.is_plain(field.name()) {
            self.delegate(|v| v.record_str(field, value));
        } else if quotes_as_is(value) {
            self.plain(field.name(), |w| {
                w.write_char('"')?;
                w.write_str(value)?;
                w.write_char('"')
            });
        } else {
            self.plain(field.name(), |w| write!(w, "{value:?}"));
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        let mut digits = itoa::Buffer::new();
        self.integer(field, digits.format(value), |v| v.record_u64(field, value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        let mut digits = itoa::Buffer::new();
        self.integer(field, digits.format(value), |v| v.record_i64(field, value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if !self.skips(field) {
            self.delegate(|v| v.record_error(field, value));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.skips(field) {
            return;
        }
        if field.name() == "message" {
            self.message(value);
        } else if self.is_plain(field.name()) {
            self.plain(field.name(), |w| write!(w, "{value:?}"));
        } else {
            self.delegate(|v| v.record_debug(field, value));
        }
    }
}

impl VisitOutput<fmt::Result> for PlainVisitor<'_> {
    fn finish(self) -> fmt::Result {
        self.result
    }
}

impl VisitFmt for PlainVisitor<'_> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        &mut self.writer
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn utc_micros(at: SystemTime) -> String {
        let mut text = String::new();
        write_utc_micros(&mut text, at).unwrap();
        text
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_microseconds_across_seconds_days_and_years() {
        let instants = [
            0,
            59,
            86_399,
            951_782_400,   // 2000-02-29
            1_796_170_177, // 2026-12-02
            4_102_444_799, // 2099-12-31T23:59:59
        ];
        for seconds in instants {
            for micros in [0, 7, 123_456, 999_999] {
                let nanos = micros * 1_000 + 999;
                let at = UNIX_EPOCH + Duration::new(seconds, nanos);
                let expected =
                    chrono::DateTime::from_timestamp(i64::try_from(seconds).unwrap(), nanos)
                        .unwrap()
                        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
                assert_eq!(utc_micros(at), expected, "{seconds}s {micros}µs");
            }
        }
    }

    #[test]
    fn times_within_one_second_and_across_into_the_next_are_written_right() {
        // The second call reuses the second the first one cached; the third must replace it.
        let at = UNIX_EPOCH + Duration::new(1_796_170_177, 1_000);
        let first = utc_micros(at);
        let same_second = utc_micros(at + Duration::from_micros(5));
        let next_second = utc_micros(at + Duration::from_secs(1));
        assert_eq!(first, "2026-12-02T00:09:37.000001Z");
        assert_eq!(same_second, "2026-12-02T00:09:37.000006Z");
        assert_eq!(next_second, "2026-12-02T00:09:38.000001Z");
    }

    #[test]
    fn a_time_before_1970_is_written_too() {
        let at = UNIX_EPOCH - Duration::from_micros(1);
        assert_eq!(utc_micros(at), "1969-12-31T23:59:59.999999Z");
        let at = UNIX_EPOCH - Duration::new(86_400, 1);
        assert_eq!(utc_micros(at), "1969-12-30T23:59:59.999999Z");
    }

    #[test]
    fn only_printable_ascii_without_quotes_or_backslashes_is_quoted_as_is() {
        for value in ["", "ShowSecretVersion", "a b ~!", "CSMS.0101"] {
            assert!(quotes_as_is(value), "{value}");
            assert_eq!(format!("{value:?}"), format!("\"{value}\""));
        }
        for value in ["a\"b", "a\\b", "tab\t", "bell\x07", "del\x7f", "ü", "日本"] {
            assert!(!quotes_as_is(value), "{value}");
        }
    }

    #[test]
    fn a_message_needs_sanitizing_exactly_when_it_holds_a_byte_that_may_escape() {
        let plain = "request method=GET path=/v1/p/secrets/a~b operation=\"X\" status=200";
        assert!(!needs_sanitizing(plain));
        for byte in 0..=u8::MAX {
            // Each byte at each place of a 16-byte run, as a vectorized scan reads it.
            for at in 0..16 {
                let mut bytes = plain.as_bytes()[..16].to_vec();
                bytes[at] = byte;
                let text = String::from_utf8_lossy(&bytes);
                let expected = text.bytes().any(may_escape);
                assert_eq!(needs_sanitizing(&text), expected, "{byte:#04x} at {at}");
            }
        }
        assert!(needs_sanitizing("\u{85}"));
        assert!(!needs_sanitizing("日本"));
    }
}
