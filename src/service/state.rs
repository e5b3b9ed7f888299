//! The emulator's state as a whole: whether the store takes writes, emptying one project
//! or everything, and the emulator settings (the clock) kept where the state lives.

use crate::domain::names::ProjectId;
use crate::error::CsmsError;

use super::handle::CsmsService;

impl CsmsService {
    /// `Ok` while the store takes writes; otherwise why it refuses them.
    pub fn writable(&self) -> Result<(), CsmsError> {
        self.store().writable()
    }

    /// Empties one project or everything, atomically.
    pub fn reset(&self, project: Option<&ProjectId>) -> Result<(), CsmsError> {
        self.store().reset(project)
    }

    /// Keeps an emulator setting with the state (persisted with `--data-dir`).
    pub fn save_setting(&self, key: &str, value: &str) -> Result<(), CsmsError> {
        self.store().save_setting(key, value)
    }

    /// A setting kept by [`CsmsService::save_setting`].
    pub fn load_setting(&self, key: &str) -> Result<Option<String>, CsmsError> {
        self.store().load_setting(key)
    }
}
