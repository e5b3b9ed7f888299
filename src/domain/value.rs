//! A secret value. It never appears in `Debug` output or logs: the type redacts itself.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::CsmsError;

/// The value of one version: text, or binary kept as the base64 text the client sent
/// (clients compare it byte for byte). `Arc` keeps snapshots cheap.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretValue {
    Text(Arc<str>),
    Binary(Arc<str>),
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(_) => f.write_str("SecretValue::Text(<redacted>)"),
            Self::Binary(_) => f.write_str("SecretValue::Binary(<redacted>)"),
        }
    }
}

/// Canonical padded base64 (RFC 4648 §4), as `secret_binary` must be: the unused bits of
/// a last, padded group are zero.
pub const BASE64_PATTERN: &str =
    "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$";

impl SecretValue {
    /// Builds a value from the two optional request fields: exactly one must be present,
    /// at most `max_bytes` UTF-8 bytes, and `secret_binary` must be valid base64 (docs/behaviour.md §9).
    pub fn from_fields(
        secret_string: Option<String>,
        secret_binary: Option<String>,
        max_bytes: usize,
    ) -> Result<Self, CsmsError> {
        match (secret_string, secret_binary) {
            (Some(_), Some(_)) => Err(CsmsError::invalid(
                "secret_string/secret_binary",
                "exactly one of secret_string and secret_binary may be set, not both",
            )),
            (None, None) => Err(CsmsError::invalid(
                "secret_string/secret_binary",
                "exactly one of secret_string and secret_binary must be set",
            )),
            (Some(text), None) => {
                check_size("secret_string", &text, max_bytes)?;
                Ok(Self::Text(text.into()))
            }
            (None, Some(b64)) => {
                check_size("secret_binary", &b64, max_bytes)?;
                if STANDARD.decode(b64.as_bytes()).is_err() {
                    return Err(CsmsError::invalid(
                        "secret_binary",
                        "must be valid base64 (RFC 4648, with padding)",
                    ));
                }
                Ok(Self::Binary(b64.into()))
            }
        }
    }

    /// The text for `secret_string`, if this is a text value.
    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            Self::Binary(_) => None,
        }
    }

    /// The base64 text for `secret_binary`, if this is a binary value.
    #[must_use]
    pub fn as_binary(&self) -> Option<&str> {
        match self {
            Self::Binary(b) => Some(b),
            Self::Text(_) => None,
        }
    }
}

/// How an optional secret field shows in `Debug` output: never its content.
#[must_use]
pub fn redacted(field: Option<&str>) -> &'static str {
    if field.is_some() {
        "Some(<redacted>)"
    } else {
        "None"
    }
}

fn check_size(param: &'static str, value: &str, max_bytes: usize) -> Result<(), CsmsError> {
    if value.len() > max_bytes {
        return Err(CsmsError::invalid(
            param,
            format!(
                "the value has {} bytes, more than the maximum of {max_bytes}",
                value.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 64 * 1024;

    #[test]
    fn debug_output_never_shows_the_value() {
        let text = SecretValue::from_fields(Some("hunter2".into()), None, MAX).unwrap();
        let binary = SecretValue::from_fields(None, Some("aHVudGVyMg==".into()), MAX).unwrap();
        for value in [text, binary] {
            let shown = format!("{value:?} {:#?}", Some(&value));
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(!shown.contains("aHVudGVyMg"), "{shown}");
            assert!(shown.contains("redacted"));
        }
    }

    #[test]
    fn exactly_one_value_field_is_required() {
        assert!(SecretValue::from_fields(None, None, MAX).is_err());
        assert!(SecretValue::from_fields(Some("a".into()), Some("YQ==".into()), MAX).is_err());
        assert!(SecretValue::from_fields(Some(String::new()), None, MAX).is_ok());
    }

    #[test]
    fn size_is_measured_in_utf8_bytes() {
        let at_limit = "a".repeat(MAX);
        let over = "a".repeat(MAX + 1);
        // 'é' is two bytes: half the limit in characters is exactly the limit in bytes.
        let multibyte_at_limit = "é".repeat(MAX / 2);
        let multibyte_over = "é".repeat(MAX / 2 + 1);
        assert!(SecretValue::from_fields(Some(at_limit), None, MAX).is_ok());
        assert!(SecretValue::from_fields(Some(over), None, MAX).is_err());
        assert!(SecretValue::from_fields(Some(multibyte_at_limit), None, MAX).is_ok());
        assert!(SecretValue::from_fields(Some(multibyte_over), None, MAX).is_err());
    }

    #[test]
    fn every_string_of_the_base64_pattern_is_taken_and_no_other() {
        let pattern = regex::Regex::new(BASE64_PATTERN).unwrap();
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for a in alphabet.chars().step_by(7) {
            for b in alphabet.chars() {
                for tail in [
                    format!("{a}{b}=="),
                    format!("AA{a}{b}="),
                    format!("{a}{b}AA"),
                ] {
                    let taken = SecretValue::from_fields(None, Some(tail.clone()), 64).is_ok();
                    assert_eq!(pattern.is_match(&tail), taken, "{tail}");
                }
            }
        }
        assert!(pattern.is_match(""));
    }

    #[test]
    fn binary_values_must_be_base64_and_come_back_as_sent() {
        let ok = SecretValue::from_fields(None, Some("AAEC/w==".into()), MAX).unwrap();
        assert_eq!(ok.as_binary(), Some("AAEC/w=="));
        assert_eq!(ok.as_text(), None);
        for bad in ["not base64!", "AAE", "====", "QQ=Q"] {
            assert!(
                SecretValue::from_fields(None, Some(bad.into()), MAX).is_err(),
                "{bad}"
            );
        }
    }
}
