//! `PageInfo`: the paging block every marker-paged list answers with.

use serde::Serialize;

use crate::service::Listing;

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
