//! Waiting for a durable commit without holding a runtime thread.
//!
//! A durable store applies a transaction in memory and queues it for its disk writer; the
//! caller must not be answered before the disk commit. Blocking the calling thread until
//! then parks a runtime worker per write, and the wake-ups cost more than the writes. So
//! a request runs inside [`scope`]: the store registers a ticket there instead of
//! blocking, and the request middleware awaits every ticket ([`Tickets::settle`]) before
//! the answer leaves. Outside a scope (start-up, the sweeper, tests) the store blocks.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::sync::oneshot;

use std::sync::Arc;

use crate::error::CsmsError;
use crate::error::StoreError;

/// What a disk writer reports for one job: `Ok` once it is durable, else the cause, shared
/// by every job of the failed batch.
pub type Outcome = Result<(), Arc<StoreError>>;

/// The commits a request still waits for.
#[derive(Debug, Default)]
pub struct Tickets(Vec<oneshot::Receiver<Outcome>>);

tokio::task_local! {
    static TICKETS: RefCell<Tickets>;
}

/// Runs `work` so that durable writes inside it register tickets in the returned
/// [`Tickets`] instead of blocking. The list lives in the task itself: nothing is
/// allocated for a request that writes nothing.
pub fn scope<F: Future>(work: F) -> Scoped<F> {
    Scoped {
        work: TICKETS.scope(RefCell::default(), work),
    }
}

pin_project_lite::pin_project! {
    /// The future [`scope`] returns. A struct rather than an `async fn`, which would hold
    /// `work` twice (its argument, then the scope it is moved into), and every request's
    /// future runs in one.
    pub struct Scoped<F: Future> {
        #[pin]
        work: tokio::task::futures::TaskLocalFuture<RefCell<Tickets>, F>,
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = (F::Output, Tickets);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut work = self.project().work;
        let output = ready!(work.as_mut().poll(cx));
        let tickets = work.take_value().unwrap_or_default();
        Poll::Ready((output, tickets.into_inner()))
    }
}

/// A sender for a new ticket of the current scope, or `None` outside any scope (the caller
/// then waits itself).
#[must_use]
pub fn ticket() -> Option<oneshot::Sender<Outcome>> {
    TICKETS
        .try_with(|tickets| {
            let (done, wait) = oneshot::channel();
            tickets.borrow_mut().0.push(wait);
            done
        })
        .ok()
}

impl Tickets {
    /// How many commits are registered and not settled yet.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        self.0.len()
    }

    /// Waits until every registered commit is durable; the first failure is returned.
    pub async fn settle(self) -> Result<(), CsmsError> {
        let mut result = Ok(());
        for wait in self.0 {
            let outcome = wait
                .await
                .unwrap_or_else(|_| Err(Arc::new(StoreError::WriterStopped)));
            if let (Ok(()), Err(e)) = (&result, outcome) {
                result = Err(StoreError::Commit(e).into());
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ticket_exists_only_inside_a_scope_and_settles_with_its_outcome() {
        assert!(ticket().is_none());
        let ((), tickets) = scope(async {
            ticket().unwrap().send(Ok(())).unwrap();
        })
        .await;
        assert!(tickets.settle().await.is_ok());

        let ((), tickets) = scope(async {
            ticket().unwrap().send(Ok(())).unwrap();
            let disk_full = StoreError::Seal("disk full");
            ticket().unwrap().send(Err(Arc::new(disk_full))).unwrap();
        })
        .await;
        let err = tickets.settle().await.unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");

        let ((), tickets) = scope(async {
            drop(ticket().unwrap());
        })
        .await;
        assert!(tickets.settle().await.is_err());
    }
}
