//! Stage moves through the stage API: put (create or move) and delete (docs/behaviour.md §14, §15).

use crate::clock::Millis;
use crate::domain::limits::STAGES_MAX;
use std::collections::BTreeSet;

use crate::domain::names::{SYSCURRENT, StageName, VersionNumber, VersionRef};
use crate::error::CsmsError;

use super::aggregate::{Secret, StageEntry};

impl Secret {
    /// Points `stage` at `version`, creating the label if new. Moving SYSCURRENT to another
    /// version gives its old holder SYSPREVIOUS, as a new default version does (docs/behaviour.md §14).
    pub fn put_stage_on(
        &mut self,
        stage: StageName,
        version: VersionNumber,
        now: Millis,
    ) -> Result<&StageEntry, CsmsError> {
        self.ensure_enabled()?;
        self.version(VersionRef::Number(version))?;
        let stages = [stage];
        let previous_to = self.plan_stages(&stages, Some(version))?;
        let [stage] = stages;
        let name = stage.clone();
        self.apply_stages(vec![stage], version, previous_to, now);
        self.update_time = now;
        self.stage(&name)
    }

    /// Plans labelling `target` (`None`: a version about to be added) with `stages`, the
    /// one place both a new version and a stage move are checked (docs/behaviour.md §14):
    /// when SYSCURRENT moves off another version, that version gets SYSPREVIOUS, and the
    /// labels afterwards may number at most 12. Returns the version SYSPREVIOUS goes to.
    pub(super) fn plan_stages(
        &self,
        stages: &[StageName],
        target: Option<VersionNumber>,
    ) -> Result<Option<VersionNumber>, CsmsError> {
        let takes_current = stages.iter().any(|s| s.as_str() == SYSCURRENT);
        let previous_to = self
            .stage_holder_of_current()
            .filter(|old| takes_current && Some(*old) != target);
        let sysprevious = StageName::sysprevious();
        let mut after: BTreeSet<&StageName> = self.stages.iter().map(|s| &s.name).collect();
        after.extend(stages.iter());
        if previous_to.is_some() {
            after.insert(&sysprevious);
        }
        if after.len() > STAGES_MAX {
            return Err(CsmsError::StageLimitReached {
                secret: self.name().to_string(),
                limit: STAGES_MAX,
            });
        }
        Ok(previous_to)
    }

    /// Carries out a plan of [`Self::plan_stages`]: SYSPREVIOUS to its version, then each
    /// of `stages` to `version`.
    pub(super) fn apply_stages(
        &mut self,
        stages: Vec<StageName>,
        version: VersionNumber,
        previous_to: Option<VersionNumber>,
        now: Millis,
    ) {
        if let Some(old) = previous_to {
            self.put_stage(StageName::sysprevious(), old, now);
        }
        for stage in stages {
            self.put_stage(stage, version, now);
        }
    }

    /// Removes a custom stage; SYSCURRENT and SYSPREVIOUS cannot be deleted (CSMS.0105).
    pub fn delete_stage(&mut self, stage: &StageName, now: Millis) -> Result<(), CsmsError> {
        self.ensure_enabled()?;
        if stage.is_builtin() {
            return Err(CsmsError::BuiltinStage(stage.to_string()));
        }
        let index = self
            .stages
            .binary_search_by(|s| s.name.cmp(stage))
            .map_err(|_| CsmsError::NotFound {
                kind: "stage",
                name: stage.to_string(),
            })?;
        self.stages.remove(index);
        self.update_time = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::domain::secret::{NewVersion, SecretSettings};
    use crate::domain::value::SecretValue;
    use crate::error::ErrorCode;

    fn stage(name: &str) -> StageName {
        StageName::parse("s", name).unwrap()
    }

    fn secret_with_versions(n: u32) -> Secret {
        let mut s = Secret::create(
            Uuid::nil(),
            SecretSettings::for_test("s"),
            SecretValue::Text("1".into()),
            0,
        )
        .unwrap();
        for _ in 1..n {
            s.add_version(
                NewVersion {
                    value: SecretValue::Text("x".into()),
                    stages: Some(vec![stage("TMP")]),
                    expire_time: None,
                },
                0,
            )
            .unwrap();
        }
        s
    }

    fn holder(s: &Secret, name: &str) -> Option<u32> {
        s.stage_by_str(name).map(|e| e.version.0)
    }

    #[test]
    fn put_creates_a_custom_stage_and_moves_it_later() {
        let mut s = secret_with_versions(3);
        s.put_stage_on(stage("BLUE"), VersionNumber(1), 5).unwrap();
        assert_eq!(holder(&s, "BLUE"), Some(1));
        let entry = s.put_stage_on(stage("BLUE"), VersionNumber(2), 6).unwrap();
        assert_eq!((entry.version.0, entry.update_time), (2, 6));
        assert_eq!(s.update_time, 6);
    }

    #[test]
    fn moving_syscurrent_pushes_sysprevious() {
        let mut s = secret_with_versions(3);
        s.put_stage_on(stage("SYSCURRENT"), VersionNumber(3), 5)
            .unwrap();
        assert_eq!(holder(&s, "SYSCURRENT"), Some(3));
        assert_eq!(holder(&s, "SYSPREVIOUS"), Some(1));
        // putting SYSCURRENT where it already is moves nothing
        s.put_stage_on(stage("SYSCURRENT"), VersionNumber(3), 6)
            .unwrap();
        assert_eq!(holder(&s, "SYSPREVIOUS"), Some(1));
    }

    #[test]
    fn put_on_a_missing_version_is_not_found_and_changes_nothing() {
        let mut s = secret_with_versions(1);
        let err = s.put_stage_on(stage("X"), VersionNumber(9), 5).unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
        assert!(s.stage_by_str("X").is_none());
    }

    #[test]
    fn put_refuses_a_thirteenth_stage() {
        let mut s = secret_with_versions(2);
        // SYSCURRENT and TMP exist; add 10 more for 12.
        for i in 0..10 {
            s.put_stage_on(stage(&format!("S{i}")), VersionNumber(1), 1)
                .unwrap();
        }
        assert_eq!(s.stages().len(), 12);
        let err = s
            .put_stage_on(stage("EXTRA"), VersionNumber(1), 1)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::StageLimitReached);
        // moving an existing one at the limit is fine
        s.put_stage_on(stage("S0"), VersionNumber(2), 1).unwrap();
        // moving SYSCURRENT would add SYSPREVIOUS: refused at the limit
        let err = s
            .put_stage_on(stage("SYSCURRENT"), VersionNumber(2), 1)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::StageLimitReached);
        assert_eq!(holder(&s, "SYSCURRENT"), Some(1));
    }

    #[test]
    fn builtin_stages_cannot_be_deleted_and_custom_ones_can() {
        let mut s = secret_with_versions(2);
        for builtin in ["SYSCURRENT", "SYSPREVIOUS"] {
            let err = s.delete_stage(&stage(builtin), 1).unwrap_err();
            assert_eq!(err.code(), ErrorCode::BuiltinStage);
        }
        s.delete_stage(&stage("TMP"), 1).unwrap();
        assert!(s.stage_by_str("TMP").is_none());
        let err = s.delete_stage(&stage("TMP"), 1).unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
    }
}
