//! Batch import ("Importing Secrets in Batches" page) and batch delete ("Deleting Secrets in Batches" page): one transaction each, with an
//! outcome reported per item.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::domain::limits::{IMPORT_ROTATION_PERIOD_MIN_SECS, IMPORT_VALUE_MAX_BYTES};
use crate::domain::names::{ProjectId, SecretName};
use crate::domain::rotation::SecretType;
use crate::domain::secret::{Secret, SecretState};
use crate::error::CsmsError;

use super::CsmsService;
use super::events::ensure_events_exist;
use super::notify::destroy_secret;
use super::validate::CreateSecretInput;
use super::validate::{CreateRules, validate_create};

const IMPORT_RULES: CreateRules = CreateRules {
    parse_name: SecretName::parse_for_import,
    value_max_bytes: IMPORT_VALUE_MAX_BYTES,
    period_min_secs: IMPORT_ROTATION_PERIOD_MIN_SECS,
};

/// One item batch import could not create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFailure {
    pub name: String,
    pub error_msg: String,
}

/// The outcome of batch import (docs/behaviour.md §22).
#[derive(Debug, Clone)]
pub struct BatchImportReport {
    pub total: usize,
    pub success: usize,
    pub errors: Vec<ImportFailure>,
}

/// The body of batch delete, as sent ("Deleting Secrets in Batches" page).
#[derive(Debug, Default, Clone, serde::Deserialize, schemars::JsonSchema)]
pub struct BatchDeleteInput {
    pub instance_id: Option<String>,
    pub instance_type: Option<String>,
}

/// The outcome of batch delete: `failed` holds `(name, "CODE: message")`.
#[derive(Debug, Clone)]
pub struct BatchDeleteReport {
    pub total: usize,
    pub deleted: Vec<String>,
    pub failed: Vec<(String, String)>,
}

/// The secret type an `instance_type` stands for; `None` matches every type (docs/behaviour.md §21).
fn secret_type_for_instance(raw: &str) -> Result<Option<SecretType>, CsmsError> {
    match raw {
        "RDS" => Ok(Some(SecretType::RdsFg)),
        "TaurusDB" | "GaussDB" => Ok(Some(SecretType::GaussDbFg)),
        "APIG" => Ok(None),
        _ => Err(CsmsError::invalid(
            "instance_type",
            "must be one of RDS, TaurusDB, GaussDB, APIG",
        )),
    }
}

impl CsmsService {
    /// Batch import, `POST /v1/{project_id}/secrets/batch-import`: valid items are created,
    /// invalid ones are listed with their cause; the request itself still succeeds (docs/behaviour.md §22).
    #[tracing::instrument(skip_all, fields(project = %project, items = items.len()))]
    pub fn batch_import_secrets(
        &self,
        project: &ProjectId,
        items: Vec<CreateSecretInput>,
    ) -> Result<BatchImportReport, CsmsError> {
        let total = items.len();
        self.write(project, |tx, now| {
            let mut errors = Vec::new();
            let mut success = 0;
            for item in items {
                let shown_name = item.name.clone().unwrap_or_default();
                let outcome =
                    validate_create(project, item, &IMPORT_RULES).and_then(|(settings, value)| {
                        tx.ensure_name_free(&settings.name)?;
                        ensure_events_exist(tx, &settings.event_subscriptions)?;
                        Secret::create(Uuid::new_v4(), settings, value, now)
                    });
                match outcome.and_then(|secret| tx.insert_new(secret)) {
                    Ok(_) => {
                        success += 1;
                    }
                    Err(err) => errors.push(ImportFailure {
                        name: shown_name,
                        error_msg: err.prefixed_message(),
                    }),
                }
            }
            Ok(BatchImportReport {
                total,
                success,
                errors,
            })
        })
    }

    /// Batch delete, `POST /v1/{project_id}/secrets/batch-delete`: deletes at once every
    /// secret associated with the instance; pending-deletion secrets fail with CSMS.0107
    /// ("Deleting Secrets in Batches" page, docs/behaviour.md §21). At least one of `instance_id`, `instance_type` is required, so an
    /// empty body cannot wipe a project.
    #[tracing::instrument(skip_all, fields(project = %project))]
    pub fn batch_delete_secrets(
        &self,
        project: &ProjectId,
        input: BatchDeleteInput,
    ) -> Result<BatchDeleteReport, CsmsError> {
        let instance_id = input.instance_id.filter(|s| !s.is_empty());
        let type_filter = input
            .instance_type
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(secret_type_for_instance)
            .transpose()?;
        if instance_id.is_none() && type_filter.is_none() {
            return Err(CsmsError::invalid(
                "instance_id/instance_type",
                "at least one of instance_id and instance_type is required",
            ));
        }
        self.write(project, |tx, now| {
            let matched: Vec<(SecretName, SecretState)> = tx
                .secrets()
                // Associated with an instance, that instance if one is named, and of the
                // type the instance type stands for, if one is named.
                .filter(|s| {
                    s.instance_id()
                        .is_some_and(|own| instance_id.as_deref().is_none_or(|id| id == own))
                        && type_filter
                            .flatten()
                            .is_none_or(|t| s.settings().secret_type == t)
                })
                .map(|s| (s.name().clone(), s.state()))
                .collect();
            let mut report = BatchDeleteReport {
                total: matched.len(),
                deleted: Vec::new(),
                failed: Vec::new(),
            };
            let mut removed = BTreeSet::new();
            for (name, state) in matched {
                if state == SecretState::PendingDelete {
                    let err = CsmsError::AlreadyPendingDelete(name.to_string());
                    report
                        .failed
                        .push((name.to_string(), err.prefixed_message()));
                } else {
                    report.deleted.push(name.to_string());
                    removed.insert(name);
                }
            }
            for name in &removed {
                destroy_secret(tx, name, now);
            }
            Ok(report)
        })
    }
}
