//! Marker paging (docs/behaviour.md §16): stable order, exclusive marker, `next_marker` only while more
//! items remain.

use crate::error::CsmsError;

use super::limits::{PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, PAGE_LIMIT_MIN};

/// A page size from the `limit` query parameter: 1–1000, default 50.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit(usize);

impl PageLimit {
    pub fn parse(raw: Option<&str>) -> Result<Self, CsmsError> {
        let Some(raw) = raw else {
            return Ok(Self(PAGE_LIMIT_DEFAULT));
        };
        raw.parse::<usize>()
            .ok()
            .filter(|n| (PAGE_LIMIT_MIN..=PAGE_LIMIT_MAX).contains(n))
            .map(Self)
            .ok_or_else(|| CsmsError::invalid("limit", "must be an integer from 1 to 1000"))
    }

    #[must_use]
    pub const fn get(self) -> usize {
        self.0
    }
}

impl Default for PageLimit {
    fn default() -> Self {
        Self(PAGE_LIMIT_DEFAULT)
    }
}

/// One page of items taken from an ordered sequence.
#[derive(Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Whether items remain after this page.
    pub more: bool,
}

impl<T> Page<T> {
    /// The same page with each item turned into another (a borrowed item into an owned
    /// one, a version into its wire view).
    #[must_use]
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            more: self.more,
        }
    }
}

/// Takes up to `limit` items that come strictly after `marker` in `items`, which must
/// already be in key order.
pub fn take_page<T, K: Ord>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
    marker: Option<&K>,
    limit: PageLimit,
) -> Page<T> {
    let mut iter = items
        .into_iter()
        .filter(|item| marker.is_none_or(|m| key(item) > *m))
        .peekable();
    let items: Vec<T> = iter.by_ref().take(limit.get()).collect();
    let more = iter.peek().is_some();
    Page { items, more }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse_within_bounds() {
        assert_eq!(PageLimit::parse(None).unwrap().get(), 50);
        assert_eq!(PageLimit::parse(Some("1")).unwrap().get(), 1);
        assert_eq!(PageLimit::parse(Some("1000")).unwrap().get(), 1000);
        for bad in [
            "0",
            "1001",
            "-1",
            "abc",
            "",
            "1.5",
            "99999999999999999999999",
        ] {
            assert!(PageLimit::parse(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn pages_walk_all_items_once_with_an_exclusive_marker() {
        let all: Vec<u32> = (1..=7).collect();
        let limit = PageLimit::parse(Some("3")).unwrap();
        let mut seen = Vec::new();
        let mut marker = None;
        loop {
            let page = take_page(all.iter().copied(), |x| *x, marker.as_ref(), limit);
            seen.extend(page.items.iter().copied());
            if !page.more {
                break;
            }
            marker = page.items.last().copied();
        }
        assert_eq!(seen, all);
    }

    #[test]
    fn a_full_last_page_reports_no_more() {
        let page = take_page(
            [1, 2, 3],
            |x| *x,
            None,
            PageLimit::parse(Some("3")).unwrap(),
        );
        assert_eq!(page.items, vec![1, 2, 3]);
        assert!(!page.more);
        let after = take_page([1, 2, 3], |x| *x, Some(&3), PageLimit::default());
        assert!(after.items.is_empty());
        assert!(!after.more);
    }

    #[test]
    fn an_unknown_marker_starts_after_where_it_would_sort() {
        let page = take_page(["a", "c", "e"], |x| *x, Some(&"b"), PageLimit::default());
        assert_eq!(page.items, vec!["c", "e"]);
    }
}
