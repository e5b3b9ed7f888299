//! Browsing a project for the web console and tests: one page of secrets filtered by name
//! fragment, state, type and tag, with each one's SYSCURRENT version. A read-only query
//! over the same committed state the CSMS list reads.

use crate::domain::names::{ProjectId, VersionRef};
use crate::error::CsmsError;
use crate::store;

use super::CsmsService;

/// The most rows one browse page holds.
pub const BROWSE_LIMIT_MAX: usize = 500;

/// What to browse for; every field narrows the result, none is required.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct BrowseFilter {
    /// A fragment of the name (case-sensitive, as names are).
    pub name: Option<String>,
    /// `ENABLED`, `DISABLED`, `PENDING_DELETE` or `FROZEN`.
    pub state: Option<String>,
    /// `COMMON`, `RDS-FG` or `GaussDB-FG`.
    #[serde(rename = "type")]
    pub secret_type: Option<String>,
    /// A tag key, or `key=value`.
    pub tag: Option<String>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
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
        let offset = filter.offset.unwrap_or(0);
        let limit = filter.limit.unwrap_or(50);
        if !(1..=BROWSE_LIMIT_MAX).contains(&limit) {
            return Err(CsmsError::invalid("limit", "must be from 1 to 500"));
        }
        let (tag_key, tag_value) = match filter.tag.as_deref().filter(|t| !t.is_empty()) {
            Some(tag) => match tag.split_once('=') {
                Some((k, v)) => (Some(k), Some(v)),
                None => (Some(tag), None),
            },
            None => (None, None),
        };
        let non_empty =
            |f: &Option<String>| f.as_deref().filter(|v| !v.is_empty()).map(str::to_owned);
        let (name, state, kind) = (
            non_empty(&filter.name),
            non_empty(&filter.state),
            non_empty(&filter.secret_type),
        );
        let now = self.now();
        store::read(&*self.store, project, |data| {
            let mut total = 0;
            let mut secrets = Vec::new();
            for secret in data.live_secrets(now) {
                let settings = &secret.settings();
                let fits = name
                    .as_deref()
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
                    });
                if !fits {
                    continue;
                }
                if total >= offset && secrets.len() < limit {
                    secrets.push(BrowseRow {
                        id: secret.id().to_string(),
                        name: settings.name.to_string(),
                        state: secret.state().as_str(),
                        secret_type: settings.secret_type.as_str(),
                        create_time: secret.create_time(),
                        current_version: secret
                            .version(VersionRef::Latest)
                            .ok()
                            .map(|v| v.number.to_string()),
                        tags: secret.tags().len(),
                    });
                }
                total += 1;
            }
            BrowsePage {
                total,
                offset,
                secrets,
            }
        })
    }
}
