//! Metadata updates, scheduled deletion and its cancellation, version expiry, rotation
//! bookkeeping, and when a secret next has work due (docs/behaviour.md §17, §18).

use crate::clock::Millis;
use crate::domain::names::{EventName, KmsKeyId, VersionRef};
use crate::domain::rotation::RotationPeriod;
use crate::error::CsmsError;

use super::aggregate::{NewVersion, Secret, SecretState};

/// Milliseconds in a day.
const DAY_MS: Millis = 86_400_000;
/// Scheduled deletion windows: 7–30 days, default 30 (DeleteSecretForSchedule page).
pub const RECOVERY_DAYS_MIN: i64 = 7;
pub const RECOVERY_DAYS_MAX: i64 = 30;
pub const RECOVERY_DAYS_DEFAULT: i64 = 30;

/// How many days a scheduled deletion waits: 7–30, 30 when the request gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryWindow(i64);

impl RecoveryWindow {
    pub fn parse(days: Option<i64>) -> Result<Self, CsmsError> {
        match days.unwrap_or(RECOVERY_DAYS_DEFAULT) {
            days @ RECOVERY_DAYS_MIN..=RECOVERY_DAYS_MAX => Ok(Self(days)),
            _ => Err(CsmsError::invalid(
                "recovery_window_in_days",
                "must be an integer from 7 to 30",
            )),
        }
    }

    #[must_use]
    pub fn days(self) -> i64 {
        self.0
    }
}

/// An update-secret request, validated: `None` leaves a field unchanged; for optional
/// fields `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub kms_key_id: Option<KmsKeyId>,
    pub description: Option<String>,
    pub auto_rotation: Option<bool>,
    pub rotation_period: Option<Option<RotationPeriod>>,
    pub event_subscriptions: Option<Vec<EventName>>,
    pub rotation_func_urn: Option<Option<String>>,
}

/// Work that falls due on a secret at a moment of the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWork {
    /// The recovery window ended: destroy the secret (docs/behaviour.md §18).
    Destroy,
    /// A version passed its `expire_time` and has not been reported yet.
    Expire(crate::domain::names::VersionNumber),
    /// Automatic rotation is due.
    Rotate,
}

impl Secret {
    /// The operator's state change through the control API: ENABLED, DISABLED or FROZEN.
    /// A secret pending deletion is refused (`CSMS.0107`): only cancelling the deletion
    /// brings it back (docs/behaviour.md §17).
    pub fn set_state_by_operator(
        &mut self,
        state: SecretState,
        now: Millis,
    ) -> Result<(), CsmsError> {
        if self.state == SecretState::PendingDelete {
            return Err(CsmsError::AlreadyPendingDelete(self.name().to_string()));
        }
        if state == SecretState::PendingDelete {
            return Err(CsmsError::invalid(
                "state",
                "must be ENABLED, DISABLED or FROZEN",
            ));
        }
        self.state = state;
        self.update_time = now;
        Ok(())
    }

    /// The secret as a backup blob brings it back: ENABLED, with no deletion scheduled.
    #[must_use]
    pub fn into_restored(mut self) -> Self {
        self.state = SecretState::Enabled;
        self.set_scheduled_delete_time(None);
        self
    }

    /// Applies an update; only metadata changes, and a new key applies to later versions
    /// only. Rotation rules are checked on the result.
    pub fn update_settings(&mut self, patch: SettingsPatch, now: Millis) -> Result<(), CsmsError> {
        self.ensure_enabled()?;
        let auto = patch.auto_rotation.unwrap_or(self.settings.auto_rotation);
        let period_changed = patch.rotation_period.is_some();
        let period = patch
            .rotation_period
            .unwrap_or_else(|| self.settings.rotation_period().cloned());
        let urn = match &patch.rotation_func_urn {
            Some(urn) => urn.as_deref(),
            None => self.settings.rotation_func_urn(),
        };
        crate::domain::rotation::check_auto_rotation(
            self.settings.secret_type,
            auto,
            period.as_ref(),
            urn,
        )?;
        let turned_on = auto && !self.settings.auto_rotation;
        let next_rotation_time = match (&period, auto) {
            (Some(p), true) if turned_on || period_changed => Some(now + p.as_millis()),
            (Some(_), true) => self.next_rotation_time(),
            _ => None,
        };
        self.set_next_rotation_time(next_rotation_time);
        self.settings.auto_rotation = auto;
        if let Some(key) = patch.kms_key_id {
            self.settings.kms_key_id = key;
        }
        self.settings.change_extras(|extras| {
            extras.rotation_period = period;
            if let Some(description) = patch.description {
                extras.description = description;
            }
            if let Some(events) = patch.event_subscriptions {
                extras.event_subscriptions = events;
            }
            if let Some(urn) = patch.rotation_func_urn {
                extras.rotation_func_urn = urn;
            }
        });
        self.update_time = now;
        Ok(())
    }

    /// Schedules deletion in `days` days (7–30): PENDING_DELETE until then (docs/behaviour.md §17).
    pub fn schedule_deletion(
        &mut self,
        window: RecoveryWindow,
        now: Millis,
    ) -> Result<(), CsmsError> {
        if self.state == SecretState::PendingDelete {
            return Err(CsmsError::AlreadyPendingDelete(self.name().to_string()));
        }
        self.state = SecretState::PendingDelete;
        self.set_scheduled_delete_time(Some(now + window.days() * DAY_MS));
        self.update_time = now;
        Ok(())
    }

    /// Cancels a scheduled deletion: the secret is ENABLED again (docs/behaviour.md §17).
    pub fn cancel_deletion(&mut self, now: Millis) -> Result<(), CsmsError> {
        if self.state != SecretState::PendingDelete {
            return Err(CsmsError::NotPendingDelete(self.name().to_string()));
        }
        self.state = SecretState::Enabled;
        self.set_scheduled_delete_time(None);
        self.update_time = now;
        Ok(())
    }

    /// Whether the recovery window has ended at `now` (docs/behaviour.md §18).
    #[must_use]
    pub fn is_destroyed_at(&self, now: Millis) -> bool {
        self.state == SecretState::PendingDelete
            && self.scheduled_delete_time().is_some_and(|t| t <= now)
    }

    /// Sets a version's `expire_time` (ms, whole seconds); the version-expired event may
    /// fire once again for the new validity period.
    pub fn set_version_expiry(
        &mut self,
        version: VersionRef,
        expire_time: Millis,
        now: Millis,
    ) -> Result<crate::domain::names::VersionNumber, CsmsError> {
        self.ensure_enabled()?;
        let number = self.version(version)?.number;
        if let Some(v) = self.versions.iter_mut().find(|v| v.number == number) {
            v.expire_time = Some(expire_time);
            v.expiry_notified = false;
        }
        self.update_time = now;
        Ok(number)
    }

    /// Stores a rotated value as the new SYSCURRENT version and records the rotation time;
    /// the next automatic rotation is one period later.
    pub fn record_rotation(
        &mut self,
        new: NewVersion,
        now: Millis,
    ) -> Result<crate::domain::names::VersionNumber, CsmsError> {
        let number = self.add_version(new, now)?;
        self.set_rotation_time(Some(now));
        self.advance_rotation_schedule(now);
        Ok(number)
    }

    /// Records that a rotation function rotated the secret at `now` (it made the new version
    /// itself, through the API).
    pub fn mark_rotated(&mut self, now: Millis) {
        self.set_rotation_time(Some(now));
    }

    /// Moves `next_rotation_time` one period past `now` (also after a failed rotation, so a
    /// failing secret is retried once a period, not on every sweep).
    pub fn advance_rotation_schedule(&mut self, now: Millis) {
        if let (true, Some(period)) = (self.settings.auto_rotation, self.settings.rotation_period())
        {
            let next = now + period.as_millis();
            self.set_next_rotation_time(Some(next));
        }
    }

    /// The earliest moment at which work falls due on this secret, if any.
    #[must_use]
    pub fn next_due(&self) -> Option<Millis> {
        let deletion = match self.state {
            SecretState::PendingDelete => self.scheduled_delete_time(),
            _ => None,
        };
        let mut due = deletion;
        for version in &self.versions {
            if !version.expiry_notified {
                due = earliest(due, version.expire_time);
            }
        }
        if self.settings.auto_rotation && self.state == SecretState::Enabled {
            due = earliest(due, self.next_rotation_time());
        }
        due
    }

    /// The work due at `now`, in the order it must run.
    #[must_use]
    pub fn due_work(&self, now: Millis) -> Vec<DueWork> {
        if self.is_destroyed_at(now) {
            return vec![DueWork::Destroy];
        }
        let mut work: Vec<DueWork> = self
            .versions
            .iter()
            .filter(|v| !v.expiry_notified && v.expire_time.is_some_and(|t| t <= now))
            .map(|v| DueWork::Expire(v.number))
            .collect();
        let rotation_due = self.settings.auto_rotation
            && self.state == SecretState::Enabled
            && self.next_rotation_time().is_some_and(|t| t <= now);
        if rotation_due {
            work.push(DueWork::Rotate);
        }
        work
    }

    /// Records that a version's expiry was reported.
    pub fn mark_expiry_notified(&mut self, number: crate::domain::names::VersionNumber) {
        if let Some(v) = self.versions.iter_mut().find(|v| v.number == number) {
            v.expiry_notified = true;
        }
    }
}

/// The earlier of two moments, either of which may be missing. Spelled out: the
/// iterator chain it replaces (flatten, then min) cost a create-secret request about
/// 450 instructions, and a 1M-secret restart as many per secret.
fn earliest(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::domain::names::VersionNumber;
    use crate::domain::secret::SecretSettings;
    use crate::domain::value::SecretValue;
    use crate::error::ErrorCode;

    fn secret() -> Secret {
        Secret::create(
            Uuid::nil(),
            SecretSettings::for_test("s"),
            SecretValue::Text("x".into()),
            0,
        )
        .unwrap()
    }

    fn week() -> RecoveryWindow {
        RecoveryWindow::parse(Some(7)).unwrap()
    }

    fn period(p: &str) -> RotationPeriod {
        RotationPeriod::parse(p, 4 * 3600).unwrap()
    }

    #[test]
    fn scheduling_and_cancelling_follow_the_state_rules() {
        let mut s = secret();
        for bad in [6, 31, 0, -1] {
            assert_eq!(
                RecoveryWindow::parse(Some(bad)).unwrap_err().code(),
                ErrorCode::InvalidParameter
            );
        }
        assert_eq!(RecoveryWindow::parse(None).unwrap().days(), 30);
        assert_eq!(
            s.cancel_deletion(10).unwrap_err().code(),
            ErrorCode::NotPendingDelete
        );
        s.schedule_deletion(week(), 10).unwrap();
        assert_eq!(s.state, SecretState::PendingDelete);
        assert_eq!(s.scheduled_delete_time(), Some(10 + 7 * DAY_MS));
        assert_eq!(
            s.schedule_deletion(week(), 11).unwrap_err().code(),
            ErrorCode::AlreadyPendingDelete
        );
        assert!(!s.is_destroyed_at(10 + 7 * DAY_MS - 1));
        assert!(s.is_destroyed_at(10 + 7 * DAY_MS));
        assert_eq!(s.next_due(), Some(10 + 7 * DAY_MS));
        assert_eq!(s.due_work(10 + 7 * DAY_MS), vec![DueWork::Destroy]);
        s.cancel_deletion(12).unwrap();
        assert_eq!(s.state, SecretState::Enabled);
        assert_eq!(s.scheduled_delete_time(), None);
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn updates_change_only_what_is_present_and_clear_what_is_empty() {
        let mut s = secret();
        s.settings.change_extras(|e| e.description = "old".into());
        s.update_settings(
            SettingsPatch {
                description: Some(String::new()),
                ..SettingsPatch::default()
            },
            5,
        )
        .unwrap();
        assert_eq!(s.settings.description(), "");
        assert_eq!(s.update_time, 5);
        let before = s.settings.kms_key_id.clone();
        s.update_settings(SettingsPatch::default(), 6).unwrap();
        assert_eq!(s.settings.kms_key_id, before);
    }

    #[test]
    fn rotation_rules_are_rechecked_on_update() {
        let mut s = secret();
        let err = s
            .update_settings(
                SettingsPatch {
                    auto_rotation: Some(true),
                    ..SettingsPatch::default()
                },
                0,
            )
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidParameter);
        assert!(!s.settings.auto_rotation);
        let turn_on = |urn: Option<&str>| SettingsPatch {
            auto_rotation: Some(true),
            rotation_period: Some(Some(period("1d"))),
            rotation_func_urn: urn.map(|u| Some(u.to_owned())),
            ..SettingsPatch::default()
        };
        // a COMMON secret cannot rotate automatically, whatever else is given
        let err = s
            .update_settings(turn_on(Some("urn:fss:f")), 50)
            .unwrap_err();
        assert!(err.to_string().contains("auto_rotation"), "{err}");
        s.settings.secret_type = crate::domain::rotation::SecretType::RdsFg;
        // a database secret needs the function that rotates it
        let err = s.update_settings(turn_on(None), 50).unwrap_err();
        assert!(err.to_string().contains("rotation_func_urn"), "{err}");
        assert!(!s.settings.auto_rotation);
        s.update_settings(turn_on(Some("urn:fss:f")), 100).unwrap();
        assert_eq!(s.next_rotation_time(), Some(100 + DAY_MS));
        assert_eq!(s.next_due(), Some(100 + DAY_MS));
        assert_eq!(s.due_work(100 + DAY_MS), vec![DueWork::Rotate]);
        s.update_settings(
            SettingsPatch {
                auto_rotation: Some(false),
                ..SettingsPatch::default()
            },
            200,
        )
        .unwrap();
        assert_eq!(s.next_rotation_time(), None);
    }

    #[test]
    fn pending_secrets_refuse_updates_with_csms_0103() {
        let mut s = secret();
        s.schedule_deletion(RecoveryWindow::parse(None).unwrap(), 0)
            .unwrap();
        let err = s.update_settings(SettingsPatch::default(), 1).unwrap_err();
        assert_eq!(err.code(), ErrorCode::PendingDelete);
        let err = s
            .set_version_expiry(VersionRef::Latest, 10_000, 1)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::PendingDelete);
    }

    #[test]
    fn an_expiry_is_due_once_until_it_is_set_again() {
        let mut s = secret();
        s.set_version_expiry(VersionRef::Latest, 5_000, 1).unwrap();
        assert_eq!(s.next_due(), Some(5_000));
        assert!(s.due_work(4_999).is_empty());
        assert_eq!(s.due_work(5_000), vec![DueWork::Expire(VersionNumber(1))]);
        s.mark_expiry_notified(VersionNumber(1));
        assert!(s.due_work(9_000).is_empty());
        assert_eq!(s.next_due(), None);
        s.set_version_expiry(VersionRef::Number(VersionNumber(1)), 10_000, 2)
            .unwrap();
        assert_eq!(s.due_work(10_000), vec![DueWork::Expire(VersionNumber(1))]);
    }
}
