//! Tags  and the tag search `resource_instances/action`
//! (§2.3.16). Tags address a secret by its id, not its name.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Deserialize;
use uuid::Uuid;

use crate::domain::names::ProjectId;
use crate::domain::secret::Secret;
use crate::domain::tag::{TagKey, parse_tag_value};
use crate::error::CsmsError;
use crate::store;

use super::CsmsService;
use super::input::parse_count;

/// `TagItem`: `{key, value}`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct TagInput {
    #[schemars(required, length(min = 1, max = crate::domain::tag::TAG_KEY_MAX_CHARS))]
    pub key: Option<String>,
    #[schemars(length(max = crate::domain::tag::TAG_VALUE_MAX_CHARS))]
    pub value: Option<String>,
}

/// The body of the batch tag action.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct TagActionInput {
    pub action: Option<String>,
    #[schemars(length(max = crate::domain::tag::TAGS_MAX))]
    pub tags: Option<Vec<TagInput>>,
    pub sequence: Option<String>,
}

/// `Tag` of a search: a key and the values any of which match (none = any value).
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct TagFilterInput {
    pub key: Option<String>,
    pub values: Option<Vec<String>>,
}

/// `TagMatches`: only `resource_name` is documented.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct MatchInput {
    pub key: Option<String>,
    pub value: Option<String>,
}

/// The body of `resource_instances/action`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct ResourceFilterInput {
    pub action: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub tags: Option<Vec<TagFilterInput>>,
    pub matches: Option<Vec<MatchInput>>,
    pub sequence: Option<String>,
}

/// The answer of a search: the page (absent for `count`) and the number of matches.
#[derive(Debug)]
pub struct ResourcePage {
    pub resources: Option<Vec<Arc<Secret>>>,
    pub total_count: usize,
}

/// At most 10 tag filters, 10 values each, and 10 matches (ListResourceInstances page).
const FILTERS_MAX: usize = 10;
/// Search page size: 1–1000, default 10.
const SEARCH_LIMIT_DEFAULT: usize = 10;
const SEARCH_LIMIT_MAX: usize = 1000;

fn parse_secret_id(raw: &str) -> Result<Uuid, CsmsError> {
    Uuid::parse_str(raw)
        .ok()
        .filter(|_| raw.len() == 36)
        .ok_or_else(|| CsmsError::invalid("secret_id", "must be the secret's 36-character id"))
}

fn parse_item(item: &TagInput) -> Result<(TagKey, String), CsmsError> {
    let key = TagKey::parse(item.key.as_deref().unwrap_or_default())?;
    let value = parse_tag_value(item.value.as_deref())?;
    Ok((key, value))
}

fn check_sequence(sequence: Option<&str>) -> Result<(), CsmsError> {
    if sequence.is_some_and(|s| s.len() > 36) {
        return Err(CsmsError::invalid(
            "sequence",
            "must have at most 36 characters",
        ));
    }
    Ok(())
}

/// Longest `matches[].value` of a search.
const MATCH_VALUE_MAX_CHARS: usize = 255;

/// A checked search: tag filters (AND over keys, OR over values) and name fragments.
struct Search {
    tags: Vec<(String, BTreeSet<String>)>,
    name_fragments: Vec<String>,
}

impl Search {
    fn parse(input: &ResourceFilterInput) -> Result<Self, CsmsError> {
        let filters = input.tags.as_deref().unwrap_or_default();
        let matches = input.matches.as_deref().unwrap_or_default();
        if filters.len() > FILTERS_MAX || matches.len() > FILTERS_MAX {
            return Err(CsmsError::invalid("tags/matches", "at most 10 items each"));
        }
        // ListResourceInstances.json: `tags` has `minItems 1` (leave it out to filter on
        // nothing), a match value `maxLength 255`.
        if input.tags.as_ref().is_some_and(Vec::is_empty) {
            return Err(CsmsError::invalid(
                "tags",
                "must have 1 to 10 items when given",
            ));
        }
        let mut tags = Vec::with_capacity(filters.len());
        for f in filters {
            let key = TagKey::parse(f.key.as_deref().unwrap_or_default())?;
            let values = f.values.clone().unwrap_or_default();
            if values.len() > FILTERS_MAX {
                return Err(CsmsError::invalid("tags.values", "at most 10 values a key"));
            }
            for v in &values {
                parse_tag_value(Some(v))?;
            }
            tags.push((key.into_string(), values.into_iter().collect()));
        }
        let mut name_fragments = Vec::with_capacity(matches.len());
        for m in matches {
            if m.key.as_deref() != Some("resource_name") {
                return Err(CsmsError::invalid("matches.key", "must be resource_name"));
            }
            let fragment = m.value.clone().unwrap_or_default();
            if fragment.chars().count() > MATCH_VALUE_MAX_CHARS {
                return Err(CsmsError::invalid(
                    "matches.value",
                    "must have at most 255 characters",
                ));
            }
            name_fragments.push(fragment);
        }
        Ok(Self {
            tags,
            name_fragments,
        })
    }

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
        secret_id: &str,
        tag: Option<TagInput>,
    ) -> Result<(), CsmsError> {
        let id = parse_secret_id(secret_id)?;
        let item = parse_item(&tag.ok_or_else(|| CsmsError::invalid("tag", "is required"))?)?;
        self.update_tags(project, id, |secret| secret.set_tags(vec![item]))
    }

    /// Batch create or delete tags, `POST /v1/{project_id}/csms/{secret_id}/tags/action`
    /// (204). Delete removes the listed keys whatever their values.
    pub fn batch_create_or_delete_tags(
        &self,
        project: &ProjectId,
        secret_id: &str,
        input: TagActionInput,
    ) -> Result<(), CsmsError> {
        let id = parse_secret_id(secret_id)?;
        check_sequence(input.sequence.as_deref())?;
        let tags = input.tags.unwrap_or_default();
        if tags.is_empty() || tags.len() > crate::domain::tag::TAGS_MAX {
            return Err(CsmsError::invalid("tags", "must have 1 to 20 items"));
        }
        match input.action.as_deref() {
            Some("create") => {
                let items = tags.iter().map(parse_item).collect::<Result<Vec<_>, _>>()?;
                self.update_tags(project, id, |secret| secret.set_tags(items))
            }
            Some("delete") => {
                let keys = tags
                    .iter()
                    .map(|t| TagKey::parse(t.key.as_deref().unwrap_or_default()))
                    .collect::<Result<Vec<_>, _>>()?;
                self.update_tags(project, id, |secret| {
                    secret.remove_tags(&keys);
                    Ok(())
                })
            }
            _ => Err(CsmsError::invalid("action", "must be create or delete")),
        }
    }

    /// Delete tag, `DELETE /v1/{project_id}/csms/{secret_id}/tags/{key}` (204).
    pub fn delete_secret_tag(
        &self,
        project: &ProjectId,
        secret_id: &str,
        key: &str,
    ) -> Result<(), CsmsError> {
        let id = parse_secret_id(secret_id)?;
        self.update_tags(project, id, |secret| secret.remove_tag(key))
    }

    /// List a secret's tags, `GET /v1/{project_id}/csms/{secret_id}/tags`.
    pub fn list_secret_tags(
        &self,
        project: &ProjectId,
        secret_id: &str,
    ) -> Result<Arc<Secret>, CsmsError> {
        let id = parse_secret_id(secret_id)?;
        let now = self.now();
        store::read(&*self.store, project, |data| {
            data.live_secret_by_id(id, now).cloned()
        })?
        .ok_or_else(|| CsmsError::secret_not_found(secret_id))
    }

    /// List the project's tags, `GET /v1/{project_id}/csms/tags`: every key with the set
    /// of its values.
    pub fn list_project_secrets_tags(
        &self,
        project: &ProjectId,
    ) -> Result<BTreeMap<String, BTreeSet<String>>, CsmsError> {
        let now = self.now();
        store::read(&*self.store, project, |data| {
            let mut all: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for secret in data.live_secrets(now) {
                for (k, v) in secret.tags() {
                    all.entry(k.clone()).or_default().insert(v.clone());
                }
            }
            all
        })
    }

    /// Search secrets by tags and name, `POST /v1/{project_id}/csms/resource_instances/action`.
    pub fn list_resource_instances(
        &self,
        project: &ProjectId,
        input: &ResourceFilterInput,
    ) -> Result<ResourcePage, CsmsError> {
        check_sequence(input.sequence.as_deref())?;
        let counting = match input.action.as_deref() {
            Some("filter") => false,
            Some("count") => true,
            _ => return Err(CsmsError::invalid("action", "must be filter or count")),
        };
        let limit = parse_count(
            input.limit.as_deref(),
            "limit",
            SEARCH_LIMIT_DEFAULT,
            1..=SEARCH_LIMIT_MAX,
        )?;
        let offset = parse_count(input.offset.as_deref(), "offset", 0, 0..=usize::MAX)?;
        let search = Search::parse(input)?;
        let now = self.now();
        store::read(&*self.store, project, |data| {
            let matching: Vec<&Arc<Secret>> = data
                .live_secrets(now)
                .filter(|s| search.accepts(s))
                .collect();
            ResourcePage {
                total_count: matching.len(),
                resources: (!counting).then(|| {
                    matching
                        .into_iter()
                        .skip(offset)
                        .take(limit)
                        .cloned()
                        .collect()
                }),
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
