//! The secret aggregate: metadata, versions and the stage map, with every state transition
//! as a method that takes `now` and changes nothing unless all its checks pass.

pub mod create;
mod lifecycle;
#[cfg(test)]
mod proptests;
mod record;
mod stages;
mod tags;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use uuid::Uuid;

use crate::clock::Millis;
use crate::error::CsmsError;

pub use lifecycle::{
    DueWork, RECOVERY_DAYS_DEFAULT, RECOVERY_DAYS_MAX, RECOVERY_DAYS_MIN, RecoveryWindow,
    SettingsPatch,
};
pub use record::{SecretRecord, StageRecord, VersionRecord};

use super::limits::VERSIONS_MAX;
use super::names::{EventName, KmsKeyId, SecretName, StageName, VersionNumber, VersionRef};
use super::rotation::{RotationConfig, RotationPeriod, SecretType};
use super::value::SecretValue;

/// A secret's lifecycle state (docs/behaviour.md §17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretState {
    Enabled,
    Disabled,
    PendingDelete,
    Frozen,
}

impl SecretState {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
            Self::PendingDelete => "PENDING_DELETE",
            Self::Frozen => "FROZEN",
        }
    }
}

/// One stored value of a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub number: VersionNumber,
    pub create_time: Millis,
    /// Milliseconds, truncated to whole seconds.
    pub expire_time: Option<Millis>,
    /// The key in force when this version was created (docs/behaviour.md §20).
    pub kms_key_id: KmsKeyId,
    pub value: SecretValue,
    /// Whether the version-expired event fired for the current `expire_time`.
    pub expiry_notified: bool,
}

/// Where one stage label points; the stage list is the single truth of labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageEntry {
    pub name: StageName,
    pub version: VersionNumber,
    pub update_time: Millis,
}

/// The settings a secret is created with, already validated.
#[derive(Debug, Clone)]
pub struct SecretSettings {
    pub name: SecretName,
    pub kms_key_id: KmsKeyId,
    pub description: String,
    pub secret_type: SecretType,
    pub auto_rotation: bool,
    pub rotation_period: Option<RotationPeriod>,
    pub rotation_config: Option<RotationConfig>,
    pub event_subscriptions: Vec<EventName>,
    pub enterprise_project_id: String,
    pub rotation_func_urn: Option<String>,
}

impl SecretSettings {
    /// Plain COMMON settings with the project's default key, for tests.
    #[cfg(test)]
    pub(crate) fn for_test(name: &str) -> Self {
        use super::names::ProjectId;
        Self {
            name: SecretName::parse_for_import(name).expect("valid test name"),
            kms_key_id: KmsKeyId::project_default(&ProjectId::parse("p").expect("valid id")),
            description: String::new(),
            secret_type: SecretType::Common,
            auto_rotation: false,
            rotation_period: None,
            rotation_config: None,
            event_subscriptions: Vec::new(),
            enterprise_project_id: DEFAULT_ENTERPRISE_PROJECT.into(),
            rotation_func_urn: None,
        }
    }
}

/// The enterprise project a secret belongs to when the request names none.
pub const DEFAULT_ENTERPRISE_PROJECT: &str = "0";

impl SecretSettings {
    /// Whether the secret is in the default enterprise project (then it carries no
    /// `_sys_enterprise_project_id` tag).
    #[must_use]
    pub fn in_default_enterprise_project(&self) -> bool {
        self.enterprise_project_id == DEFAULT_ENTERPRISE_PROJECT
    }
}

/// The value and labels of a version about to be created.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub value: SecretValue,
    /// `None` means the default, `["SYSCURRENT"]`.
    pub stages: Option<Vec<StageName>>,
    pub expire_time: Option<Millis>,
}

/// When a secret's value was last read. Reads mark it without a write transaction: the
/// cell is shared by every snapshot of the secret, and its moment is kept with the secret
/// the next time the secret is written, or at a graceful stop (docs/behaviour.md §48).
#[derive(Debug, Clone)]
pub struct LastUsed(Arc<ReadMarks>);

/// The latest read, and the latest one written to the store.
#[derive(Debug)]
struct ReadMarks {
    latest: AtomicI64,
    kept: AtomicI64,
}

impl Default for LastUsed {
    fn default() -> Self {
        Self::at(None)
    }
}

/// The cell's "never read" value.
const NEVER_USED: Millis = Millis::MIN;

impl LastUsed {
    /// A cell holding `moment`, as loaded from the store (so already kept).
    pub(crate) fn at(moment: Option<Millis>) -> Self {
        let moment = moment.unwrap_or(NEVER_USED);
        Self(Arc::new(ReadMarks {
            latest: AtomicI64::new(moment),
            kept: AtomicI64::new(moment),
        }))
    }

    /// The moment of the last value read, if any.
    #[must_use]
    pub fn get(&self) -> Option<Millis> {
        Some(self.0.latest.load(Ordering::Relaxed)).filter(|t| *t != NEVER_USED)
    }

    /// Records a value read at `now` (never moving the moment back).
    pub fn mark(&self, now: Millis) {
        // Reads of one secret within a millisecond share the mark: only a later moment
        // writes the cell, so busy readers do not contend on it.
        if self.0.latest.load(Ordering::Relaxed) < now {
            self.0.latest.fetch_max(now, Ordering::Relaxed);
        }
    }

    /// Notes that the store was given `moment` (what [`LastUsed::get`] said when the
    /// secret's row was made).
    pub fn kept(&self, moment: Option<Millis>) {
        self.0
            .kept
            .fetch_max(moment.unwrap_or(NEVER_USED), Ordering::Relaxed);
    }

    /// Whether a read happened after the last moment the store was given.
    #[must_use]
    pub fn unkept(&self) -> bool {
        self.0.latest.load(Ordering::Relaxed) > self.0.kept.load(Ordering::Relaxed)
    }
}

/// A secret with its versions and stages.
#[derive(Debug, Clone)]
pub struct Secret {
    id: Uuid,
    state: SecretState,
    create_time: Millis,
    update_time: Millis,
    scheduled_delete_time: Option<Millis>,
    rotation_time: Option<Millis>,
    next_rotation_time: Option<Millis>,
    settings: SecretSettings,
    /// Ascending by number.
    versions: Vec<Version>,
    /// Sorted by name; at most one entry per label.
    stages: Vec<StageEntry>,
    next_version: u32,
    /// Tag key → value; at most 20.
    tags: BTreeMap<String, String>,
    /// When a value of this secret was last read.
    last_used: LastUsed,
}

/// Read access to a secret's parts; every change goes through a method that checks its
/// preconditions (create, update, versions, stages, deletion, state, restore).
impl Secret {
    #[must_use]
    pub fn id(&self) -> Uuid {
        self.id
    }

    #[must_use]
    pub fn state(&self) -> SecretState {
        self.state
    }

    #[must_use]
    pub fn create_time(&self) -> Millis {
        self.create_time
    }

    #[must_use]
    pub fn update_time(&self) -> Millis {
        self.update_time
    }

    #[must_use]
    pub fn scheduled_delete_time(&self) -> Option<Millis> {
        self.scheduled_delete_time
    }

    #[must_use]
    pub fn rotation_time(&self) -> Option<Millis> {
        self.rotation_time
    }

    #[must_use]
    pub fn next_rotation_time(&self) -> Option<Millis> {
        self.next_rotation_time
    }

    #[must_use]
    pub fn settings(&self) -> &SecretSettings {
        &self.settings
    }

    /// When a value was last read; reads mark it through this shared cell.
    #[must_use]
    pub fn last_used(&self) -> &LastUsed {
        &self.last_used
    }

    /// Sets the state directly, skipping every rule: for tests that need a state no
    /// public operation reaches in one step.
    #[cfg(test)]
    pub(crate) fn force_state_for_test(&mut self, state: SecretState) {
        self.state = state;
    }
}

impl Secret {
    /// A new ENABLED secret whose first version `v1` holds SYSCURRENT.
    pub fn create(
        id: Uuid,
        settings: SecretSettings,
        value: SecretValue,
        now: Millis,
    ) -> Result<Self, CsmsError> {
        let next_rotation_time = match (&settings.rotation_period, settings.auto_rotation) {
            (Some(period), true) => Some(now + period.as_millis()),
            _ => None,
        };
        let mut secret = Self {
            id,
            state: SecretState::Enabled,
            create_time: now,
            update_time: now,
            scheduled_delete_time: None,
            rotation_time: None,
            next_rotation_time,
            settings,
            // Most secrets keep one version and one stage: start small (memory per secret).
            versions: Vec::with_capacity(1),
            stages: Vec::with_capacity(1),
            next_version: 1,
            tags: BTreeMap::new(),
            last_used: LastUsed::default(),
        };
        secret.add_version(
            NewVersion {
                value,
                stages: None,
                expire_time: None,
            },
            now,
        )?;
        Ok(secret)
    }

    /// Breaks the version counter, for tests of the guards that must catch it.
    #[cfg(test)]
    pub(crate) fn rewind_version_counter_for_test(&mut self) {
        self.next_version = 1;
    }

    #[must_use]
    pub fn name(&self) -> &SecretName {
        &self.settings.name
    }

    /// Fails unless the secret may be read or changed: PENDING_DELETE answers CSMS.0103,
    /// DISABLED and FROZEN answer CSMS.0109 (docs/behaviour.md §17).
    pub fn ensure_enabled(&self) -> Result<(), CsmsError> {
        let name = self.name().to_string();
        match self.state {
            SecretState::Enabled => Ok(()),
            SecretState::PendingDelete => Err(CsmsError::PendingDelete(name)),
            SecretState::Disabled | SecretState::Frozen => Err(CsmsError::NotEnabled(name)),
        }
    }

    /// Stores a new version. Without explicit stages it takes SYSCURRENT; whenever it takes
    /// SYSCURRENT the previous holder gets SYSPREVIOUS (docs/behaviour.md §14). Past 20 versions the oldest
    /// version without a stage is removed (docs/behaviour.md §13).
    pub fn add_version(
        &mut self,
        new: NewVersion,
        now: Millis,
    ) -> Result<VersionNumber, CsmsError> {
        self.ensure_enabled()?;
        let requested = new.stages.unwrap_or_else(|| vec![StageName::syscurrent()]);
        let previous_to = self.plan_stages(&requested, None)?;

        // Ids are never reused (docs/behaviour.md §12): once the counter cannot advance, no version is added.
        let following = self
            .next_version
            .checked_add(1)
            .ok_or_else(|| CsmsError::VersionIdsExhausted(self.name().to_string()))?;
        let number = VersionNumber(self.next_version);
        self.next_version = following;
        self.versions.push(Version {
            number,
            create_time: now,
            expire_time: new.expire_time,
            kms_key_id: self.settings.kms_key_id.clone(),
            value: new.value,
            expiry_notified: false,
        });
        self.apply_stages(requested, number, previous_to, now);
        self.purge_unstaged_beyond_cap();
        self.update_time = now;
        Ok(number)
    }

    fn stage_holder_of_current(&self) -> Option<VersionNumber> {
        self.stage_by_str(super::names::SYSCURRENT)
            .map(|s| s.version)
    }

    fn stage_by_str(&self, name: &str) -> Option<&StageEntry> {
        self.stages
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.stages[i])
    }

    /// Points `name` at `version`, moving it if another version holds it.
    fn put_stage(&mut self, name: StageName, version: VersionNumber, now: Millis) {
        let entry = StageEntry {
            name,
            version,
            update_time: now,
        };
        match self.stages.binary_search_by(|s| s.name.cmp(&entry.name)) {
            Ok(i) => self.stages[i] = entry,
            Err(i) => self.stages.insert(i, entry),
        }
    }

    fn purge_unstaged_beyond_cap(&mut self) {
        while self.versions.len() > VERSIONS_MAX {
            let oldest_unstaged = self
                .versions
                .iter()
                .position(|v| !self.stages.iter().any(|s| s.version == v.number));
            match oldest_unstaged {
                Some(i) => {
                    self.versions.remove(i);
                }
                // Cannot happen while stages ≤ 12 < versions; never drop a staged version.
                None => break,
            }
        }
    }

    /// The version a reference names; `latest` is the SYSCURRENT holder (docs/behaviour.md §7).
    /// The version numbered `number`, if the secret holds it (versions are kept in
    /// ascending order).
    #[must_use]
    pub fn version_numbered(&self, number: VersionNumber) -> Option<&Version> {
        self.versions
            .binary_search_by(|v| v.number.cmp(&number))
            .ok()
            .map(|i| &self.versions[i])
    }

    pub fn version(&self, reference: VersionRef) -> Result<&Version, CsmsError> {
        let number = match reference {
            VersionRef::Number(n) => Some(n),
            VersionRef::Latest => self.stage_holder_of_current(),
        };
        number
            .and_then(|n| self.version_numbered(n))
            .ok_or_else(|| CsmsError::NotFound {
                kind: "version",
                name: match reference {
                    VersionRef::Number(n) => n.to_string(),
                    VersionRef::Latest => "latest".to_owned(),
                },
            })
    }

    /// All versions, oldest first.
    #[must_use]
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The stage labels on one version, sorted.
    #[must_use]
    pub fn stages_of(&self, version: VersionNumber) -> Vec<&str> {
        self.stages
            .iter()
            .filter(|s| s.version == version)
            .map(|s| s.name.as_str())
            .collect()
    }

    /// One stage by name.
    pub fn stage(&self, name: &StageName) -> Result<&StageEntry, CsmsError> {
        self.stage_by_str(name.as_str())
            .ok_or_else(|| CsmsError::NotFound {
                kind: "stage",
                name: name.to_string(),
            })
    }

    /// Every stage, sorted by name.
    #[must_use]
    pub fn stages(&self) -> &[StageEntry] {
        &self.stages
    }

    /// The cloud-service instance the secret belongs to, through `rotation_config` (docs/behaviour.md §21).
    #[must_use]
    pub fn instance_id(&self) -> Option<&str> {
        self.settings
            .rotation_config
            .as_ref()
            .and_then(RotationConfig::instance_id)
    }
}

#[cfg(test)]
mod tests;
