//! Logging setup: `tracing-subscriber` with `RUST_LOG` (default `info`), on stdout through
//! the batching writer of [`crate::log_batch`] (a request never waits for its log line to
//! be written), or on a [`LogBuffer`] for tests that read what was logged.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{DefaultFields, Format};
use tracing_subscriber::fmt::{MakeWriter, SubscriberBuilder};

/// The one log format, over any writer.
fn builder<W>(
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> SubscriberBuilder<DefaultFields, Format, EnvFilter, W>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer)
}

/// Installs the global subscriber writing to stdout from a background thread; keep the
/// returned guard alive for as long as the process logs (dropping it flushes what is
/// queued). Safe to call once per process.
#[must_use = "dropping the guard stops the log writer"]
pub fn init() -> Option<crate::log_batch::FlushGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::stdout().is_terminal();
    // Ignoring the errors of `try_init` keeps a second call (for example from a test)
    // harmless. Should the writer thread not start, lines go to stdout directly.
    if let Ok((writer, guard)) = crate::log_batch::batched(std::io::stdout()) {
        let _ = builder(filter, writer, ansi).try_init();
        Some(guard)
    } else {
        let _ = builder(filter, std::io::stdout, ansi).try_init();
        None
    }
}

/// A subscriber in the emulator's log format at `level` (an `EnvFilter` directive), and
/// the buffer it writes to; install it with `tracing::subscriber::set_default`.
#[must_use]
pub fn capture(level: &str) -> (impl tracing::Subscriber + Send + Sync, LogBuffer) {
    let buffer = LogBuffer::default();
    let subscriber = builder(EnvFilter::new(level), buffer.clone(), false).finish();
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
