//! Agencies (create, show): one per database secret type, named after it. Agencies have
//! no project in their path and live in the global namespace.

use uuid::Uuid;

use crate::domain::names::ProjectId;
use crate::domain::rotation::SecretType;
use crate::error::CsmsError;
use crate::store;

use super::handle::CsmsService;

/// The name of the agency for a database secret type.
fn agency_name(secret_type: SecretType) -> String {
    format!(
        "csms_{}_agency",
        secret_type.as_str().to_ascii_lowercase().replace('-', "_")
    )
}

impl CsmsService {
    /// Create agency, `POST /v1/csms/agencies`: returns `(agency_name, agency_id)`.
    pub fn create_agency(&self, secret_type: SecretType) -> Result<(String, String), CsmsError> {
        let name = agency_name(secret_type);
        self.write(&ProjectId::global(), |tx, _| {
            let id = tx
                .settings_mut()
                .agencies
                .entry(name.clone())
                .or_insert_with(|| Uuid::new_v4().simple().to_string())
                .clone();
            Ok((name, id))
        })
    }

    /// Show agency, `GET /v1/csms/agencies?secret_type=`: whether one was created.
    pub fn show_agency(&self, secret_type: SecretType) -> Result<bool, CsmsError> {
        let name = agency_name(secret_type);
        store::read(self.store(), &ProjectId::global(), |data| {
            data.settings.agencies.contains_key(&name)
        })
    }
}
