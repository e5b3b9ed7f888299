//! The web console's wire types: the browse query's parse into the service's filter.

use super::queries::BrowseQuery;
use crate::error::CsmsError;
use crate::service::{BROWSE_LIMIT_MAX, BrowseFilter};

impl TryFrom<BrowseQuery> for BrowseFilter {
    type Error = CsmsError;

    fn try_from(query: BrowseQuery) -> Result<Self, CsmsError> {
        let limit = query.limit.unwrap_or(50);
        if !(1..=BROWSE_LIMIT_MAX).contains(&limit) {
            return Err(CsmsError::invalid("limit", "must be from 1 to 500"));
        }
        let given = |f: Option<String>| f.filter(|v| !v.is_empty());
        let tag = given(query.tag).map(|tag| match tag.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (tag, None),
        });
        Ok(Self {
            name: given(query.name),
            state: given(query.state),
            secret_type: given(query.secret_type),
            tag,
            offset: query.offset.unwrap_or(0),
            limit,
        })
    }
}
