//! A page of a marker-paged list (docs/behaviour.md §16), as list-secrets, list-versions,
//! list-events and list-notification-records answer it.

use crate::domain::page::Page;

/// A page of a marker-paged list (docs/behaviour.md §16).
#[derive(Debug)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// The last item's key when more items remain; `None` on the last page.
    pub next_marker: Option<String>,
    /// The marker the request came with.
    pub previous_marker: Option<String>,
}

impl<T> Listing<T> {
    /// A page whose `next_marker` is the last item's key when more items remain (docs/behaviour.md §16).
    pub(super) fn new(
        page: Page<T>,
        key: impl Fn(&T) -> String,
        previous_marker: Option<String>,
    ) -> Self {
        let Page { items, more } = page;
        let next_marker = if more { items.last().map(key) } else { None };
        Self {
            items,
            next_marker,
            previous_marker,
        }
    }
}
