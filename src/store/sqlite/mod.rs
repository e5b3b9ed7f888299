//! The durable store: SQLite (bundled, WAL) behind the in-memory store. Every committed
//! transaction is queued for disk, in commit order, while the memory lock is held, and its
//! caller is answered only once it is on disk, so an acknowledged change survives `kill -9`
//! (WAL with `synchronous=NORMAL` loses nothing when only the process dies). Reads are
//! served from memory. Secret values are sealed by the vault; no value is stored in
//! plaintext.
//!
//! This file only declares the parts and re-exports what the rest of the crate uses:
//! `backend.rs` owns the store and its threads' lifetimes, `writer.rs` is the group-commit
//! writer, `checkpoint.rs` keeps the WAL bounded, `rows.rs` owns the row layout,
//! `codec.rs` how a row's body is encoded, `schema.rs` the formats and `files.rs` the directory and its modes.

mod backend;
mod checkpoint;
mod codec;
mod files;
mod rows;
mod schema;
mod writer;

pub use backend::SqliteStore;
pub use files::DB_FILE;
pub use schema::FORMAT;

#[cfg(test)]
mod tests;
