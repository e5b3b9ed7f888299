//! csms-emulator: a local emulator of Huawei Cloud's Cloud Secret Management Service.
//!
//! Dependencies point one way, top to bottom (`tests/architecture.rs` checks it):
//! - [`app`], [`server`], [`config`]: compose the whole for `main.rs`: settings, the
//!   listener, the router and the background tasks.
//! - [`api`]: the HTTP edge, and the only layer that parses input. `api/handlers/` holds
//!   one file per resource (extract, call one service method, answer); `api/wire/` the
//!   request and response types per resource, each body's parse into a validated command;
//!   `api/operations/` the operation table that drives dispatch, auth, the journal,
//!   metrics, faults and the OpenAPI document. [`smn`] sits beside it, over `service`:
//!   it delivers pending notification records to SMN subscriptions and calls rotation
//!   functions, off the request path.
//! - [`auth`], [`control`] (faults, journal, metrics, request log), [`telemetry`] (the
//!   log's line format and batching writer), [`tls`], [`healthcheck`]: what the edge and
//!   the composition use.
//! - [`service`]: one method per CSMS operation, taking domain types; every rule lives
//!   here or in `domain`, except the few `store` checks at commit, under its lock (see
//!   [`store`]).
//! - [`store`]: the storage trait with atomic transactions, and its backends.
//! - [`domain`]: validated names, limits, values, passwords and the secret aggregate's
//!   state machine; [`fixture_file`] beside it: the fixture document `--seed` loads and
//!   export writes, parsed into domain records that `service` checks and loads.
//! - [`error`], [`clock`] and [`http_client`] are leaves every layer may use.
//!
//! No two files of `src/` import each other, directly or around a loop. Where a folder's
//! `mod.rs` would be both what its parts import and what imports them (`service/`,
//! `domain/secret/`, `store/sqlite/`, `domain/password/`), it only declares the parts and
//! re-exports them for outside users; the parts import one another by file
//! (`service/handle.rs` holds `CsmsService`).

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
