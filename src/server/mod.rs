//! The HTTP/1.1 server: accepts connections (plain, or TLS when given a rustls
//! configuration), serves the router on each, and closes connections that hold resources
//! without using them:
//!
//! - a new connection's first request head must arrive within the header-read timeout of
//!   the accept, so a connection that sends nothing is closed then too;
//! - a later request head must arrive within the header-read timeout of its first byte;
//! - a keep-alive connection with no request under way is closed after the idle timeout;
//! - a TLS handshake must finish within the header-read timeout, and is cut at shutdown.
//!
//! Requests hyper's parser refuses are answered by hyper itself; those answers get a
//! CSMS-shaped body on the way out (`refusal`).
//!
//! A request being served is never cut (handlers may be slowed on purpose by fault rules);
//! its body is read under the body-read timeout by the router itself (`api::body`).
//! On shutdown, listening stops, idle connections close, and requests under way finish
//! (for at most ten seconds).
//!
//! The timeouts and shutdown are watched by a task beside each connection's (`closing`),
//! so serving a request polls nothing but the connection.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::watch;

mod activity;
mod closing;
mod refusal;

pub use activity::Timeouts;
use activity::{Activity, InFlight};

/// How long requests under way may take to finish once shutdown begins.
const DRAIN: Duration = Duration::from_secs(10);

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
    // Every connection holds a receiver until it ends: shutdown sends `true`, then waits
    // for the last receiver to drop.
    let (stopping, stop_signal) = watch::channel(false);
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
                    shutdown: stop_signal.clone(),
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
                            // No request can be under way yet: shutdown ends the handshake
                            // at once, as it closes an idle connection.
                            let mut stopping = connection.shutdown.clone();
                            tokio::select! {
                                handshake = handshake => match handshake {
                                    Ok(Ok(stream)) => connection.run(stream).await,
                                    Ok(Err(err)) => tracing::debug!(%err, "TLS handshake failed"),
                                    Err(_) => tracing::debug!("TLS handshake timed out"),
                                },
                                () = closing::shutdown_begins(&mut stopping) => {
                                    tracing::debug!("TLS handshake cut by shutdown");
                                }
                            }
                        });
                    }
                }
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    drop(stop_signal);
    stopping.send_replace(true);
    if tokio::time::timeout(DRAIN, stopping.closed())
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
    /// Turns `true` when shutdown begins.
    shutdown: watch::Receiver<bool>,
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
        let closing = Arc::new(closing::Closing::default());
        tokio::spawn(closing::watch_over(
            Arc::clone(&closing),
            Arc::clone(&activity),
            self.timeouts,
            self.shutdown,
        ));
        let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
        match closing::Closable::new(connection, closing, activity, self.timeouts).await {
            closing::Ended::Served(Ok(())) => {}
            closing::Ended::Served(Err(err)) => {
                tracing::debug!(%err, "connection ended with an error");
            }
            closing::Ended::TimedOut => tracing::debug!("connection closed by a timeout"),
        }
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
