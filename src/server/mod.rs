//! The HTTP/1.1 server: accepts connections (plain, or TLS when given a rustls
//! configuration), serves the router on each, and closes connections that hold resources
//! without using them:
//!
//! - a new connection's first request head must arrive within the header-read timeout of
//!   the accept, so a connection that sends nothing is closed then too;
//! - a later request head must arrive within the header-read timeout of its first byte;
//! - a keep-alive connection with no request under way is closed after the idle timeout;
//! - a TLS handshake must finish within the header-read timeout.
//!
//! Requests hyper's parser refuses are answered by hyper itself; those answers get a
//! CSMS-shaped body on the way out (`refusal`).
//!
//! A request being served is never cut (handlers may be slowed on purpose by fault rules);
//! its body is read under the body-read timeout by the router itself (`api::body`).
//! On shutdown, listening stops, idle connections close, and requests under way finish
//! (for at most ten seconds).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::time::Instant;

mod refusal;

/// How long requests under way may take to finish once shutdown begins.
const DRAIN: Duration = Duration::from_secs(10);

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

/// Serves `router` on `listener` until `shutdown` completes; over TLS when `tls` is set.
pub async fn serve(
    listener: TcpListener,
    router: crate::api::App,
    tls: Option<Arc<rustls::ServerConfig>>,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, move || router.clone(), tls, timeouts, shutdown).await
}

/// [`serve`], each connection served by what `routes` gives when it is accepted (the
/// start-up gate of [`crate::api::starting`]).
pub async fn serve_with(
    listener: TcpListener,
    routes: impl Fn() -> crate::api::App,
    tls: Option<Arc<rustls::ServerConfig>>,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(%err, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let connection = Connection {
                    router: routes(),
                    timeouts,
                    graceful: graceful.watcher(),
                };
                match &tls {
                    None => { tokio::spawn(connection.run(stream)); }
                    Some(acceptor) => {
                        let acceptor = acceptor.clone();
                        tokio::spawn(async move {
                            let handshake = tokio::time::timeout(
                                timeouts.header_read,
                                acceptor.accept(stream),
                            );
                            match handshake.await {
                                Ok(Ok(stream)) => connection.run(stream).await,
                                Ok(Err(err)) => tracing::debug!(%err, "TLS handshake failed"),
                                Err(_) => tracing::debug!("TLS handshake timed out"),
                            }
                        });
                    }
                }
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still under way were cut at shutdown");
    }
    Ok(())
}

/// What one connection's task needs.
struct Connection {
    router: crate::api::App,
    timeouts: Timeouts,
    graceful: hyper_util::server::graceful::Watcher,
}

impl Connection {
    /// Serves one connection until the client closes it, a timeout closes it, or shutdown.
    async fn run<S>(self, stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(WatchedIo {
            inner: stream,
            activity: Arc::clone(&activity),
            replacing: None,
        });
        let router = self.router;
        let in_service = Arc::clone(&activity);
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let router = router.clone();
            let serving = InFlight::begin(Arc::clone(&in_service));
            async move {
                let answer = router.answer(request.map(Body::new)).await;
                drop(serving);
                Ok::<_, Infallible>(answer)
            }
        });
        let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
        let connection = self.graceful.watch(connection);
        tokio::select! {
            result = connection => {
                if let Err(err) = result {
                    tracing::debug!(%err, "connection ended with an error");
                }
            }
            () = activity.expired(self.timeouts) => {
                tracing::debug!("connection closed by a timeout");
            }
        }
    }
}

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
struct Activity {
    phase: Mutex<Phase>,
}

impl Activity {
    /// A connection just accepted: its first head is due one header-read timeout from now.
    fn new() -> Self {
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

    fn bytes_arrived(&self) {
        self.update(|phase| {
            if phase.in_flight == 0 && !phase.reading_head {
                phase.reading_head = true;
                phase.since = Instant::now();
            }
        });
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
    async fn expired(&self, timeouts: Timeouts) {
        let recheck = timeouts.header_read.min(timeouts.idle);
        loop {
            let now = Instant::now();
            let phase = self.phase();
            let at = if phase.in_flight > 0 {
                now + recheck
            } else if phase.reading_head {
                (phase.since + timeouts.header_read).min(now + recheck)
            } else {
                (phase.since + timeouts.idle).min(now + timeouts.header_read)
            };
            if phase.in_flight == 0 && at <= now {
                return;
            }
            tokio::time::sleep_until(at).await;
        }
    }
}

/// A request under way on a connection; dropping it ends the request.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(activity: Arc<Activity>) -> Self {
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

/// The connection's stream, telling [`Activity`] when bytes arrive, and replacing hyper's
/// empty refusals of unparsable requests with CSMS-shaped ones as they are written.
struct WatchedIo<S> {
    inner: S,
    activity: Arc<Activity>,
    replacing: Option<Replacing>,
}

/// A refusal being written in place of hyper's: the bytes, how many are out, and how many
/// of hyper's bytes they stand for.
struct Replacing {
    bytes: Vec<u8>,
    written: usize,
    stands_for: usize,
}

impl<S: AsyncRead + Unpin> AsyncRead for WatchedIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_arrived();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WatchedIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none() {
            this.replacing = refusal::rewrite(data).map(|bytes| Replacing {
                bytes,
                written: 0,
                stands_for: data.len(),
            });
        }
        let Some(replacing) = &mut this.replacing else {
            return Pin::new(&mut this.inner).poll_write(cx, data);
        };
        // hyper offers the same bytes again after a Pending; what is out stays out.
        while replacing.written < replacing.bytes.len() {
            match Pin::new(&mut this.inner).poll_write(cx, &replacing.bytes[replacing.written..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => replacing.written += n,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
        let stands_for = replacing.stands_for;
        this.replacing = None;
        Poll::Ready(Ok(stands_for))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        // A refusal is a header block alone: one slice, which `poll_write` replaces.
        let Some(first) = bufs.iter().find(|b| !b.is_empty()) else {
            return Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        };
        if self.replacing.is_none() {
            self.replacing = refusal::rewrite(first).map(|bytes| Replacing {
                bytes,
                written: 0,
                stands_for: first.len(),
            });
        }
        if self.replacing.is_some() {
            self.poll_write(cx, first)
        } else {
            Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
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
