//! The CSMS operations: one method per operation on [`CsmsService`], with every rule
//! applied here or in `domain`. Takes plain request data, returns domain views; knows
//! nothing of HTTP.
//!
//! This file only declares the parts and re-exports what the rest of the crate uses.
//! `handle.rs` holds the handle and the transaction helpers every operation builds on;
//! the steps a write runs inside its transaction (`due.rs`, `rotation.rs`, `notify.rs`)
//! and the types the handle holds (`outbox.rs`, `backup_blob.rs`) import no operation;
//! each other file adds the operations on one resource as an `impl CsmsService` block.

mod agencies;
mod backup;
mod backup_blob;
mod batch;
mod browse;
mod checker;
mod clock;
mod deliveries;
mod due;
mod events;
mod fixtures;
mod function_templates;
mod functions;
mod grants;
mod handle;
mod listing;
mod notify;
pub mod outbox;
mod random_password;
mod rotation;
mod secrets;
mod state;
mod sweep;
mod tags;
mod tasks;
mod users;
mod versions;

pub use backup_blob::BackupKey;
pub use batch::{
    BatchDeleteFilter, BatchDeleteReport, BatchImportReport, ImportFailure, ImportItem,
};
pub use browse::{BROWSE_LIMIT_MAX, BrowseFilter, BrowsePage, BrowseRow};
pub use deliveries::PendingNotification;
pub use events::{EventPatch, NewEvent};
pub use fixtures::{CheckedFixture, Seeded, SeededProject, check_fixture};
pub use functions::{PendingRotation, RotationCall};
pub use handle::CsmsService;
pub use listing::Listing;
pub use notify::iso_seconds;
pub use outbox::{NoOutbox, Outbox};
pub use rotation::RotationOutcome;
pub use secrets::{NewSecret, SecretFilter};
pub use tags::{ResourcePage, ResourceSearch, Search, TagAction};
pub use tasks::{TaskFilter, TaskListing};
pub use users::{DOMAIN_ID, PasswordChange, UserFilter, UserInfo, UserView};
pub use versions::{CreateVersion, StageInfo, VersionInfo};

#[cfg(test)]
mod tests;
