//! Tags  and the tag search `resource_instances/action`
//! (§2.3.16). Tags address a secret by its id, not its name.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use uuid::Uuid;

use crate::domain::names::ProjectId;
use crate::domain::secret::Secret;
use crate::domain::tag::TagKey;
use crate::error::CsmsError;
use crate::store::{self, ProjectData, Tagged};

use super::handle::CsmsService;

/// A validated batch tag action: tags to set, or keys to remove.
#[derive(Debug, Clone)]
pub enum TagAction {
    Create(Vec<(TagKey, String)>),
    Delete(Vec<TagKey>),
}

/// The answer of a search: the page (absent for `count`) and the number of matches.
#[derive(Debug)]
pub struct ResourcePage {
    pub resources: Option<Vec<Arc<Secret>>>,
    pub total_count: usize,
}

/// A checked search: tag filters (AND over keys, OR over values) and name fragments.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub tags: Vec<(String, BTreeSet<String>)>,
    pub name_fragments: Vec<String>,
}

/// A validated `resource_instances/action` request: filter (a page) or count.
#[derive(Debug, Clone)]
pub struct ResourceSearch {
    pub counting: bool,
    pub limit: usize,
    pub offset: usize,
    pub search: Search,
}

impl Search {
    /// The tag filter the index holds the fewest names for; `None` when the search
    /// filters on no tag.
    fn narrowest_filter<'d>(&self, data: &'d ProjectData) -> Option<Tagged<'d>> {
        self.tags
            .iter()
            .map(|(key, values)| data.tagged(key, values))
            .min_by_key(Tagged::len)
    }

    /// Whether a secret has every filtered key (with one of its values) and every name
    /// fragment.
    fn accepts(&self, secret: &Secret) -> bool {
        let tags_ok = self.tags.iter().all(|(key, values)| {
            secret
                .tags()
                .get(key)
                .is_some_and(|v| values.is_empty() || values.contains(v))
        });
        let name_ok = self
            .name_fragments
            .iter()
            .all(|f| secret.name().as_str().contains(f.as_str()));
        tags_ok && name_ok
    }
}

impl CsmsService {
    /// Create tag, `POST /v1/{project_id}/csms/{secret_id}/tags` (204).
    pub fn create_secret_tag(
        &self,
        project: &ProjectId,
        id: Uuid,
        tag: (TagKey, String),
    ) -> Result<(), CsmsError> {
        self.update_tags(project, id, |secret| secret.set_tags(vec![tag]))
    }

    /// Batch create or delete tags, `POST /v1/{project_id}/csms/{secret_id}/tags/action`
    /// (204). Delete removes the listed keys whatever their values.
    pub fn batch_create_or_delete_tags(
        &self,
        project: &ProjectId,
        id: Uuid,
        action: TagAction,
    ) -> Result<(), CsmsError> {
        match action {
            TagAction::Create(items) => {
                self.update_tags(project, id, |secret| secret.set_tags(items))
            }
            TagAction::Delete(keys) => self.update_tags(project, id, |secret| {
                secret.remove_tags(&keys);
                Ok(())
            }),
        }
    }

    /// Delete tag, `DELETE /v1/{project_id}/csms/{secret_id}/tags/{key}` (204).
    pub fn delete_secret_tag(
        &self,
        project: &ProjectId,
        id: Uuid,
        key: &TagKey,
    ) -> Result<(), CsmsError> {
        self.update_tags(project, id, |secret| secret.remove_tag(key))
    }

    /// List a secret's tags, `GET /v1/{project_id}/csms/{secret_id}/tags`.
    pub fn list_secret_tags(
        &self,
        project: &ProjectId,
        id: Uuid,
    ) -> Result<Arc<Secret>, CsmsError> {
        let now = self.now();
        store::read(self.store(), project, |data| {
            data.live_secret_by_id(id, now).cloned()
        })?
        .ok_or_else(|| CsmsError::secret_not_found(id.to_string()))
    }

    /// List the project's tags, `GET /v1/{project_id}/csms/tags`: every key with the set
    /// of its values.
    pub fn list_project_secrets_tags(
        &self,
        project: &ProjectId,
    ) -> Result<BTreeMap<String, BTreeSet<String>>, CsmsError> {
        let now = self.now();
        store::read(self.store(), project, |data| {
            // From the index; a pair only destroyed secrets still carry is left out.
            let destroyed: Vec<&Arc<Secret>> = data.destroyed_at(now).collect();
            let carried_by_destroyed = |key: &String, value: &String| {
                destroyed
                    .iter()
                    .filter(|s| s.tags().get(key) == Some(value))
                    .count()
            };
            data.tags()
                .iter()
                .filter_map(|(key, by_value)| {
                    let values: BTreeSet<String> = by_value
                        .iter()
                        .filter(|(value, names)| names.len() > carried_by_destroyed(key, value))
                        .map(|(value, _)| value.clone())
                        .collect();
                    (!values.is_empty()).then(|| (key.clone(), values))
                })
                .collect()
        })
    }

    /// Search secrets by tags and name, `POST /v1/{project_id}/csms/resource_instances/action`.
    pub fn list_resource_instances(
        &self,
        project: &ProjectId,
        request: &ResourceSearch,
    ) -> Result<ResourcePage, CsmsError> {
        let ResourceSearch {
            counting,
            limit,
            offset,
            ref search,
        } = *request;
        let now = self.now();
        store::read(self.store(), project, |data| {
            let Some(tagged) = search.narrowest_filter(data) else {
                // No tag to look up: every secret is a candidate.
                let matching = || data.live_secrets(now).filter(|s| search.accepts(s));
                return ResourcePage {
                    total_count: if search.name_fragments.is_empty() {
                        data.live_count(now)
                    } else {
                        matching().count()
                    },
                    resources: (!counting)
                        .then(|| matching().skip(offset).take(limit).cloned().collect()),
                };
            };
            let matching = || {
                tagged
                    .names()
                    .filter_map(|name| data.live_secret(name, now))
                    .filter(|s| search.accepts(s))
            };
            let total_count = if search.tags.len() == 1 && search.name_fragments.is_empty() {
                // One filter: the index's count is the answer, less destroyed secrets.
                tagged.len() - data.destroyed_at(now).filter(|s| search.accepts(s)).count()
            } else {
                matching().count()
            };
            ResourcePage {
                total_count,
                resources: (!counting)
                    .then(|| matching().skip(offset).take(limit).cloned().collect()),
            }
        })
    }

    fn update_tags(
        &self,
        project: &ProjectId,
        id: Uuid,
        f: impl FnOnce(&mut Secret) -> Result<(), CsmsError>,
    ) -> Result<(), CsmsError> {
        self.write(project, |tx, _| {
            let mut secret = tx
                .get_by_id(id)
                .cloned()
                .ok_or_else(|| CsmsError::secret_not_found(id.to_string()))?;
            f(&mut secret)?;
            tx.put(secret);
            Ok(())
        })
    }
}
