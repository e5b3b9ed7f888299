//! The project's two indexes of stored secrets, keyed by what each secret already holds:
//! [`SecretsByName`] (name order) and [`SecretsById`]. Each entry is the shared
//! `Arc<Secret>` alone, its key read from the secret itself, so neither index keeps a
//! copy of a name or an id (memory per secret).

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::ops::Bound;
use std::sync::Arc;

use uuid::Uuid;

use crate::domain::names::SecretName;
use crate::domain::secret::Secret;

/// A stored secret ordered and compared by its name.
#[derive(Debug, Clone)]
struct ByName(Arc<Secret>);

impl Borrow<SecretName> for ByName {
    fn borrow(&self) -> &SecretName {
        self.0.name()
    }
}

impl PartialEq for ByName {
    fn eq(&self, other: &Self) -> bool {
        self.0.name() == other.0.name()
    }
}

impl Eq for ByName {}

impl PartialOrd for ByName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ByName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.name().cmp(other.0.name())
    }
}

/// The stored secrets in name order (docs/behaviour.md §16), one per name.
#[derive(Debug, Clone, Default)]
pub struct SecretsByName(BTreeSet<ByName>);

impl SecretsByName {
    /// The secret named `name`, whatever its state.
    #[must_use]
    pub fn get(&self, name: &SecretName) -> Option<&Arc<Secret>> {
        self.0.get(name).map(|entry| &entry.0)
    }

    /// The names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &SecretName> {
        self.0.iter().map(|entry| entry.0.name())
    }

    /// The secrets, in name order.
    pub fn values(&self) -> impl Iterator<Item = &Arc<Secret>> {
        self.0.iter().map(|entry| &entry.0)
    }

    /// The secrets whose names come strictly after `marker` (all when `None`), in order.
    pub fn after(&self, marker: Option<&SecretName>) -> impl Iterator<Item = &Arc<Secret>> {
        let from = marker.map_or(Bound::Unbounded, Bound::Excluded);
        self.0
            .range::<SecretName, _>((from, Bound::Unbounded))
            .map(|entry| &entry.0)
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes out the secret named `name`.
    pub(super) fn remove(&mut self, name: &SecretName) -> Option<Arc<Secret>> {
        self.0.take(name).map(|entry| entry.0)
    }

    /// Puts `secret` in place of the one holding its name, if any, and returns that one.
    #[allow(clippy::mutable_key_type)] // See `add_new`.
    pub(super) fn replace(&mut self, secret: Arc<Secret>) -> Option<Arc<Secret>> {
        self.0.replace(ByName(secret)).map(|entry| entry.0)
    }

    /// Adds secrets whose names none of the held ones has. Many at once (a load, a batch
    /// import) are merged in one pass, which also leaves the tree's nodes full; a few are
    /// inserted one by one.
    // The key is the secret's name, which never changes; its only interior mutability is
    // the read marks, which no comparison looks at.
    #[allow(clippy::mutable_key_type)]
    pub(super) fn add_new(&mut self, secrets: Vec<Arc<Secret>>) {
        if secrets.len() >= self.0.len() {
            let mut added: BTreeSet<ByName> = secrets.into_iter().map(ByName).collect();
            self.0.append(&mut added);
        } else {
            self.0.extend(secrets.into_iter().map(ByName));
        }
    }
}

/// A stored secret hashed and compared by its id.
#[derive(Debug, Clone)]
struct ById(Arc<Secret>);

impl Borrow<Uuid> for ById {
    fn borrow(&self) -> &Uuid {
        self.0.id_ref()
    }
}

impl PartialEq for ById {
    fn eq(&self, other: &Self) -> bool {
        self.0.id() == other.0.id()
    }
}

impl Eq for ById {}

impl Hash for ById {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.id_ref().hash(state);
    }
}

/// The stored secrets by id (the tag operations address secrets by id).
#[derive(Debug, Clone, Default)]
pub struct SecretsById(HashSet<ById, foldhash::fast::RandomState>);

impl SecretsById {
    #[must_use]
    pub fn get(&self, id: Uuid) -> Option<&Arc<Secret>> {
        self.0.get(&id).map(|entry| &entry.0)
    }

    pub(super) fn insert(&mut self, secret: Arc<Secret>) {
        self.0.replace(ById(secret));
    }

    pub(super) fn remove(&mut self, id: Uuid) {
        self.0.remove(&id);
    }

    /// Adds many secrets at once, the table sized for them first: growing it one secret
    /// at a time rehashed every entry at each doubling, reading each secret's id again
    /// (a tenth of a 1M restart's joining thread, in cache misses).
    pub(super) fn add_all(&mut self, secrets: &[Arc<Secret>]) {
        self.0.reserve(secrets.len());
        for secret in secrets {
            self.0.replace(ById(Arc::clone(secret)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::secret::SecretSettings;
    use crate::domain::value::SecretValue;

    fn secret(name: &str) -> Arc<Secret> {
        let settings = SecretSettings::for_test(name);
        let value = SecretValue::Text("v".into());
        Arc::new(Secret::create(Uuid::new_v4(), settings, value, 0).unwrap())
    }

    fn name(raw: &str) -> SecretName {
        SecretName::parse_lookup("n", raw).unwrap()
    }

    #[test]
    fn names_stay_in_order_whether_added_one_by_one_or_merged() {
        let mut by_name = SecretsByName::default();
        by_name.add_new(vec![secret("m"), secret("c")]);
        by_name.add_new(vec![secret("x")]);
        by_name.add_new(vec![secret("a"), secret("d"), secret("z"), secret("b")]);
        let names: Vec<String> = by_name.keys().map(ToString::to_string).collect();
        assert_eq!(names, ["a", "b", "c", "d", "m", "x", "z"]);
        assert_eq!(by_name.len(), 7);
        assert_eq!(by_name.get(&name("d")).unwrap().name().as_str(), "d");
        assert!(by_name.get(&name("e")).is_none());
        let after_c: Vec<&str> = by_name
            .after(Some(&name("c")))
            .map(|s| s.name().as_str())
            .collect();
        assert_eq!(after_c, ["d", "m", "x", "z"]);
        assert_eq!(by_name.after(None).count(), 7);
        assert!(by_name.remove(&name("m")).is_some());
        assert!(by_name.remove(&name("m")).is_none());
        assert_eq!(by_name.len(), 6);
    }

    #[test]
    fn replacing_a_secret_returns_the_one_it_replaces_and_keeps_one_per_name() {
        let mut by_name = SecretsByName::default();
        let first = secret("a");
        assert!(by_name.replace(Arc::clone(&first)).is_none());
        by_name.add_new(vec![secret("b")]);
        let second = secret("a");
        let old = by_name.replace(Arc::clone(&second)).unwrap();
        assert_eq!(old.id(), first.id());
        assert_eq!(by_name.len(), 2);
        assert_eq!(by_name.get(&name("a")).unwrap().id(), second.id());
    }

    #[test]
    fn ids_find_their_secret_and_a_replacement_replaces() {
        let mut by_id = SecretsById::default();
        let first = secret("a");
        let id = first.id();
        by_id.insert(Arc::clone(&first));
        assert!(Arc::ptr_eq(by_id.get(id).unwrap(), &first));
        let mut updated = (*first).clone();
        updated
            .update_settings(crate::domain::secret::SettingsPatch::default(), 5)
            .unwrap();
        let second = Arc::new(updated);
        by_id.insert(Arc::clone(&second));
        assert!(Arc::ptr_eq(by_id.get(id).unwrap(), &second));
        by_id.remove(id);
        assert!(by_id.get(id).is_none());
        assert!(by_id.get(Uuid::nil()).is_none());
    }
}
