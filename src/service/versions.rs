//! Secret versions and stages: create, list and show versions; show a stage.

use crate::clock::Millis;
use crate::domain::event::EventType;
use crate::domain::limits::EXPIRE_TIME_MAX_MS;
use crate::domain::names::{
    KmsKeyId, ProjectId, SecretName, StageName, VersionMarker, VersionNumber, VersionRef,
};
use crate::domain::page::{PageLimit, take_page};
use crate::domain::secret::{NewVersion, Secret, StageEntry, Version};
use crate::domain::value::SecretValue;
use crate::error::CsmsError;

use super::handle::CsmsService;
use super::listing::Listing;
use super::notify::notify;

/// A validated create-secret-version request; `expire_time` is checked against the
/// clock when the version is made.
#[derive(Debug, Clone)]
pub struct CreateVersion {
    pub value: SecretValue,
    pub stages: Option<Vec<StageName>>,
    pub expire_time: Option<i64>,
}

/// One version as operations report it; `value` only where the operation returns values.
#[derive(Debug, Clone)]
pub struct VersionInfo {
    pub secret_name: SecretName,
    pub id: VersionNumber,
    pub create_time: Millis,
    pub expire_time: Option<Millis>,
    /// Shared with the version, not copied.
    pub kms_key_id: KmsKeyId,
    pub stages: Vec<StageName>,
    pub value: Option<SecretValue>,
}

impl VersionInfo {
    fn of(secret: &Secret, version: &Version, with_value: bool) -> Self {
        Self {
            secret_name: secret.name().clone(),
            id: version.number,
            create_time: version.create_time,
            expire_time: version.expire_time,
            kms_key_id: version.kms_key_id.clone(),
            stages: secret.stage_labels_of(version.number).cloned().collect(),
            value: with_value.then(|| version.value.clone()),
        }
    }
}

/// One stage as show-secret-stage reports it.
#[derive(Debug, Clone)]
pub struct StageInfo {
    pub name: String,
    pub secret_name: SecretName,
    pub version_id: VersionNumber,
    pub update_time: Millis,
}

impl StageInfo {
    fn of(secret: &Secret, stage: &StageEntry) -> Self {
        Self {
            name: stage.name.to_string(),
            secret_name: secret.name().clone(),
            version_id: stage.version,
            update_time: stage.update_time,
        }
    }
}

impl CsmsService {
    /// Create secret version, `POST …/secrets/{secret_name}/versions` ("Creating a Secret Version" page).
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn create_secret_version(
        &self,
        project: &ProjectId,
        name: &SecretName,
        request: CreateVersion,
    ) -> Result<VersionInfo, CsmsError> {
        let CreateVersion {
            value,
            stages,
            expire_time,
        } = request;
        let now = self.now();
        let expire_time = expire_time.map(|t| parse_expire_time(t, now)).transpose()?;
        let mut number = VersionNumber(0);
        let secret = self.update_secret_with(project, name, |secret, tx, now| {
            number = secret.add_version(
                NewVersion {
                    value,
                    stages,
                    expire_time,
                },
                now,
            )?;
            notify(tx, secret, EventType::VersionCreated, Some(number), now);
            Ok(())
        })?;
        let version = secret.version(VersionRef::Number(number))?;
        Ok(VersionInfo::of(&secret, version, false))
    }

    /// List secret versions, `GET …/secrets/{secret_name}/versions`: version order,
    /// exclusive marker, metadata only (docs/behaviour.md §16).
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn list_secret_versions(
        &self,
        project: &ProjectId,
        name: &SecretName,
        limit: PageLimit,
        marker: Option<&VersionMarker>,
    ) -> Result<Listing<VersionInfo>, CsmsError> {
        let page = self.with_secret(project, name, |secret| {
            let after = match marker.map(|m| m.after) {
                Some(VersionRef::Latest) => Some(secret.version(VersionRef::Latest)?.number),
                Some(VersionRef::Number(number)) => Some(number),
                None => None,
            };
            Ok(
                take_page(secret.versions(), |v| v.number, after.as_ref(), limit)
                    .map(|v| VersionInfo::of(secret, v, false)),
            )
        })?;
        Ok(Listing::new(
            page,
            |v| v.id.to_string(),
            marker.map(|m| m.text.clone()),
        ))
    }

    /// Show secret version, `GET …/secrets/{secret_name}/versions/{version_id}`, value
    /// included; only ENABLED secrets (docs/behaviour.md §7, §17).
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn show_secret_version(
        &self,
        project: &ProjectId,
        name: &SecretName,
        version: VersionRef,
    ) -> Result<VersionInfo, CsmsError> {
        let now = self.now();
        self.with_secret_at(now, project, name, |secret| {
            secret.ensure_enabled()?;
            let found = secret.version(version)?;
            secret.last_used().mark(now);
            Ok(VersionInfo::of(secret, found, true))
        })
    }

    /// Writes the value-read moments (`last_used_time`) the store has not been given yet:
    /// a read marks them without a write (§48), so a graceful stop calls this to keep
    /// them. Projects and secrets without such a read are not written. Returns how many
    /// secrets were written.
    pub fn keep_read_marks(&self) -> Result<usize, CsmsError> {
        let mut kept = 0;
        for project in self.store().projects()? {
            let unkept: Vec<SecretName> = crate::store::read(self.store(), &project, |data| {
                data.secrets
                    .values()
                    .filter(|s| s.last_used().unkept())
                    .map(|s| s.name().clone())
                    .collect()
            })?;
            if unkept.is_empty() {
                continue;
            }
            kept += crate::store::transact(self.store(), &project, |tx| {
                let mut written = 0;
                for name in &unkept {
                    // The same secret again: its row is made anew, with the latest read.
                    if let Some(secret) = tx.get(name).cloned() {
                        tx.put(secret);
                        written += 1;
                    }
                }
                Ok(written)
            })?;
        }
        Ok(kept)
    }

    /// Update version, `PUT …/secrets/{secret_name}/versions/{version_id}`: sets
    /// `expire_time` (ms, kept to whole seconds, in the future).
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn update_version(
        &self,
        project: &ProjectId,
        name: &SecretName,
        version: VersionRef,
        expire_time: Millis,
    ) -> Result<VersionInfo, CsmsError> {
        let expire_time = parse_expire_time(expire_time, self.now())?;
        let mut number = VersionNumber(0);
        let secret = self.update_secret_with(project, name, |secret, _, now| {
            number = secret.set_version_expiry(version, expire_time, now)?;
            Ok(())
        })?;
        let version = secret.version(VersionRef::Number(number))?;
        Ok(VersionInfo::of(&secret, version, false))
    }

    /// Update stage, `PUT …/secrets/{secret_name}/stages/{stage_name}`: creates the stage
    /// or moves it to `version_id` (docs/behaviour.md §14).
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn update_secret_stage(
        &self,
        project: &ProjectId,
        name: &SecretName,
        stage: &StageName,
        version: VersionNumber,
    ) -> Result<StageInfo, CsmsError> {
        let secret = self.update_secret_with(project, name, |secret, _, now| {
            secret.put_stage_on(stage.clone(), version, now).map(|_| ())
        })?;
        Ok(StageInfo::of(&secret, secret.stage(stage)?))
    }

    /// Delete stage, `DELETE …/secrets/{secret_name}/stages/{stage_name}` (docs/behaviour.md §14, §15).
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn delete_secret_stage(
        &self,
        project: &ProjectId,
        name: &SecretName,
        stage: &StageName,
    ) -> Result<(), CsmsError> {
        self.update_secret_with(project, name, |secret, _, now| {
            secret.delete_stage(stage, now)
        })
        .map(|_| ())
    }

    /// Show secret stage, `GET …/secrets/{secret_name}/stages/{stage_name}`.
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, secret = %name))]
    pub fn show_secret_stage(
        &self,
        project: &ProjectId,
        name: &SecretName,
        stage: &StageName,
    ) -> Result<StageInfo, CsmsError> {
        self.with_secret(project, name, |secret| {
            Ok(StageInfo::of(secret, secret.stage(stage)?))
        })
    }
}

/// `expire_time` arrives in milliseconds, is kept to whole seconds and must lie in the
/// future.
fn parse_expire_time(raw: i64, now: Millis) -> Result<Millis, CsmsError> {
    if !(0..=EXPIRE_TIME_MAX_MS).contains(&raw) {
        return Err(CsmsError::invalid(
            "expire_time",
            "must be a millisecond timestamp from 0 to 9999999999999",
        ));
    }
    let truncated = raw - raw % 1000;
    if truncated <= now {
        return Err(CsmsError::invalid(
            "expire_time",
            "must be a millisecond timestamp in the future",
        ));
    }
    Ok(truncated)
}
