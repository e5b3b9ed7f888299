//! API tests: every route through the real router with `oneshot`, plus one real-socket
//! smoke test. One binary; one file per resource.

// Test code: a failed unwrap is a failed test, and case tables make long functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod admin;
mod auth;
mod backends;
mod backup_rotation;
mod batch;
mod concurrency;
mod console;
mod errors;
mod functions;
mod helpers;
mod hostile;
mod lifecycle;
mod peripheral;
mod random_requests;
mod secrets;
mod seed;
mod smn;
mod socket;
mod tags_events;
mod versions;
