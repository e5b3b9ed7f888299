//! Random passwords for generate-password and rotation, drawn from the
//! operating system's CSPRNG.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{TryRngCore, rngs::OsRng};

use crate::error::CsmsError;

/// The punctuation set the documentation lists for `exclude_punctuation`.
pub const PUNCTUATION: &str = r##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##;
/// Default and bounds of `length`.
pub const LENGTH_DEFAULT: i64 = 32;
pub const LENGTH_MIN: i64 = 1;
pub const LENGTH_MAX: i64 = 255;

/// The options of a generate-password request. The flags mirror the request fields one
/// to one; [`PasswordPolicy::default`] holds the documented default of each, which a
/// field the request leaves out keeps.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)]
pub struct PasswordPolicy {
    pub length: Option<i64>,
    pub exclude_characters: String,
    pub exclude_lowercase: bool,
    pub exclude_uppercase: bool,
    pub exclude_numbers: bool,
    pub exclude_punctuation: bool,
    pub include_space: bool,
    pub require_each_included_type: bool,
}

impl Default for PasswordPolicy {
    /// 32 characters (`length: None`) of every class but space, none excluded, no class
    /// required.
    fn default() -> Self {
        Self {
            length: None,
            exclude_characters: String::new(),
            exclude_lowercase: false,
            exclude_uppercase: false,
            exclude_numbers: false,
            exclude_punctuation: false,
            include_space: false,
            require_each_included_type: false,
        }
    }
}

/// Generates a password under `policy`.
pub fn generate(policy: &PasswordPolicy) -> Result<String, CsmsError> {
    let length = policy.length.unwrap_or(LENGTH_DEFAULT);
    if !(LENGTH_MIN..=LENGTH_MAX).contains(&length) {
        return Err(CsmsError::invalid(
            "length",
            "must be an integer from 1 to 255",
        ));
    }
    let length = length as usize;
    let classes: Vec<Vec<char>> = [
        (!policy.exclude_lowercase, ('a'..='z').collect::<String>()),
        (!policy.exclude_uppercase, ('A'..='Z').collect::<String>()),
        (!policy.exclude_numbers, ('0'..='9').collect::<String>()),
        (!policy.exclude_punctuation, PUNCTUATION.to_owned()),
        (policy.include_space, " ".to_owned()),
    ]
    .into_iter()
    .filter(|(included, _)| *included)
    .map(|(_, chars)| {
        chars
            .chars()
            .filter(|c| !policy.exclude_characters.contains(*c))
            .collect::<Vec<char>>()
    })
    .filter(|class| !class.is_empty())
    .collect();
    if classes.is_empty() {
        return Err(CsmsError::invalid(
            "exclude_*",
            "the options exclude every character",
        ));
    }
    if policy.require_each_included_type && classes.len() > length {
        return Err(CsmsError::invalid(
            "length",
            format!(
                "must be at least {} to include each character type",
                classes.len()
            ),
        ));
    }
    let mut rng = OsRng.unwrap_err();
    let all: Vec<char> = classes.iter().flatten().copied().collect();
    let mut chars: Vec<char> = Vec::with_capacity(length);
    if policy.require_each_included_type {
        for class in &classes {
            chars.extend(class.choose(&mut rng));
        }
    }
    while chars.len() < length {
        chars.extend(all.choose(&mut rng));
    }
    chars.shuffle(&mut rng);
    Ok(chars.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_thirty_two_characters_of_every_type() {
        let p = generate(&PasswordPolicy::default()).unwrap();
        assert_eq!(p.chars().count(), 32);
        assert!(!p.contains(' '));
    }

    #[test]
    fn length_bounds_are_enforced() {
        for (length, ok) in [
            (1, true),
            (255, true),
            (0, false),
            (256, false),
            (-3, false),
        ] {
            let policy = PasswordPolicy {
                length: Some(length),
                ..PasswordPolicy::default()
            };
            assert_eq!(generate(&policy).is_ok(), ok, "{length}");
        }
    }

    #[test]
    fn exclusions_are_respected() {
        let policy = PasswordPolicy {
            length: Some(255),
            exclude_uppercase: true,
            exclude_punctuation: true,
            exclude_characters: "abc0".into(),
            ..PasswordPolicy::default()
        };
        for _ in 0..20 {
            let p = generate(&policy).unwrap();
            assert!(
                p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{p}"
            );
            assert!(!p.contains(['a', 'b', 'c', '0']), "{p}");
        }
    }

    #[test]
    fn require_each_type_puts_every_included_type_in() {
        let policy = PasswordPolicy {
            length: Some(5),
            include_space: true,
            require_each_included_type: true,
            ..PasswordPolicy::default()
        };
        for _ in 0..200 {
            let p = generate(&policy).unwrap();
            assert!(p.chars().any(|c| c.is_ascii_lowercase()), "{p:?}");
            assert!(p.chars().any(|c| c.is_ascii_uppercase()), "{p:?}");
            assert!(p.chars().any(|c| c.is_ascii_digit()), "{p:?}");
            assert!(p.chars().any(|c| PUNCTUATION.contains(c)), "{p:?}");
            assert!(p.contains(' '), "{p:?}");
        }
        let too_short = PasswordPolicy {
            length: Some(4),
            ..policy
        };
        assert!(generate(&too_short).is_err());
    }

    #[test]
    fn excluding_everything_is_an_error() {
        let policy = PasswordPolicy {
            exclude_lowercase: true,
            exclude_uppercase: true,
            exclude_numbers: true,
            exclude_punctuation: true,
            ..PasswordPolicy::default()
        };
        assert!(generate(&policy).is_err());
    }

    #[test]
    fn two_passwords_differ() {
        let policy = PasswordPolicy::default();
        assert_ne!(generate(&policy).unwrap(), generate(&policy).unwrap());
    }
}
