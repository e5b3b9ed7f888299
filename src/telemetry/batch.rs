//! A log writer that batches lines in memory and writes them from one thread, a batch at a
//! time. A request only appends its line to a buffer under a short lock: it never waits
//! for a write, and never wakes another thread.
//!
//! Why not `tracing-appender`'s non-blocking writer: it hands each line to its worker
//! over a channel, which wakes the worker (a futex call and two context switches) and
//! costs a `write` per line. Under load that was a third of a context switch and about a
//! third of the CPU time of a request (`bench/run.sh`, perf). Here the writer thread
//! wakes every [`FLUSH_EVERY`], or sooner when [`BATCH_BYTES`] are waiting, and writes
//! whatever has gathered with one call.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How long a line may wait in memory.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// A batch this large is written at once. At 80,000 requests a second (16 MB of request
/// lines) that wakes the writer 64 times a second; 64 KiB woke it 250 times, each a
/// futex call on both sides and two context switches.
pub const BATCH_BYTES: usize = 256 * 1024;
/// Past this many waiting bytes (a stalled stdout), new lines are dropped and counted.
pub const PENDING_MAX: usize = 16 * 1024 * 1024;

/// What the writing side and the writer thread share.
#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<Pending>,
    wake: Condvar,
    dropped: AtomicU64,
}

#[derive(Debug, Default)]
struct Pending {
    bytes: Vec<u8>,
    closing: bool,
    /// Write what is waiting now rather than at the next tick (see [`FlushGuard::flush_soon`]).
    flush_now: bool,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        // The buffer is plain bytes: a panic elsewhere cannot leave it inconsistent.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The `MakeWriter` a subscriber writes through; cheap to clone.
#[derive(Debug, Clone)]
pub struct BatchedWriter(Arc<Shared>);

/// Stops the writer thread when dropped, after it wrote everything logged before.
#[derive(Debug)]
#[must_use = "dropping the guard stops the log writer"]
pub struct FlushGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// A writer over `out` and the guard that keeps its thread running; an error when the
/// thread cannot start.
pub fn batched<W: Write + Send + 'static>(out: W) -> std::io::Result<(BatchedWriter, FlushGuard)> {
    batched_every(out, FLUSH_EVERY)
}

/// [`batched`] with the writer thread waking every `tick` (tests use a long one).
fn batched_every<W: Write + Send + 'static>(
    out: W,
    tick: Duration,
) -> std::io::Result<(BatchedWriter, FlushGuard)> {
    let shared = Arc::new(Shared::default());
    let worker = Arc::clone(&shared);
    let thread = std::thread::Builder::new()
        .name("csms-log-writer".into())
        .spawn(move || write_batches(&worker, out, tick))?;
    Ok((
        BatchedWriter(Arc::clone(&shared)),
        FlushGuard {
            shared,
            thread: Some(thread),
        },
    ))
}

/// The writer thread: every `tick` (or when woken), takes what gathered and writes it;
/// after the guard is dropped, writes the rest and ends.
fn write_batches<W: Write>(shared: &Shared, mut out: W, tick: Duration) {
    let mut batch = Vec::new();
    loop {
        let closing = {
            let mut pending = shared.lock();
            if !pending.closing && !pending.flush_now && pending.bytes.len() < BATCH_BYTES {
                pending = shared
                    .wake
                    .wait_timeout(pending, tick)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            pending.flush_now = false;
            std::mem::swap(&mut batch, &mut pending.bytes);
            pending.closing
        };
        let dropped = shared.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            batch.extend_from_slice(
                format!("{dropped} log lines were dropped: stdout did not keep up\n").as_bytes(),
            );
        }
        // A log that cannot be written has nowhere to report to; the lines are lost.
        if !batch.is_empty() {
            let _ = out.write_all(&batch).and_then(|()| out.flush());
            batch.clear();
        }
        if closing {
            return;
        }
    }
}

impl FlushGuard {
    /// Has the writer thread write what is waiting without waiting for its next tick: a
    /// launcher that reads the `serving` line learns the address at once, not up to
    /// [`FLUSH_EVERY`] later. Returns without waiting for the write.
    pub fn flush_soon(&self) {
        self.shared.lock().flush_now = true;
        self.shared.wake.notify_one();
    }
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One line's writer: appends to the shared buffer.
#[derive(Debug)]
pub struct LineWriter<'a>(&'a Shared);

impl Write for LineWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut pending = self.0.lock();
        if pending.bytes.len() + bytes.len() > PENDING_MAX {
            drop(pending);
            self.0.dropped.fetch_add(1, Ordering::Relaxed);
            return Ok(bytes.len());
        }
        let before = pending.bytes.len();
        pending.bytes.extend_from_slice(bytes);
        // Only the line that fills the batch wakes the writer: a notify is a system call
        // whether or not anyone waits, and until the writer thread runs, every later line
        // would make one. None is lost: the writer looks at the length, under the lock,
        // before it waits.
        let filled = before < BATCH_BYTES && pending.bytes.len() >= BATCH_BYTES;
        drop(pending);
        if filled {
            self.0.wake.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedWriter {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` that records each `write` call it gets.
    #[derive(Clone, Default)]
    struct Calls(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Calls {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().push(bytes.to_vec());
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_reach_the_output_in_order_and_all_of_them_by_the_time_the_guard_is_dropped() {
        let out = Calls::default();
        let (writer, guard) = batched(out.clone()).unwrap();
        for i in 0..1000 {
            writer
                .make_writer()
                .write_all(format!("line {i}\n").as_bytes())
                .unwrap();
        }
        drop(guard);
        let text: Vec<u8> = out.0.lock().unwrap().concat();
        let expected = (0..1000).fold(String::new(), |mut text, i| {
            use std::fmt::Write as _;
            let _ = writeln!(text, "line {i}");
            text
        });
        assert_eq!(String::from_utf8(text).unwrap(), expected);
    }

    #[test]
    fn what_gathered_is_written_with_one_call() {
        let shared = Shared::default();
        for i in 0..100 {
            LineWriter(&shared)
                .write_all(format!("line {i}\n").as_bytes())
                .unwrap();
        }
        shared.lock().closing = true;
        let out = Calls::default();
        write_batches(&shared, out.clone(), FLUSH_EVERY);
        let calls = out.0.lock().unwrap();
        assert_eq!(calls.len(), 1);
        assert!(calls[0].starts_with(b"line 0\n") && calls[0].ends_with(b"line 99\n"));
    }

    /// Waits (without a time limit tied to the tick) until `out` holds `expected`.
    fn wait_for_output(out: &Calls, expected: &[u8]) -> bool {
        // An hour-long tick means only a flush request can write before this gives up.
        for _ in 0..600_000 {
            if out.0.lock().unwrap().concat() == expected {
                return true;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
        false
    }

    #[test]
    fn a_requested_flush_writes_what_waits_without_waiting_for_the_tick() {
        let out = Calls::default();
        let (writer, guard) = batched_every(out.clone(), Duration::from_secs(3600)).unwrap();
        writer.make_writer().write_all(b"serving\n").unwrap();
        guard.flush_soon();
        assert!(
            wait_for_output(&out, b"serving\n"),
            "the line was not written"
        );
        drop(guard);
    }

    #[test]
    fn a_flush_requested_before_the_writer_waits_is_not_lost() {
        let shared = Arc::new(Shared::default());
        LineWriter(&shared).write_all(b"early\n").unwrap();
        shared.lock().flush_now = true;
        let out = Calls::default();
        let (worker, sink) = (Arc::clone(&shared), out.clone());
        let thread =
            std::thread::spawn(move || write_batches(&worker, sink, Duration::from_secs(3600)));
        let written = wait_for_output(&out, b"early\n");
        shared.lock().closing = true;
        shared.wake.notify_one();
        thread.join().unwrap();
        assert!(
            written,
            "the flush request set before the writer started was lost"
        );
        assert!(
            !shared.lock().flush_now,
            "the request stays set after its batch"
        );
    }

    #[test]
    fn a_full_buffer_drops_new_lines_and_says_how_many() {
        let shared = Shared::default();
        shared.lock().bytes = vec![b'x'; PENDING_MAX];
        LineWriter(&shared).write_all(b"one more\n").unwrap();
        assert_eq!(shared.dropped.load(Ordering::Relaxed), 1);
        assert_eq!(shared.lock().bytes.len(), PENDING_MAX);
        shared.lock().closing = true;
        let out = Calls::default();
        write_batches(&shared, out.clone(), FLUSH_EVERY);
        let written = out.0.lock().unwrap().concat();
        assert!(written.ends_with(b"1 log lines were dropped: stdout did not keep up\n"));
        assert!(!written.windows(8).any(|w| w == b"one more"));
    }

    #[test]
    fn each_filled_batch_is_written_without_waiting_for_the_tick() {
        let out = Calls::default();
        let (writer, guard) = batched_every(out.clone(), Duration::from_secs(3600)).unwrap();
        let line = [b'x'; 1000];
        let mut expected = Vec::new();
        // Three batches' worth, each filled by one line among many that come after it
        // and do not wake the writer again.
        for round in 0..3 {
            let start = expected.len();
            while expected.len() - start < BATCH_BYTES {
                writer.make_writer().write_all(&line).unwrap();
                expected.extend_from_slice(&line);
            }
            assert!(
                wait_for_output_at_least(&out, expected.len()),
                "batch {round} was not written before the tick"
            );
        }
        drop(guard);
        assert_eq!(out.0.lock().unwrap().concat(), expected);
    }

    /// Waits until `out` holds at least `len` bytes (see [`wait_for_output`]).
    fn wait_for_output_at_least(out: &Calls, len: usize) -> bool {
        for _ in 0..600_000 {
            if out.0.lock().unwrap().iter().map(Vec::len).sum::<usize>() >= len {
                return true;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
        false
    }
}
