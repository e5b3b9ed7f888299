//! A secret's tags: one value per key, at most 20.

use std::collections::BTreeMap;

use crate::domain::tag::{TAGS_MAX, TagKey};
use crate::error::CsmsError;

use super::aggregate::Secret;

impl Secret {
    /// Sets several tags at once, all or none: a new key past the 20th is refused.
    pub fn set_tags(&mut self, tags: Vec<(TagKey, String)>) -> Result<(), CsmsError> {
        let mut next = self.tags().clone();
        for (key, value) in tags {
            next.insert(key.into_string(), value);
        }
        if next.len() > TAGS_MAX {
            return Err(CsmsError::invalid(
                "tags",
                format!("a secret holds at most {TAGS_MAX} tags"),
            ));
        }
        self.schedule_and_tags.change(|s| s.tags = next);
        Ok(())
    }

    /// Removes the listed keys; keys that are not set are ignored.
    pub fn remove_tags<'a>(&mut self, keys: impl IntoIterator<Item = &'a TagKey>) {
        self.schedule_and_tags.change(|s| {
            for key in keys {
                s.tags.remove(key.as_str());
            }
        });
    }

    /// Removes one key, or answers not found.
    pub fn remove_tag(&mut self, key: &TagKey) -> Result<(), CsmsError> {
        self.schedule_and_tags
            .change(|s| s.tags.remove(key.as_str()))
            .map(|_| ())
            .ok_or_else(|| CsmsError::NotFound {
                kind: "tag",
                name: key.as_str().to_owned(),
            })
    }

    /// The tags, by key.
    #[must_use]
    pub fn tags(&self) -> &BTreeMap<String, String> {
        static NONE: BTreeMap<String, String> = BTreeMap::new();
        self.schedule_and_tags.get().map_or(&NONE, |s| &s.tags)
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::domain::secret::SecretSettings;
    use crate::domain::value::SecretValue;

    fn key(k: &str) -> TagKey {
        TagKey::parse(k).unwrap()
    }

    #[test]
    fn tags_are_capped_at_twenty_and_a_refused_batch_changes_nothing() {
        let mut s = Secret::create(
            Uuid::nil(),
            SecretSettings::for_test("s"),
            SecretValue::Text("x".into()),
            0,
        )
        .unwrap();
        let twenty: Vec<_> = (0..20)
            .map(|i| (key(&format!("k{i}")), "v".into()))
            .collect();
        s.set_tags(twenty).unwrap();
        // overwriting an existing key at the cap is fine
        s.set_tags(vec![(key("k0"), "new".into())]).unwrap();
        assert_eq!(s.tags()["k0"], "new");
        assert!(s.set_tags(vec![(key("k20"), "v".into())]).is_err());
        assert_eq!(s.tags().len(), 20);
        s.remove_tags([&key("k0"), &key("absent")]);
        assert_eq!(s.tags().len(), 19);
        assert!(s.remove_tag(&key("k0")).is_err());
        s.remove_tag(&key("k1")).unwrap();
    }
}
