//! Tag keys and values (`tag_item.py` of the Python SDK).

use std::sync::LazyLock;

use regex::Regex;

use crate::error::CsmsError;

/// Keys: 1–128 characters (BatchCreateOrDeleteTags page).
pub const TAG_KEY_MAX_CHARS: usize = 128;
/// Values: 0–255 characters.
pub const TAG_VALUE_MAX_CHARS: usize = 255;
/// At most 20 tags a secret.
pub const TAGS_MAX: usize = 20;
/// Keys with this prefix are reserved for system tags.
pub const SYS_PREFIX: &str = "_sys_";

/// The character class of `^((?!\s)(?!_sys_)[\p{L}\p{Z}\p{N}_.:=+\-@]*)(?<!\s)$`; the
/// look-arounds (no leading or trailing whitespace, no `_sys_` prefix) are checked in code.
static KEY_CHARS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[\p{L}\p{Z}\p{N}_.:=+\-@]*$").ok());
/// `^([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)$`.
static VALUE_CHARS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").ok());

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(s))
}

/// A checked tag key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TagKey(String);

impl TagKey {
    pub fn parse(raw: &str) -> Result<Self, CsmsError> {
        let len = raw.chars().count();
        let ok = (1..=TAG_KEY_MAX_CHARS).contains(&len)
            && !raw.starts_with(char::is_whitespace)
            && !raw.ends_with(char::is_whitespace)
            && !raw.starts_with(SYS_PREFIX)
            && matches(&KEY_CHARS, raw);
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(CsmsError::invalid(
                "tag key",
                "must have 1 to 128 letters, digits, spaces or _.:=+-@, not start or end with \
                 a space, and not start with _sys_",
            ))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

/// At most 10 tag filters, 10 values each, and 10 matches (ListResourceInstances page).
pub const FILTERS_MAX: usize = 10;
/// Search page size: 1–1000, default 10.
pub const SEARCH_LIMIT_DEFAULT: usize = 10;
pub const SEARCH_LIMIT_MAX: usize = 1000;
/// Longest `matches[].value` of a search.
pub const MATCH_VALUE_MAX_CHARS: usize = 255;

/// `sequence` of the tag requests: at most 36 characters.
pub fn check_sequence(sequence: Option<&str>) -> Result<(), CsmsError> {
    if sequence.is_some_and(|s| s.len() > 36) {
        return Err(CsmsError::invalid(
            "sequence",
            "must have at most 36 characters",
        ));
    }
    Ok(())
}

/// A checked tag value (absent means empty).
pub fn parse_tag_value(raw: Option<&str>) -> Result<String, CsmsError> {
    let raw = raw.unwrap_or_default();
    if raw.chars().count() <= TAG_VALUE_MAX_CHARS && matches(&VALUE_CHARS, raw) {
        Ok(raw.to_owned())
    } else {
        Err(CsmsError::invalid(
            "tag value",
            "must have at most 255 letters, digits, spaces or _.:/=+-@",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_documented_pattern() {
        let table = [
            ("env", true),
            ("team:owner", true),
            ("a b", true),
            ("ключ", true),
            ("k=v+x@y_z.w-1", true),
            (" lead", false),
            ("trail ", false),
            ("_sys_enterprise_project_id", false),
            ("_sys", true),
            ("", false),
            ("slash/no", false),
            ("star*", false),
        ];
        for (raw, ok) in table {
            assert_eq!(TagKey::parse(raw).is_ok(), ok, "{raw:?}");
        }
        assert!(TagKey::parse(&"k".repeat(128)).is_ok());
        assert!(TagKey::parse(&"k".repeat(129)).is_err());
    }

    #[test]
    fn values_follow_the_documented_pattern() {
        assert_eq!(parse_tag_value(None).unwrap(), "");
        assert!(parse_tag_value(Some("a/b: c")).is_ok());
        assert!(parse_tag_value(Some(&"v".repeat(255))).is_ok());
        assert!(parse_tag_value(Some(&"v".repeat(256))).is_err());
        assert!(parse_tag_value(Some("semi;colon")).is_err());
    }
}
