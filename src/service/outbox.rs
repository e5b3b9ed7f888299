//! What delivers notifications and calls rotation functions, as the service sees it
//! (docs/behaviour.md §56): a notification record whose topic has subscriptions is
//! committed pending, in the same transaction as the change, so it is the outbox entry;
//! the deliverer is woken after the commit, reads the pending records (`deliveries.rs`)
//! and settles each with its outcome. Knows nothing of HTTP.

/// What delivers notifications, as the service sees it.
pub trait Outbox: Send + Sync {
    /// Whether anything subscribes to this SMN topic: only then is a record pending.
    fn has_subscriptions(&self, topic_urn: &str) -> bool;
    /// Whether a rotation function URN is mapped to an endpoint: only then does a
    /// database secret rotate through its function (docs/behaviour.md §59).
    fn has_function(&self, _urn: &str) -> bool {
        false
    }
    /// Called after a commit that left a record or a task pending.
    fn committed(&self);
}

/// No deliveries: every record is settled when it is made (the emulator without `smn`).
#[derive(Debug, Default)]
pub struct NoOutbox;

impl Outbox for NoOutbox {
    fn has_subscriptions(&self, _topic_urn: &str) -> bool {
        false
    }

    fn committed(&self) {}
}
