//! Batch import ("Importing Secrets in Batches" page) and batch delete ("Deleting Secrets in Batches" page): one transaction each, with an
//! outcome reported per item.

use std::collections::BTreeSet;

use crate::domain::names::{ProjectId, SecretName};
use crate::domain::rotation::SecretType;
use crate::domain::secret::SecretState;
use crate::error::CsmsError;

use super::handle::CsmsService;
use super::notify::destroy_secret;
use super::secrets::{MadeSecret, NewSecret, add_made_secret};

/// One batch-import item: what it parsed to, or why it did not parse. Only a failure
/// keeps the name the item gave, for the report (a parsed item's name is its secret's):
/// an item is 72 bytes, not 128, and a 5,000-item request's list of them is that much
/// smaller while it runs.
pub type ImportItem = Result<NewSecret, ImportFailure>;

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

/// Which secrets batch delete reaches: those associated with an instance, that
/// instance if `instance_id` is given, and of `secret_type` if one is given.
#[derive(Debug, Clone)]
pub struct BatchDeleteFilter {
    instance_id: Option<String>,
    secret_type: Option<SecretType>,
}

impl BatchDeleteFilter {
    /// At least one of `instance_id`, `instance_type` is required (empty = absent), so an
    /// empty body cannot wipe a project (docs/behaviour.md §21).
    pub fn parse(
        instance_id: Option<String>,
        instance_type: Option<&str>,
    ) -> Result<Self, CsmsError> {
        let instance_id = instance_id.filter(|s| !s.is_empty());
        let instance_type = instance_type.filter(|s| !s.is_empty());
        let secret_type = instance_type
            .map(secret_type_for_instance)
            .transpose()?
            .flatten();
        if instance_id.is_none() && instance_type.is_none() {
            return Err(CsmsError::invalid(
                "instance_id/instance_type",
                "at least one of instance_id and instance_type is required",
            ));
        }
        Ok(Self {
            instance_id,
            secret_type,
        })
    }
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
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project, items = items.len()))]
    pub fn batch_import_secrets(
        &self,
        project: &ProjectId,
        items: Vec<ImportItem>,
    ) -> Result<BatchImportReport, CsmsError> {
        let total = items.len();
        let now = self.now();
        // Made before the lock is taken, as a single create's is.
        let items: Vec<_> = items
            .into_iter()
            .map(|item| item.map(|new| MadeSecret::make(new, now)))
            .collect();
        self.write_at(project, now, |tx| {
            let mut errors = Vec::new();
            let mut success = 0;
            for item in items {
                let added = item.and_then(|new| {
                    let name = new.name().clone();
                    add_made_secret(tx, new).map_err(|err| ImportFailure {
                        name: name.into_string(),
                        error_msg: err.prefixed_message(),
                    })
                });
                match added {
                    Ok(_) => success += 1,
                    Err(failure) => errors.push(failure),
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
    #[tracing::instrument(level = "debug", skip_all, fields(project = %project))]
    pub fn batch_delete_secrets(
        &self,
        project: &ProjectId,
        filter: &BatchDeleteFilter,
    ) -> Result<BatchDeleteReport, CsmsError> {
        let BatchDeleteFilter {
            instance_id,
            secret_type: type_filter,
        } = filter;
        self.write(project, |tx, now| {
            let matched: Vec<(SecretName, SecretState)> = tx
                .secrets()
                // Associated with an instance, that instance if one is named, and of the
                // type the instance type stands for, if one is named.
                .filter(|s| {
                    s.instance_id()
                        .is_some_and(|own| instance_id.as_deref().is_none_or(|id| id == own))
                        && type_filter.is_none_or(|t| s.settings().secret_type == t)
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
