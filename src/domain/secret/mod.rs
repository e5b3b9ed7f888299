//! The secret aggregate: metadata, versions and the stage map, with every state transition
//! as a method that takes `now` and changes nothing unless all its checks pass.
//!
//! This file only declares the parts and re-exports what the rest of the crate uses:
//! `aggregate.rs` holds the [`Secret`] type itself, `settings.rs` its validated settings,
//! `last_used.rs` its read marks, `sparse.rs` the box of fields most secrets leave unset; `stages.rs`, `lifecycle.rs` and `tags.rs` add
//! transitions, `record.rs` the serializable image, `create.rs` the create request's own checks.

mod aggregate;
pub mod create;
mod last_used;
mod lifecycle;
#[cfg(test)]
mod proptests;
mod record;
mod settings;
mod sparse;
mod stages;
mod tags;

pub use aggregate::{NewVersion, Secret, SecretState, StageEntry, Version};
pub use last_used::LastUsed;
pub use lifecycle::{
    DueWork, RECOVERY_DAYS_DEFAULT, RECOVERY_DAYS_MAX, RECOVERY_DAYS_MIN, RecoveryWindow,
    SettingsPatch,
};
pub use record::{SecretRecord, StageRecord, Unversioned, VersionRecord};
pub use settings::{DEFAULT_ENTERPRISE_PROJECT, SecretSettings, SettingsExtras};

#[cfg(test)]
mod tests;
