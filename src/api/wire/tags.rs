//! Tag wire types: a tag, the batch tag action and the tag search bodies with their
//! parses, and the secret-tags, project-tags and search answers.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::input::{parse_count, required};
use super::secrets::SecretDto;
use crate::domain::secret::Secret;
use crate::domain::tag::{
    FILTERS_MAX, MATCH_VALUE_MAX_CHARS, SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX, TAGS_MAX, TagKey,
    check_sequence, parse_tag_value,
};
use crate::error::CsmsError;
use crate::service::{ResourceSearch, Search, TagAction};

/// `TagItem`: `{key, value}`. The patterns are the ASCII part of what the emulator takes:
/// keys and values may hold any Unicode letter or digit too, and a key may not start with
/// `_sys_`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct TagBody {
    #[schemars(
        required,
        regex(pattern = r"^[A-Za-z0-9_.:=+@-]([A-Za-z0-9 _.:=+@-]{0,126}[A-Za-z0-9_.:=+@-])?$")
    )]
    pub key: Option<String>,
    #[schemars(regex(pattern = r"^[A-Za-z0-9 _.:/=+@-]{0,255}$"))]
    pub value: Option<String>,
}

impl TagBody {
    pub fn parse(&self) -> Result<(TagKey, String), CsmsError> {
        let key = TagKey::parse(self.key.as_deref().unwrap_or_default())?;
        let value = parse_tag_value(self.value.as_deref())?;
        Ok((key, value))
    }
}

/// `{"tag": TagItem}`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateTagBody {
    #[schemars(required)]
    pub tag: Option<TagBody>,
}

impl CreateTagBody {
    /// The tag to add.
    pub fn parse(self) -> Result<(TagKey, String), CsmsError> {
        required(self.tag, "tag")?.parse()
    }
}

/// The body of the batch tag action.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct TagActionBody {
    #[schemars(required, extend("enum" = ["create", "delete"]))]
    pub action: Option<String>,
    #[schemars(required, length(min = 1, max = crate::domain::tag::TAGS_MAX))]
    pub tags: Option<Vec<TagBody>>,
    #[schemars(length(max = 36))]
    pub sequence: Option<String>,
}

impl TryFrom<TagActionBody> for TagAction {
    type Error = CsmsError;

    fn try_from(body: TagActionBody) -> Result<Self, CsmsError> {
        check_sequence(body.sequence.as_deref())?;
        let tags = body.tags.unwrap_or_default();
        if tags.is_empty() || tags.len() > TAGS_MAX {
            return Err(CsmsError::invalid("tags", "must have 1 to 20 items"));
        }
        match body.action.as_deref() {
            Some("create") => Ok(Self::Create(
                tags.iter().map(TagBody::parse).collect::<Result<_, _>>()?,
            )),
            Some("delete") => Ok(Self::Delete(
                tags.iter()
                    .map(|t| TagKey::parse(t.key.as_deref().unwrap_or_default()))
                    .collect::<Result<_, _>>()?,
            )),
            _ => Err(CsmsError::invalid("action", "must be create or delete")),
        }
    }
}

/// `Tag` of a search: a key and the values any of which match (none = any value).
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct TagFilterBody {
    #[schemars(
        required,
        regex(pattern = r"^[A-Za-z0-9_.:=+@-]([A-Za-z0-9 _.:=+@-]{0,126}[A-Za-z0-9_.:=+@-])?$")
    )]
    pub key: Option<String>,
    #[schemars(length(max = crate::domain::tag::FILTERS_MAX), inner(regex(pattern = r"^[A-Za-z0-9 _.:/=+@-]{0,255}$")))]
    pub values: Option<Vec<String>>,
}

/// `TagMatches`: only `resource_name` is documented.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct MatchBody {
    #[schemars(required, extend("enum" = ["resource_name"]))]
    pub key: Option<String>,
    #[schemars(length(max = crate::domain::tag::MATCH_VALUE_MAX_CHARS))]
    pub value: Option<String>,
}

/// The body of `resource_instances/action`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct ResourceFilterBody {
    #[schemars(required, extend("enum" = ["filter", "count"]))]
    pub action: Option<String>,
    /// 1–1000, default 10.
    #[schemars(regex(pattern = "^(1000|[1-9][0-9]{0,2})$"))]
    pub limit: Option<String>,
    #[schemars(regex(pattern = "^(0|[1-9][0-9]{0,8})$"))]
    pub offset: Option<String>,
    #[schemars(length(min = 1, max = crate::domain::tag::FILTERS_MAX))]
    pub tags: Option<Vec<TagFilterBody>>,
    #[schemars(length(max = crate::domain::tag::FILTERS_MAX))]
    pub matches: Option<Vec<MatchBody>>,
    #[schemars(length(max = 36))]
    pub sequence: Option<String>,
}

impl ResourceFilterBody {
    /// The tag filters (AND over keys, OR over values) and name fragments.
    fn search(&self) -> Result<Search, CsmsError> {
        let input = self;
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
        Ok(Search {
            tags,
            name_fragments,
        })
    }
}

impl TryFrom<ResourceFilterBody> for ResourceSearch {
    type Error = CsmsError;

    fn try_from(body: ResourceFilterBody) -> Result<Self, CsmsError> {
        check_sequence(body.sequence.as_deref())?;
        let counting = match body.action.as_deref() {
            Some("filter") => false,
            Some("count") => true,
            _ => return Err(CsmsError::invalid("action", "must be filter or count")),
        };
        let limit = parse_count(
            body.limit.as_deref(),
            "limit",
            SEARCH_LIMIT_DEFAULT,
            1..=SEARCH_LIMIT_MAX,
        )?;
        let offset = parse_count(body.offset.as_deref(), "offset", 0, 0..=usize::MAX)?;
        Ok(Self {
            counting,
            limit,
            offset,
            search: body.search()?,
        })
    }
}

/// `TagItem` / `SysTag` in answers.
#[derive(Debug, Serialize)]
pub struct TagItemDto {
    pub key: String,
    pub value: String,
}

/// The `_sys_` tags of a secret: its enterprise project when not the default.
fn sys_tags(secret: &Secret) -> Vec<TagItemDto> {
    if secret.settings().in_default_enterprise_project() {
        Vec::new()
    } else {
        vec![TagItemDto {
            key: "_sys_enterprise_project_id".to_owned(),
            value: secret.settings().enterprise_project_id().to_owned(),
        }]
    }
}

fn tag_items(secret: &Secret) -> Vec<TagItemDto> {
    secret
        .tags()
        .iter()
        .map(|(k, v)| TagItemDto {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

/// The answer of list-secret-tags.
#[derive(Debug, Serialize)]
pub struct SecretTagsResponse {
    pub tags: Vec<TagItemDto>,
    pub sys_tags: Vec<TagItemDto>,
}

impl From<&Secret> for SecretTagsResponse {
    fn from(s: &Secret) -> Self {
        Self {
            tags: tag_items(s),
            sys_tags: sys_tags(s),
        }
    }
}

/// `TagResponse` of the project tag list.
#[derive(Debug, Serialize)]
pub struct TagValuesDto {
    pub key: String,
    pub values: Vec<String>,
}

/// The answer of list-project-secrets-tags.
#[derive(Debug, Serialize)]
pub struct ProjectTagsResponse {
    pub tags: Vec<TagValuesDto>,
}

impl From<BTreeMap<String, BTreeSet<String>>> for ProjectTagsResponse {
    fn from(all: BTreeMap<String, BTreeSet<String>>) -> Self {
        Self {
            tags: all
                .into_iter()
                .map(|(key, values)| TagValuesDto {
                    key,
                    values: values.into_iter().collect(),
                })
                .collect(),
        }
    }
}

/// `ActionResources`.
#[derive(Debug, Serialize)]
pub struct ResourceDto {
    pub resource_id: String,
    pub resource_name: String,
    pub resource_detail: SecretDto,
    pub tags: Vec<TagItemDto>,
    pub sys_tags: Vec<TagItemDto>,
}

/// The answer of resource_instances/action.
#[derive(Debug, Serialize)]
pub struct ResourcesResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ResourceDto>>,
    pub total_count: usize,
}

impl ResourcesResponse {
    #[must_use]
    pub fn new(resources: Option<Vec<Arc<Secret>>>, total_count: usize) -> Self {
        Self {
            resources: resources.map(|list| {
                list.iter()
                    .map(|s| ResourceDto {
                        resource_id: s.id().to_string(),
                        resource_name: s.name().to_string(),
                        resource_detail: SecretDto::from(&**s),
                        tags: tag_items(s),
                        sys_tags: sys_tags(s),
                    })
                    .collect()
            }),
            total_count,
        }
    }
}
