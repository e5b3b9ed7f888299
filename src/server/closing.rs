//! How a connection is told to close, by a timeout or by shutdown, without its task
//! polling anything but the connection itself.
//!
//! Each connection runs as two tasks: the connection's own, polled for every request, and
//! a watchdog that sleeps until a timeout is due, shutdown begins or the connection ends.
//! They share one [`Closing`]: the watchdog asks the connection to close and wakes its
//! task; the connection's end wakes the watchdog. When the timer and the shutdown signal
//! were polled beside the connection, they were polled for every request too, and polling
//! the shutdown signal locks a mutex that every connection shares.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use hyper_util::server::graceful::GracefulConnection;
use tokio::sync::watch;

use super::activity::{Activity, Timeouts};

/// Nothing asked: the connection serves on.
const OPEN: u8 = 0;
/// Finish the requests under way, then close (hyper's graceful shutdown).
const FINISH_THEN_CLOSE: u8 = 1;
/// Close at once: only asked of a connection with no request under way.
const CLOSE_NOW: u8 = 2;

/// What a connection's task and its watchdog share.
#[derive(Debug, Default)]
pub(super) struct Closing {
    /// What the watchdog asks of the connection: [`OPEN`], [`FINISH_THEN_CLOSE`] or
    /// [`CLOSE_NOW`]; it only ever grows.
    asked: AtomicU8,
    /// The connection's task, woken when `asked` changes.
    connection: AtomicWaker,
    /// Whether the connection has ended: its future finished or was dropped.
    ended: AtomicBool,
    /// The watchdog's task, woken when the connection ends.
    watchdog: AtomicWaker,
}

impl Closing {
    fn ask(&self, what: u8) {
        self.asked.fetch_max(what, Ordering::AcqRel);
        self.connection.wake();
    }

    fn end(&self) {
        self.ended.store(true, Ordering::Release);
        self.watchdog.wake();
    }

    /// Completes once the connection has ended.
    async fn ended(&self) {
        std::future::poll_fn(|cx| {
            if self.ended.load(Ordering::Acquire) {
                return Poll::Ready(());
            }
            self.watchdog.register(cx.waker());
            // An end between the first look and the registration woke no one.
            if self.ended.load(Ordering::Acquire) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

/// How a connection ended.
pub(super) enum Ended<E> {
    /// hyper finished it: the client closed it, or it closed after a graceful shutdown.
    Served(Result<(), E>),
    /// Its watchdog closed it: a phase outlasted its timeout.
    TimedOut,
}

pin_project_lite::pin_project! {
    /// A connection that closes when its [`Closing`] asks: at once, or once the requests
    /// under way are answered.
    pub(super) struct Closable<C> {
        #[pin]
        connection: C,
        closing: Arc<Closing>,
        graceful_begun: bool,
    }

    impl<C> PinnedDrop for Closable<C> {
        fn drop(this: Pin<&mut Self>) {
            this.project().closing.end();
        }
    }
}

impl<C> Closable<C> {
    pub(super) fn new(connection: C, closing: Arc<Closing>) -> Self {
        Self {
            connection,
            closing,
            graceful_begun: false,
        }
    }
}

impl<C: GracefulConnection> Future for Closable<C> {
    type Output = Ended<C::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        // Registered before `asked` is read, so an ask made after the read wakes the task.
        this.closing.connection.register(cx.waker());
        match this.closing.asked.load(Ordering::Acquire) {
            OPEN => {}
            FINISH_THEN_CLOSE => {
                if !*this.graceful_begun {
                    *this.graceful_begun = true;
                    this.connection.as_mut().graceful_shutdown();
                }
            }
            _ => return Poll::Ready(Ended::TimedOut),
        }
        this.connection.poll(cx).map(Ended::Served)
    }
}

/// One connection's watchdog: asks the connection to close once a phase of `activity`
/// outlasts its timeout, and to finish its requests and close once `shutdown` turns true;
/// ends when the connection does. It holds `shutdown` until then, so that shutdown can
/// wait for every connection to end.
pub(super) async fn watch_over(
    closing: Arc<Closing>,
    activity: Arc<Activity>,
    timeouts: Timeouts,
    mut shutdown: watch::Receiver<bool>,
) {
    let ended = closing.ended();
    let expired = activity.expired(timeouts);
    tokio::pin!(ended, expired);
    let mut stopping = false;
    loop {
        tokio::select! {
            () = &mut ended => return,
            () = &mut expired => {
                closing.ask(CLOSE_NOW);
                ended.await;
                return;
            }
            // The sender dropped: shutdown too.
            () = shutdown_begins(&mut shutdown), if !stopping => {
                stopping = true;
                closing.ask(FINISH_THEN_CLOSE);
            }
        }
    }
}

/// Completes when `shutdown` turns `true`, or its sender is dropped.
async fn shutdown_begins(shutdown: &mut watch::Receiver<bool>) {
    // The value it returns is a lock guard, dropped here rather than held by the caller.
    let _ = shutdown.wait_for(|stop| *stop).await.is_ok();
}
