//! Browsing for the web console, tests and metrics: how many secrets each project holds,
//! and one page of secrets filtered by name fragment, state, type and tag, with each
//! one's SYSCURRENT version. Read-only queries over the same committed state the CSMS
//! list reads.

use std::sync::Arc;

use crate::domain::names::{ProjectId, VersionRef};
use crate::domain::secret::Secret;
use crate::error::CsmsError;
use crate::store;

use super::handle::CsmsService;

/// The most rows one browse page holds.
pub const BROWSE_LIMIT_MAX: usize = 500;

/// What to browse for, checked: each `Some` narrows the result (a name fragment, a state
/// or type as the API spells it, a tag key with an optional value); `limit` is 1 to
/// [`BROWSE_LIMIT_MAX`].
#[derive(Debug, Clone)]
pub struct BrowseFilter {
    pub name: Option<String>,
    pub state: Option<String>,
    pub secret_type: Option<String>,
    pub tag: Option<(String, Option<String>)>,
    pub offset: usize,
    pub limit: usize,
}

/// One row of a browse page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BrowseRow {
    pub id: String,
    pub name: String,
    pub state: &'static str,
    pub secret_type: &'static str,
    pub create_time: i64,
    /// The version holding SYSCURRENT.
    pub current_version: Option<String>,
    pub tags: usize,
}

/// A page of rows and how many secrets match in all.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BrowsePage {
    pub total: usize,
    pub offset: usize,
    pub secrets: Vec<BrowseRow>,
}

impl CsmsService {
    /// The number of secrets in each project, for metrics.
    pub fn secret_counts(&self) -> Result<Vec<(String, usize)>, CsmsError> {
        let now = self.now();
        let global = crate::domain::names::ProjectId::global();
        let mut counts = Vec::new();
        for project in self.store().projects()? {
            if project == global {
                continue;
            }
            let n = crate::store::read(self.store(), &project, |data| data.live_count(now))?;
            counts.push((project.to_string(), n));
        }
        Ok(counts)
    }

    /// The projects that hold secrets, with how many each holds, by project id.
    pub fn browse_projects(&self) -> Result<Vec<(String, usize)>, CsmsError> {
        let mut counts = self.secret_counts()?;
        counts.sort();
        Ok(counts)
    }

    /// One page of `project`'s live secrets in name order, narrowed by `filter`.
    pub fn browse_secrets(
        &self,
        project: &ProjectId,
        filter: &BrowseFilter,
    ) -> Result<BrowsePage, CsmsError> {
        let BrowseFilter {
            name,
            state,
            secret_type: kind,
            tag,
            offset,
            limit,
        } = filter;
        let (offset, limit) = (*offset, *limit);
        let (tag_key, tag_value) = match tag {
            Some((key, value)) => (Some(key.as_str()), value.as_deref()),
            None => (None, None),
        };
        let now = self.now();
        store::read(self.store(), project, |data| {
            let fits = |secret: &&Arc<Secret>| {
                let settings = secret.settings();
                name.as_deref()
                    .is_none_or(|n| settings.name.as_str().contains(n))
                    && state
                        .as_deref()
                        .is_none_or(|s| secret.state().as_str() == s)
                    && kind
                        .as_deref()
                        .is_none_or(|t| settings.secret_type.as_str() == t)
                    && tag_key.is_none_or(|k| {
                        secret
                            .tags()
                            .get(k)
                            .is_some_and(|v| tag_value.is_none_or(|want| v == want))
                    })
            };
            // A tag narrows the candidates through the index; otherwise every secret is one.
            let candidates = || -> Box<dyn Iterator<Item = &Arc<Secret>> + '_> {
                match tag_key {
                    Some(key) => {
                        let values = tag_value.map(str::to_owned).into_iter().collect();
                        let tagged = data.tagged(key, &values);
                        Box::new(tagged.names().filter_map(move |n| data.live_secret(n, now)))
                    }
                    None => Box::new(data.live_secrets(now)),
                }
            };
            let unfiltered = name.is_none() && state.is_none() && kind.is_none() && tag.is_none();
            let total = if unfiltered {
                data.live_count(now)
            } else {
                candidates().filter(fits).count()
            };
            let secrets = candidates()
                .filter(fits)
                .skip(offset)
                .take(limit)
                .map(|secret| BrowseRow {
                    id: secret.id().to_string(),
                    name: secret.settings().name.to_string(),
                    state: secret.state().as_str(),
                    secret_type: secret.settings().secret_type.as_str(),
                    create_time: secret.create_time(),
                    current_version: secret
                        .version(VersionRef::Latest)
                        .ok()
                        .map(|v| v.number.to_string()),
                    tags: secret.tags().len(),
                })
                .collect();
            BrowsePage {
                total,
                offset,
                secrets,
            }
        })
    }
}
