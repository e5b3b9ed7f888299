//! The secret aggregate's core: the [`Secret`] type with its state, versions and stage
//! map, read access to its parts, creation, and adding a version. The other files of
//! `domain/secret/` add the remaining transitions as further `impl Secret` blocks.

use std::collections::BTreeMap;

use smallvec::SmallVec;
use uuid::Uuid;

use crate::clock::Millis;
use crate::domain::limits::VERSIONS_MAX;
use crate::domain::names::{
    KmsKeyId, SYSCURRENT, SecretName, StageName, VersionNumber, VersionRef,
};
use crate::domain::rotation::RotationConfig;
use crate::domain::value::SecretValue;
use crate::error::CsmsError;

use super::last_used::LastUsed;
use super::settings::SecretSettings;
use super::sparse::{AtDefaults, Sparse};

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

/// The value and labels of a version about to be created.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub value: SecretValue,
    /// `None` means the default, `["SYSCURRENT"]`.
    pub stages: Option<Vec<StageName>>,
    pub expire_time: Option<Millis>,
}

/// A secret with its versions and stages.
#[derive(Debug, Clone)]
pub struct Secret {
    pub(super) id: Uuid,
    pub(super) state: SecretState,
    pub(super) create_time: Millis,
    pub(super) update_time: Millis,
    pub(super) settings: SecretSettings,
    /// Ascending by number. Most secrets hold one version: it is kept inline.
    pub(super) versions: SmallVec<[Version; 1]>,
    /// Sorted by name; at most one entry per label. One label is kept inline.
    pub(super) stages: SmallVec<[StageEntry; 1]>,
    pub(super) next_version: u32,
    /// Boxed only when one of them is set: most secrets have none (memory per secret).
    pub(super) schedule_and_tags: Sparse<ScheduleAndTags>,
    /// When a value of this secret was last read.
    pub(super) last_used: LastUsed,
}

/// What few secrets have: a scheduled deletion, rotation times, tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ScheduleAndTags {
    pub(super) scheduled_delete_time: Option<Millis>,
    pub(super) rotation_time: Option<Millis>,
    pub(super) next_rotation_time: Option<Millis>,
    /// Tag key → value; at most 20.
    pub(super) tags: BTreeMap<String, String>,
}

impl AtDefaults for ScheduleAndTags {
    fn at_defaults(&self) -> bool {
        // Destructured whole: a new field must say what its default is here.
        let Self {
            scheduled_delete_time,
            rotation_time,
            next_rotation_time,
            tags,
        } = self;
        scheduled_delete_time.is_none()
            && rotation_time.is_none()
            && next_rotation_time.is_none()
            && tags.is_empty()
    }
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
        self.schedule_and_tags
            .get()
            .and_then(|s| s.scheduled_delete_time)
    }

    #[must_use]
    pub fn rotation_time(&self) -> Option<Millis> {
        self.schedule_and_tags.get().and_then(|s| s.rotation_time)
    }

    #[must_use]
    pub fn next_rotation_time(&self) -> Option<Millis> {
        self.schedule_and_tags
            .get()
            .and_then(|s| s.next_rotation_time)
    }

    pub(super) fn set_scheduled_delete_time(&mut self, at: Option<Millis>) {
        self.schedule_and_tags
            .change(|s| s.scheduled_delete_time = at);
    }

    pub(super) fn set_rotation_time(&mut self, at: Option<Millis>) {
        self.schedule_and_tags.change(|s| s.rotation_time = at);
    }

    pub(super) fn set_next_rotation_time(&mut self, at: Option<Millis>) {
        self.schedule_and_tags.change(|s| s.next_rotation_time = at);
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
        let next_rotation_time = match (settings.rotation_period(), settings.auto_rotation) {
            (Some(period), true) => Some(now + period.as_millis()),
            _ => None,
        };
        let mut secret = Self {
            id,
            state: SecretState::Enabled,
            create_time: now,
            update_time: now,
            settings,
            versions: SmallVec::new(),
            stages: SmallVec::new(),
            next_version: 1,
            schedule_and_tags: Sparse::new(ScheduleAndTags {
                next_rotation_time,
                ..ScheduleAndTags::default()
            }),
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
        let name = || self.name().to_string();
        match self.state {
            SecretState::Enabled => Ok(()),
            SecretState::PendingDelete => Err(CsmsError::PendingDelete(name())),
            SecretState::Disabled | SecretState::Frozen => Err(CsmsError::NotEnabled(name())),
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

    pub(super) fn stage_holder_of_current(&self) -> Option<VersionNumber> {
        self.stage_by_str(SYSCURRENT).map(|s| s.version)
    }

    pub(super) fn stage_by_str(&self, name: &str) -> Option<&StageEntry> {
        self.stages
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.stages[i])
    }

    /// Points `name` at `version`, moving it if another version holds it.
    pub(super) fn put_stage(&mut self, name: StageName, version: VersionNumber, now: Millis) {
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
        self.stage_names_of(version).collect()
    }

    /// [`Self::stages_of`] without collecting them.
    pub fn stage_names_of(&self, version: VersionNumber) -> impl Iterator<Item = &str> {
        self.stage_labels_of(version).map(StageName::as_str)
    }

    /// The stages on one version, as their names.
    pub fn stage_labels_of(&self, version: VersionNumber) -> impl Iterator<Item = &StageName> {
        self.stages
            .iter()
            .filter(move |s| s.version == version)
            .map(|s| &s.name)
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
            .rotation_config()
            .and_then(RotationConfig::instance_id)
    }
}
