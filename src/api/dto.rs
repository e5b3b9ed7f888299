//! Wire types: Huawei's snake_case field names and optionality, exactly. Domain types are
//! mapped here and never serialized directly. Request bodies deserialize straight into the
//! service's input structs, whose fields mirror the wire bodies one to one.

use std::sync::Arc;

use serde::Serialize;

use crate::domain::secret::Secret;
use crate::service::{BatchDeleteReport, BatchImportReport, Listing, StageInfo, VersionInfo};

/// `Secret`.
#[derive(Debug, Serialize)]
pub struct SecretDto {
    pub id: String,
    pub name: String,
    pub state: &'static str,
    pub kms_key_id: String,
    pub description: String,
    pub create_time: i64,
    pub update_time: i64,
    pub scheduled_delete_time: Option<i64>,
    pub secret_type: &'static str,
    pub auto_rotation: bool,
    pub rotation_period: Option<String>,
    pub rotation_config: Option<String>,
    pub rotation_time: Option<i64>,
    pub next_rotation_time: Option<i64>,
    pub event_subscriptions: Vec<String>,
    pub enterprise_project_id: String,
    pub rotation_func_urn: Option<String>,
    /// When a value was last read (2026 `Secret` object).
    pub last_used_time: Option<i64>,
    /// The tenant the secret belongs to.
    pub domain_id: &'static str,
    /// `STANDALONE`: the emulator keeps no multi-region replicas.
    pub replica_type: &'static str,
    pub replicas: Vec<serde_json::Value>,
}

impl From<&Secret> for SecretDto {
    fn from(s: &Secret) -> Self {
        let settings = &s.settings();
        Self {
            id: s.id().to_string(),
            name: settings.name.to_string(),
            state: s.state().as_str(),
            kms_key_id: settings.kms_key_id.to_owned_string(),
            description: settings.description.clone(),
            create_time: s.create_time(),
            update_time: s.update_time(),
            scheduled_delete_time: s.scheduled_delete_time(),
            secret_type: settings.secret_type.as_str(),
            auto_rotation: settings.auto_rotation,
            rotation_period: settings
                .rotation_period
                .as_ref()
                .map(|p| p.as_str().to_owned()),
            rotation_config: settings
                .rotation_config
                .as_ref()
                .map(|c| c.as_str().to_owned()),
            rotation_time: s.rotation_time(),
            next_rotation_time: s.next_rotation_time(),
            event_subscriptions: settings
                .event_subscriptions
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect(),
            enterprise_project_id: settings.enterprise_project_id.clone(),
            rotation_func_urn: settings.rotation_func_urn.clone(),
            last_used_time: s.last_used().get(),
            domain_id: crate::service::DOMAIN_ID,
            replica_type: "STANDALONE",
            replicas: Vec::new(),
        }
    }
}

/// `{"secret": Secret}`.
#[derive(Debug, Serialize)]
pub struct SecretResponse {
    pub secret: SecretDto,
}

impl SecretResponse {
    /// The answer of every operation that answers with one secret.
    #[must_use]
    pub fn of(secret: &Secret) -> Self {
        Self {
            secret: secret.into(),
        }
    }
}

/// `PageInfo`.
#[derive(Debug, Serialize)]
pub struct PageInfoDto {
    pub next_marker: Option<String>,
    pub previous_marker: Option<String>,
    pub current_count: usize,
}

impl PageInfoDto {
    #[must_use]
    pub fn of<T>(listing: &Listing<T>) -> Self {
        Self {
            next_marker: listing.next_marker.clone(),
            previous_marker: listing.previous_marker.clone(),
            current_count: listing.items.len(),
        }
    }
}

/// The answer of list-secrets.
#[derive(Debug, Serialize)]
pub struct ListSecretsResponse {
    pub secrets: Vec<SecretDto>,
    pub page_info: PageInfoDto,
}

impl From<Listing<Arc<Secret>>> for ListSecretsResponse {
    fn from(listing: Listing<Arc<Secret>>) -> Self {
        Self {
            secrets: listing
                .items
                .iter()
                .map(|s| SecretDto::from(&**s))
                .collect(),
            page_info: PageInfoDto::of(&listing),
        }
    }
}

/// `VersionMetadata` ("Creating a Secret Version" page).
#[derive(Debug, Serialize)]
pub struct VersionMetadataDto {
    pub id: String,
    pub create_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<i64>,
    pub kms_key_id: String,
    pub secret_name: String,
    pub version_stages: Vec<String>,
}

impl From<&VersionInfo> for VersionMetadataDto {
    fn from(v: &VersionInfo) -> Self {
        Self {
            id: v.id.to_string(),
            create_time: v.create_time,
            expire_time: v.expire_time,
            kms_key_id: v.kms_key_id.clone(),
            secret_name: v.secret_name.to_string(),
            version_stages: v.stages.clone(),
        }
    }
}

/// `{"version_metadata": VersionMetadata}`.
#[derive(Debug, Serialize)]
pub struct VersionMetadataResponse {
    pub version_metadata: VersionMetadataDto,
}

/// The answer of list-secret-versions.
#[derive(Debug, Serialize)]
pub struct ListVersionsResponse {
    pub version_metadatas: Vec<VersionMetadataDto>,
    pub page_info: PageInfoDto,
}

impl From<Listing<VersionInfo>> for ListVersionsResponse {
    fn from(listing: Listing<VersionInfo>) -> Self {
        Self {
            version_metadatas: listing.items.iter().map(VersionMetadataDto::from).collect(),
            page_info: PageInfoDto::of(&listing),
        }
    }
}

/// `Version`: metadata plus exactly one of the value fields. `Debug` hides the value.
#[derive(Serialize)]
pub struct VersionDto {
    pub version_metadata: VersionMetadataDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_binary: Option<String>,
}

impl std::fmt::Debug for VersionDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::value::redacted;
        f.debug_struct("VersionDto")
            .field("version_metadata", &self.version_metadata)
            .field("secret_string", &redacted(self.secret_string.as_deref()))
            .field("secret_binary", &redacted(self.secret_binary.as_deref()))
            .finish()
    }
}

/// `{"version": Version}`.
#[derive(Debug, Serialize)]
pub struct VersionResponse {
    pub version: VersionDto,
}

impl From<VersionInfo> for VersionResponse {
    fn from(v: VersionInfo) -> Self {
        let version_metadata = VersionMetadataDto::from(&v);
        let (secret_string, secret_binary) = match &v.value {
            Some(value) => (
                value.as_text().map(str::to_owned),
                value.as_binary().map(str::to_owned),
            ),
            None => (None, None),
        };
        Self {
            version: VersionDto {
                version_metadata,
                secret_string,
                secret_binary,
            },
        }
    }
}

/// `Stage`.
#[derive(Debug, Serialize)]
pub struct StageDto {
    pub name: String,
    pub update_time: i64,
    pub secret_name: String,
    pub version_id: String,
}

/// `{"stage": Stage}`.
#[derive(Debug, Serialize)]
pub struct StageResponse {
    pub stage: StageDto,
}

impl From<StageInfo> for StageResponse {
    fn from(s: StageInfo) -> Self {
        Self {
            stage: StageDto {
                name: s.name,
                update_time: s.update_time,
                secret_name: s.secret_name.to_string(),
                version_id: s.version_id.to_string(),
            },
        }
    }
}

/// `ErrorInfo` of batch import.
#[derive(Debug, Serialize)]
pub struct ImportErrorDto {
    pub name: String,
    pub error_msg: String,
}

/// The answer of batch import ("Importing Secrets in Batches" page).
#[derive(Debug, Serialize)]
pub struct BatchImportResponse {
    pub error_list: Vec<ImportErrorDto>,
    pub total: usize,
    pub success: usize,
    pub failed: usize,
}

impl From<BatchImportReport> for BatchImportResponse {
    fn from(r: BatchImportReport) -> Self {
        Self {
            failed: r.errors.len(),
            error_list: r
                .errors
                .into_iter()
                .map(|e| ImportErrorDto {
                    name: e.name,
                    error_msg: e.error_msg,
                })
                .collect(),
            total: r.total,
            success: r.success,
        }
    }
}

/// `FailedDeletedSecrets` of batch delete.
#[derive(Debug, Serialize)]
pub struct FailedDeletedDto {
    pub secret_name: String,
    pub error_msg: String,
}

/// The answer of batch delete ("Deleting Secrets in Batches" page).
#[derive(Debug, Serialize)]
pub struct BatchDeleteResponse {
    pub total: usize,
    pub success_secrets: Vec<String>,
    pub failed_secrets: Vec<FailedDeletedDto>,
}

impl From<BatchDeleteReport> for BatchDeleteResponse {
    fn from(r: BatchDeleteReport) -> Self {
        Self {
            total: r.total,
            success_secrets: r.deleted,
            failed_secrets: r
                .failed
                .into_iter()
                .map(|(secret_name, error_msg)| FailedDeletedDto {
                    secret_name,
                    error_msg,
                })
                .collect(),
        }
    }
}
