//! How a connection is told to close, by a timeout or by shutdown, without its task
//! polling anything but the connection itself.
//!
//! Each connection runs as two tasks: the connection's own, polled for every request, and
//! a watchdog that sleeps until a timeout is due, shutdown begins or the connection ends.
//! They share one [`Closing`]: the watchdog asks the connection to close and wakes its
//! task; the connection's end wakes the watchdog. When the timer and the shutdown signal
//! were polled beside the connection, they were polled for every request too, and polling
//! the shutdown signal locks a mutex that every connection shares.
//!
//! A request that begins while the watchdog asks is never cut: the connection's task
//! first reads what has arrived, then closes only if the phase is still overdue (only
//! that task begins requests and reads bytes, so nothing changes the phase between its
//! look and its close); otherwise it declines, and the watchdog watches on.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use hyper_util::server::graceful::GracefulConnection;
use tokio::sync::watch;

use super::activity::{Activity, Timeouts};

/// What a connection's task and its watchdog share.
#[derive(Debug, Default)]
pub(super) struct Closing {
    /// The watchdog asks the connection to close at once (a phase outlasted its timeout).
    close_now: AtomicBool,
    /// The watchdog asks the connection to answer the requests under way, then close.
    finish_then_close: AtomicBool,
    /// The connection's task, woken when the watchdog asks.
    connection: AtomicWaker,
    /// Whether the connection has ended: its future finished or was dropped.
    ended: AtomicBool,
    /// The watchdog's task, woken when the connection ends or declines to close.
    watchdog: AtomicWaker,
}

impl Closing {
    fn ask(&self, flag: &AtomicBool) {
        flag.store(true, Ordering::Release);
        self.connection.wake();
    }

    fn end(&self) {
        self.ended.store(true, Ordering::Release);
        self.watchdog.wake();
    }

    /// Completes once `settled` holds, checked each time the connection wakes the watchdog.
    async fn until(&self, settled: impl Fn(&Self) -> bool) {
        std::future::poll_fn(|cx| {
            if settled(self) {
                return Poll::Ready(());
            }
            self.watchdog.register(cx.waker());
            // A change between the first look and the registration woke no one.
            if settled(self) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }

    fn has_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// The connection ended, or declined to close at once.
    fn answered(&self) -> bool {
        self.has_ended() || !self.close_now.load(Ordering::Acquire)
    }
}

/// A connection that can be asked to answer its requests under way and then close:
/// hyper's connections (`GracefulConnection` is sealed, so tests bring their own).
pub(super) trait Graceful: Future {
    fn begin_graceful_shutdown(self: Pin<&mut Self>);
}

impl<C: GracefulConnection> Graceful for C {
    fn begin_graceful_shutdown(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

/// How a connection ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Ended<T> {
    /// The connection finished: the client closed it, or it closed after a graceful
    /// shutdown.
    Served(T),
    /// Its watchdog closed it: a phase outlasted its timeout.
    TimedOut,
}

pin_project_lite::pin_project! {
    /// A connection that closes when its [`Closing`] asks: at once, if its phase is still
    /// overdue, or once the requests under way are answered.
    pub(super) struct Closable<C> {
        #[pin]
        connection: C,
        closing: Arc<Closing>,
        activity: Arc<Activity>,
        timeouts: Timeouts,
        graceful_begun: bool,
    }

    impl<C> PinnedDrop for Closable<C> {
        fn drop(this: Pin<&mut Self>) {
            this.project().closing.end();
        }
    }
}

impl<C> Closable<C> {
    pub(super) fn new(
        connection: C,
        closing: Arc<Closing>,
        activity: Arc<Activity>,
        timeouts: Timeouts,
    ) -> Self {
        Self {
            connection,
            closing,
            activity,
            timeouts,
            graceful_begun: false,
        }
    }
}

impl<C: Graceful> Future for Closable<C> {
    type Output = Ended<C::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        // Registered before the flags are read, so an ask made after the read wakes us.
        this.closing.connection.register(cx.waker());
        if !*this.graceful_begun && this.closing.finish_then_close.load(Ordering::Acquire) {
            *this.graceful_begun = true;
            this.connection.as_mut().begin_graceful_shutdown();
        }
        // Polled before an ask to close is looked at, so that bytes that came before this
        // task acted on the ask (a request sent as the idle deadline passed) are read: they
        // end the idleness, and the head they begin gets its own header-read deadline
        // instead of being cut. A head that was already arriving keeps its deadline: the
        // bytes read do not restart it.
        if let Poll::Ready(served) = this.connection.poll(cx) {
            return Poll::Ready(Ended::Served(served));
        }
        if this.closing.close_now.load(Ordering::Acquire) {
            if this.activity.overdue(*this.timeouts) {
                return Poll::Ready(Ended::TimedOut);
            }
            // A head or a request began after the watchdog looked: serve on.
            this.closing.close_now.store(false, Ordering::Release);
            this.closing.watchdog.wake();
        }
        Poll::Pending
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
    let ended = closing.until(Closing::has_ended);
    tokio::pin!(ended);
    let mut stopping = false;
    loop {
        tokio::select! {
            // Checked first: once the connection has ended, an overdue phase means nothing.
            biased;
            () = &mut ended => return,
            () = activity.expired(timeouts) => {
                closing.ask(&closing.close_now);
                closing.until(Closing::answered).await;
            }
            () = shutdown_begins(&mut shutdown), if !stopping => {
                stopping = true;
                closing.ask(&closing.finish_then_close);
            }
        }
    }
}

/// Completes when `shutdown` turns `true`, or its sender is dropped (shutdown too).
pub(super) async fn shutdown_begins(shutdown: &mut watch::Receiver<bool>) {
    // The value it returns is a lock guard, dropped here rather than held by the caller.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::server::activity::InFlight;

    const TIMEOUTS: Timeouts = Timeouts {
        header_read: Duration::from_secs(10),
        idle: Duration::from_secs(60),
    };

    /// A connection that never finishes by itself, and counts graceful shutdowns. When
    /// given bytes waiting in its socket, it reads them at its next poll, as hyper would.
    #[derive(Default)]
    struct Pending {
        graceful: usize,
        bytes_waiting: Option<Arc<Activity>>,
    }

    impl Future for Pending {
        type Output = ();

        fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            if let Some(activity) = self.bytes_waiting.take() {
                activity.bytes_arrived();
            }
            Poll::Pending
        }
    }

    impl Graceful for Pending {
        fn begin_graceful_shutdown(mut self: Pin<&mut Self>) {
            self.graceful += 1;
        }
    }

    /// A stand-in connection and its watchdog, just accepted.
    struct Watched {
        closing: Arc<Closing>,
        activity: Arc<Activity>,
        connection: Pin<Box<Closable<Pending>>>,
        stop: watch::Sender<bool>,
        watchdog: tokio::task::JoinHandle<()>,
    }

    fn watched() -> Watched {
        let (closing, activity) = (Arc::new(Closing::default()), Arc::new(Activity::new()));
        let connection = Box::pin(Closable::new(
            Pending::default(),
            Arc::clone(&closing),
            Arc::clone(&activity),
            TIMEOUTS,
        ));
        let (stop, shutdown) = watch::channel(false);
        let watchdog = tokio::spawn(watch_over(
            Arc::clone(&closing),
            Arc::clone(&activity),
            TIMEOUTS,
            shutdown,
        ));
        Watched {
            closing,
            activity,
            connection,
            stop,
            watchdog,
        }
    }

    /// Lets the watchdog run until it has asked the connection to close at once.
    async fn until_asked(closing: &Closing) {
        for _ in 0..100 {
            if closing.close_now.load(Ordering::Acquire) {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the watchdog never asked");
    }

    fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(std::task::Waker::noop()))
    }

    impl Watched {
        /// `after` from now the watchdog asks, and the connection closes as timed out;
        /// the watchdog ends with it.
        async fn closes_as_timed_out(self, after: Duration) {
            let Self {
                closing,
                mut connection,
                stop: _stop,
                watchdog,
                ..
            } = self;
            tokio::time::sleep(after).await;
            until_asked(&closing).await;
            assert_eq!(poll_once(connection.as_mut()), Poll::Ready(Ended::TimedOut));
            drop(connection);
            watchdog.await.unwrap();
        }

        /// Once the watchdog has asked, the connection declines and serves on, and the
        /// watchdog watches on.
        async fn declines_and_serves_on(&mut self) {
            assert_eq!(poll_once(self.connection.as_mut()), Poll::Pending);
            assert!(!self.closing.close_now.load(Ordering::Acquire));
            tokio::task::yield_now().await;
            assert!(!self.watchdog.is_finished());
        }

        /// Has the stand-in connection find bytes in its socket at its next poll.
        fn bytes_arrive(&mut self) {
            let activity = Arc::clone(&self.activity);
            self.connection.as_mut().project().connection.bytes_waiting = Some(activity);
        }
    }

    // On tokio's paused clock: time moves only when every task waits.

    #[tokio::test(start_paused = true)]
    async fn an_overdue_connection_closes_when_its_watchdog_asks() {
        watched().closes_as_timed_out(TIMEOUTS.header_read).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_begun_after_the_watchdog_asked_is_served_and_watched_on() {
        let mut watched = watched();
        tokio::time::sleep(TIMEOUTS.header_read).await;
        until_asked(&watched.closing).await;
        // The connection's task began a request before it saw the ask.
        let request = InFlight::begin(Arc::clone(&watched.activity));
        watched.declines_and_serves_on().await;

        // Once the request ends, the idle timeout counts from its end.
        drop(request);
        watched.closes_as_timed_out(TIMEOUTS.idle).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_waiting_in_the_socket_when_the_idle_deadline_passes_is_served() {
        let mut watched = watched();
        drop(InFlight::begin(Arc::clone(&watched.activity)));
        tokio::time::sleep(TIMEOUTS.idle).await;
        until_asked(&watched.closing).await;
        // The next request's bytes came in just as the idle deadline passed.
        watched.bytes_arrive();
        watched.declines_and_serves_on().await;

        // The head they began has a header-read timeout of its own, counted from them.
        watched.closes_as_timed_out(TIMEOUTS.header_read).await;
    }

    #[tokio::test(start_paused = true)]
    async fn bytes_of_a_head_already_arriving_do_not_put_off_its_deadline() {
        let mut watched = watched();
        // A first head, arriving since the accept, a byte at a time: more of it comes in
        // just as its deadline passes.
        tokio::time::sleep(TIMEOUTS.header_read).await;
        until_asked(&watched.closing).await;
        watched.bytes_arrive();
        watched.closes_as_timed_out(Duration::ZERO).await;
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_asks_once_for_a_graceful_close_and_the_watchdog_ends_with_the_connection() {
        let Watched {
            activity,
            mut connection,
            stop,
            watchdog,
            ..
        } = watched();
        let _request = InFlight::begin(Arc::clone(&activity));
        stop.send_replace(true);
        tokio::task::yield_now().await;
        for _ in 0..2 {
            assert_eq!(poll_once(connection.as_mut()), Poll::Pending);
        }
        assert_eq!(connection.as_mut().project().connection.graceful, 1);
        assert!(!watchdog.is_finished());
        drop(connection);
        watchdog.await.unwrap();
        // The watchdog dropped its receiver: shutdown's wait for connections is over.
        assert!(stop.is_closed());
    }
}
