//! Small helpers the wire types' parses use on raw input: empty query parameters,
//! required fields, bounded counts. Only the edge reads raw input, so they live here.

use crate::error::CsmsError;

/// Query parameters sent empty mean "not given".
#[must_use]
pub fn non_empty(raw: Option<&str>) -> Option<&str> {
    raw.filter(|s| !s.is_empty())
}

/// An optional parameter, parsed when given: empty counts as absent.
pub fn optional<T>(
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, CsmsError>,
) -> Result<Option<T>, CsmsError> {
    non_empty(raw).map(parse).transpose()
}

/// A field the request must carry.
pub fn required<T>(value: Option<T>, param: &'static str) -> Result<T, CsmsError> {
    value.ok_or_else(|| CsmsError::invalid(param, "is required"))
}

/// A count given as text: `default` when absent or empty, else an integer in `range`.
pub fn parse_count(
    raw: Option<&str>,
    param: &'static str,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, CsmsError> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                CsmsError::invalid(
                    param,
                    format!(
                        "must be an integer from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            }),
    }
}
