//! A connection's phase between requests (a request under way, a head arriving, idle)
//! and the watch that tells when a phase has outlasted its timeout.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// The connection timeouts (flags `--header-read-timeout` and `--idle-timeout`).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub header_read: Duration,
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
        }
    }
}

/// The shortest sleep between two looks at a phase.
const RECHECK_FLOOR: Duration = Duration::from_millis(1);

/// Where a connection is between requests.
#[derive(Debug, Clone, Copy)]
struct Phase {
    /// Requests being served.
    in_flight: usize,
    /// Bytes of a new request head have arrived since the connection went idle.
    reading_head: bool,
    /// When the connection went idle, or the head began to arrive.
    since: Instant,
}

/// A connection's phase, shared by its IO (bytes arrive), its service (requests begin and
/// end) and its watcher (which closes it when a phase lasts too long).
///
/// Nothing here wakes the watcher: a request's start and end only write the phase, so a
/// busy connection costs no extra wake-up, timer reset or poll of its task per request.
/// The watcher instead never sleeps longer than the header-read timeout, and reads the
/// phase again each time it wakes (see [`Activity::expired`]).
#[derive(Debug)]
pub(super) struct Activity {
    phase: Mutex<Phase>,
}

impl Activity {
    /// A connection just accepted: its first head is due one header-read timeout from now.
    pub(super) fn new() -> Self {
        Self {
            phase: Mutex::new(Phase {
                in_flight: 0,
                reading_head: true,
                since: Instant::now(),
            }),
        }
    }

    fn update(&self, f: impl FnOnce(&mut Phase)) {
        // The phase is plain data: a panic elsewhere cannot leave it inconsistent.
        f(&mut self.phase.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn phase(&self) -> Phase {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn bytes_arrived(&self) {
        self.update(|phase| {
            if phase.in_flight == 0 && !phase.reading_head {
                phase.reading_head = true;
                phase.since = Instant::now();
            }
        });
    }

    /// Whether the current phase has outlasted its timeout: no request is under way, and
    /// the head being read, or the idleness, began longer ago than its timeout.
    pub(super) fn overdue(&self, timeouts: Timeouts) -> bool {
        let phase = self.phase();
        let limit = if phase.reading_head {
            timeouts.header_read
        } else {
            timeouts.idle
        };
        phase.in_flight == 0 && phase.since + limit <= Instant::now()
    }

    /// Completes when the current phase has outlasted its timeout.
    ///
    /// Deadlines are still kept exactly although nothing wakes this watcher early. It
    /// sleeps until the earlier of the current phase's deadline and one header-read
    /// timeout from now. A head that begins while it sleeps began after it last looked, so
    /// its deadline (start + header-read) lies after the wake-up, and the watcher, having
    /// looked again, sleeps until exactly that deadline. While a request is served, or a
    /// head is read, it looks again at least every `min(header_read, idle)`, so the idle
    /// deadline of a request that ends meanwhile (its end + idle) is not slept past.
    ///
    /// Until the phase's own deadline, it sleeps at least [`RECHECK_FLOOR`] between looks,
    /// so zero timeouts (which the flags refuse, but a library caller may pass) cannot make
    /// it spin, nor make it complete for a phase that is not overdue.
    pub(super) async fn expired(&self, timeouts: Timeouts) {
        let recheck = timeouts.header_read.min(timeouts.idle).max(RECHECK_FLOOR);
        let head_recheck = timeouts.header_read.max(RECHECK_FLOOR);
        loop {
            let now = Instant::now();
            let phase = self.phase();
            let at = if phase.in_flight > 0 {
                now + recheck
            } else if phase.reading_head {
                (phase.since + timeouts.header_read).min(now + recheck)
            } else {
                // Idle: a head that begins while this sleeps is not slept past (see above).
                (phase.since + timeouts.idle).min(now + head_recheck)
            };
            if phase.in_flight == 0 && at <= now {
                return;
            }
            tokio::time::sleep_until(at).await;
        }
    }
}

/// A request under way on a connection; dropping it ends the request.
pub(super) struct InFlight(Arc<Activity>);

impl InFlight {
    pub(super) fn begin(activity: Arc<Activity>) -> Self {
        activity.update(|phase| {
            phase.in_flight += 1;
            phase.reading_head = false;
        });
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.update(|phase| {
            phase.in_flight = phase.in_flight.saturating_sub(1);
            if phase.in_flight == 0 {
                phase.since = Instant::now();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUTS: Timeouts = Timeouts {
        header_read: Duration::from_secs(10),
        idle: Duration::from_secs(60),
    };

    /// Starts a watcher on `activity` with the default [`TIMEOUTS`]; the handle answers
    /// when it closed the connection.
    fn watch(activity: &Arc<Activity>) -> tokio::task::JoinHandle<Instant> {
        watch_with(activity, TIMEOUTS)
    }

    fn watch_with(
        activity: &Arc<Activity>,
        timeouts: Timeouts,
    ) -> tokio::task::JoinHandle<Instant> {
        let activity = Arc::clone(activity);
        tokio::spawn(async move {
            activity.expired(timeouts).await;
            Instant::now()
        })
    }

    /// Whether `closed` is `after` past `start`, to the timer's millisecond.
    fn is_at(closed: Instant, start: Instant, after: Duration) -> bool {
        let elapsed = closed - start;
        elapsed >= after && elapsed <= after + Duration::from_millis(2)
    }

    // These run on tokio's paused clock: time moves only when every task waits, so the
    // deadlines are checked exactly, whatever the machine's load.

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_sends_nothing_is_closed_one_header_read_timeout_after_accept() {
        let start = Instant::now();
        let activity = Arc::new(Activity::new());
        let closed = watch(&activity).await.unwrap();
        assert!(
            is_at(closed, start, TIMEOUTS.header_read),
            "{:?}",
            closed - start
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_first_head_that_trickles_in_is_cut_one_header_read_timeout_after_accept() {
        let start = Instant::now();
        let activity = Arc::new(Activity::new());
        let watcher = watch(&activity);
        tokio::time::sleep(Duration::from_secs(7)).await;
        activity.bytes_arrived();
        let closed = watcher.await.unwrap();
        assert!(
            is_at(closed, start, TIMEOUTS.header_read),
            "{:?}",
            closed - start
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_kept_alive_connection_is_closed_at_the_idle_timeout_after_its_request() {
        let start = Instant::now();
        let activity = Arc::new(Activity::new());
        let watcher = watch(&activity);
        drop(InFlight::begin(Arc::clone(&activity)));
        let closed = watcher.await.unwrap();
        assert!(is_at(closed, start, TIMEOUTS.idle), "{:?}", closed - start);
    }

    #[tokio::test(start_paused = true)]
    async fn with_an_idle_timeout_shorter_than_header_read_a_quick_first_request_idles_out_on_time()
    {
        let timeouts = Timeouts {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(1),
        };
        let start = Instant::now();
        let activity = Arc::new(Activity::new());
        let watcher = watch_with(&activity, timeouts);
        tokio::time::sleep(Duration::from_millis(100)).await;
        activity.bytes_arrived();
        drop(InFlight::begin(Arc::clone(&activity)));
        let closed = watcher.await.unwrap();
        assert!(
            is_at(closed, start, Duration::from_millis(1_100)),
            "{:?}",
            closed - start
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_begun_while_the_watcher_sleeps_is_cut_one_header_read_timeout_after_it_began() {
        let start = Instant::now();
        let activity = Arc::new(Activity::new());
        let watcher = watch(&activity);
        // A first request, served at once: the connection is idle from here.
        drop(InFlight::begin(Arc::clone(&activity)));
        tokio::time::sleep(Duration::from_secs(7)).await;
        activity.bytes_arrived();
        let closed = watcher.await.unwrap();
        assert!(
            is_at(closed, start, Duration::from_secs(17)),
            "{:?}",
            closed - start
        );
    }

    /// How often `activity`'s watcher is polled in 50 ms with `timeouts`, and whether it
    /// completed. A watcher that spins is polled again at once, the clock standing still:
    /// the count stops it rather than letting the test hang.
    async fn polls_in_50_ms(activity: &Activity, timeouts: Timeouts) -> (usize, bool) {
        let expired = activity.expired(timeouts);
        tokio::pin!(expired);
        let mut polls = 0;
        let mut completed = false;
        let _ = tokio::time::timeout(
            Duration::from_millis(50),
            std::future::poll_fn(|cx| {
                polls += 1;
                if polls > 1_000 {
                    return std::task::Poll::Ready(());
                }
                let polled = expired.as_mut().poll(cx);
                completed = polled.is_ready();
                polled
            }),
        )
        .await;
        (polls, completed)
    }

    #[tokio::test(start_paused = true)]
    async fn zero_timeouts_make_the_watcher_look_once_a_millisecond_not_spin() {
        let zero = Duration::ZERO;
        let activity = Arc::new(Activity::new());
        // A request under way, both timeouts zero.
        let request = InFlight::begin(Arc::clone(&activity));
        let both_zero = Timeouts {
            header_read: zero,
            idle: zero,
        };
        let (polls, completed) = polls_in_50_ms(&activity, both_zero).await;
        assert!(
            !completed && polls <= 60,
            "{polls} polls, completed: {completed}"
        );
        // Idle with an hour to go, the header-read timeout zero: not overdue, so not expired.
        drop(request);
        let head_zero = Timeouts {
            header_read: zero,
            idle: Duration::from_secs(3600),
        };
        let (polls, completed) = polls_in_50_ms(&activity, head_zero).await;
        assert!(
            !completed && polls <= 60,
            "{polls} polls, completed: {completed}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_under_way_is_never_cut_and_idleness_counts_from_its_end() {
        let start = Instant::now();
        let activity = Arc::new(Activity::new());
        let watcher = watch(&activity);
        tokio::time::sleep(Duration::from_secs(1)).await;
        activity.bytes_arrived();
        let request = InFlight::begin(Arc::clone(&activity));
        tokio::time::sleep(Duration::from_secs(100)).await;
        assert!(!watcher.is_finished(), "a request under way was cut");
        drop(request);
        let closed = watcher.await.unwrap();
        assert!(
            is_at(closed, start, Duration::from_secs(161)),
            "{:?}",
            closed - start
        );
    }
}
