//! csms-emulator: a local emulator of Huawei Cloud's Cloud Secret Management Service.
//!
//! Dependencies point one way:
//! - [`api`]: axum routes, extractors and wire types; calls one service method per request.
//! - [`service`]: one method per CSMS operation; every rule lives here or in `domain`,
//!   except the few `store` checks at commit, under its lock (see [`store`]).
//! - [`domain`]: validated names, limits, values, passwords and the secret aggregate's
//!   state machine.
//! - [`store`]: the storage trait with atomic transactions, and its backends.
//! - [`fixture_file`]: under `service`, over `domain`: the fixture document `--seed` loads
//!   and export writes, parsed into domain records that `service` checks and loads.
//! - [`smn`]: beside `api`, over `service`: delivers the service's pending notification
//!   records to SMN subscriptions and calls rotation functions, off the request path.
//! - [`error`] and [`clock`] are leaves every layer may use; [`config`], [`telemetry`] (the
//!   log: its line format and its batching writer) and [`app`] compose the whole for
//!   `main.rs`.
//!
//! The files of `service`, `domain` and `store` form no import circle. Where a folder's
//! `mod.rs` would be both what its parts import and what imports them (`service/`, `domain/secret/`, `store/sqlite/`,
//! `domain/password/`), it only declares the parts and re-exports them for outside
//! users; the parts import one another by file (`service/handle.rs` holds
//! `CsmsService`).

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod control;
pub mod domain;
pub mod error;
pub mod fixture_file;
pub mod healthcheck;
pub mod http_client;
pub mod server;
pub mod service;
pub mod smn;
pub mod store;
pub mod telemetry;
pub mod tls;
