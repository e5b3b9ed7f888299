//! The project's indexes of stored secrets: [`SecretsByName`] (name order, and a hash
//! table for finding one name), whose entries are the shared `Arc<Secret>`, names read
//! from the secrets themselves (no copy of a name), and [`SecretsById`], which keeps each
//! 16-byte id beside its `Arc`.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::ops::Bound;
use std::sync::Arc;

use hashbrown::HashTable;
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

/// The stored secrets in name order (docs/behaviour.md §16), one per name, and by name
/// hash.
///
/// The order lists and pages; the hash table finds one name. A walk down the tree
/// compares the name with about six names a level (about 45 at 1M secrets), each read
/// through its secret; a probe of the table hashes it once.
#[derive(Debug, Clone, Default)]
pub struct SecretsByName {
    order: BTreeSet<ByName>,
    hashed: NameTable<foldhash::fast::RandomState>,
}

impl SecretsByName {
    /// The secret named `name`, whatever its state.
    #[must_use]
    pub fn get(&self, name: &SecretName) -> Option<&Arc<Secret>> {
        self.hashed.get(name)
    }

    /// The names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &SecretName> {
        self.order.iter().map(|entry| entry.0.name())
    }

    /// The secrets, in name order.
    pub fn values(&self) -> impl Iterator<Item = &Arc<Secret>> {
        self.order.iter().map(|entry| &entry.0)
    }

    /// The secrets whose names come strictly after `marker` (all when `None`), in order.
    pub fn after(&self, marker: Option<&SecretName>) -> impl Iterator<Item = &Arc<Secret>> {
        let from = marker.map_or(Bound::Unbounded, Bound::Excluded);
        self.order
            .range::<SecretName, _>((from, Bound::Unbounded))
            .map(|entry| &entry.0)
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Takes out the secret named `name`.
    pub(super) fn remove(&mut self, name: &SecretName) -> Option<Arc<Secret>> {
        self.hashed.remove(name);
        self.order.take(name).map(|entry| entry.0)
    }

    /// Puts `secret` in place of the one holding its name, if any, and returns that one.
    #[allow(clippy::mutable_key_type)] // See `add_new`.
    pub(super) fn replace(&mut self, secret: Arc<Secret>) -> Option<Arc<Secret>> {
        self.hashed.put(Arc::clone(&secret));
        self.order.replace(ByName(secret)).map(|entry| entry.0)
    }

    /// Adds secrets whose names none of the held ones has. Many at once (a load, a batch
    /// import) are merged in one pass, which also leaves the tree's nodes full; a few are
    /// inserted one by one.
    ///
    /// No caller gives a name held already, or one name twice (`apply` removes each
    /// written name first; a load refuses a row whose body names another secret). Should
    /// one, the table keeps the last secret given for the name, as `replace` does, and
    /// the tree is made to agree: which of two equal entries std's merge keeps is not
    /// documented (it keeps the one held).
    // The key is the secret's name, which never changes; its only interior mutability is
    // the read marks, which no comparison looks at.
    #[allow(clippy::mutable_key_type)]
    pub(super) fn add_new(&mut self, secrets: Vec<Arc<Secret>>) {
        let expected = self.order.len() + secrets.len();
        self.hashed.add_all(&secrets);
        if secrets.len() >= self.order.len() {
            let mut added: BTreeSet<ByName> = secrets.into_iter().map(ByName).collect();
            self.order.append(&mut added);
        } else {
            self.order.extend(secrets.into_iter().map(ByName));
        }
        if self.order.len() != expected {
            self.order_as_the_table_has_it();
        }
    }

    /// Puts in the tree each secret the table holds in its place.
    #[allow(clippy::mutable_key_type)] // See `add_new`.
    fn order_as_the_table_has_it(&mut self) {
        let stale: Vec<Arc<Secret>> = self
            .order
            .iter()
            .filter_map(|entry| {
                let held = self.hashed.get(entry.0.name())?;
                (!Arc::ptr_eq(held, &entry.0)).then(|| Arc::clone(held))
            })
            .collect();
        for secret in stale {
            self.order.replace(ByName(secret));
        }
    }
}

/// Whether a table's entry is the one for `name`, whose hash is `hash`: the hashes are
/// compared first, so a name is read only when they match.
fn holds(hash: u64, name: &SecretName) -> impl Fn(&(u64, Arc<Secret>)) -> bool + '_ {
    move |(held, secret)| *held == hash && secret.name() == name
}

/// How many tables the name hash table is split into; see [`ID_SHARDS`], which the
/// same reasoning sizes.
const NAME_SHARDS: usize = 16;

/// The stored secrets by a hash of their name. Each hash is kept beside its `Arc`
/// (16 bytes a secret): a table grows by moving its entries by their hashes, and without
/// them it would read every name, a cache miss or two each, with the store locked.
/// Generic over its hasher so a test can make every name's hash the same.
#[derive(Debug, Clone, Default)]
struct NameTable<S> {
    shards: [HashTable<(u64, Arc<Secret>)>; NAME_SHARDS],
    hasher: S,
}

impl<S: BuildHasher> NameTable<S> {
    /// The name's hash and its table. The table is picked by bits the tables themselves
    /// do not use: a table places an entry by the hash's low bits and tags it with its
    /// top seven.
    fn locate(&self, name: &SecretName) -> (u64, usize) {
        let hash = self.hasher.hash_one(name.as_str());
        (hash, (hash >> 32) as usize % NAME_SHARDS)
    }

    fn get(&self, name: &SecretName) -> Option<&Arc<Secret>> {
        let (hash, shard) = self.locate(name);
        self.shards[shard]
            .find(hash, holds(hash, name))
            .map(|(_, secret)| secret)
    }

    /// Puts `secret` in place of the one holding its name, or adds it.
    fn put(&mut self, secret: Arc<Secret>) {
        let (hash, shard) = self.locate(secret.name());
        let entry = self.shards[shard].entry(hash, holds(hash, secret.name()), |(held, _)| *held);
        match entry {
            hashbrown::hash_table::Entry::Occupied(mut held) => held.get_mut().1 = secret,
            hashbrown::hash_table::Entry::Vacant(free) => {
                free.insert((hash, secret));
            }
        }
    }

    fn remove(&mut self, name: &SecretName) {
        let (hash, shard) = self.locate(name);
        if let Ok(held) = self.shards[shard].find_entry(hash, holds(hash, name)) {
            held.remove();
        }
    }

    /// Adds secrets (a load, or a commit's new ones), the tables sized for them first.
    fn add_all(&mut self, secrets: &[Arc<Secret>]) {
        let share = secrets.len() / NAME_SHARDS + secrets.len() / (NAME_SHARDS * 8);
        for shard in &mut self.shards {
            shard.reserve(share, |(held, _)| *held);
        }
        for secret in secrets {
            self.put(Arc::clone(secret));
        }
    }
}

/// How many tables the id index is split into, by a hash of the id.
///
/// A hash table grows by moving every entry into one twice its size, under the store's
/// lock. Reading each id from its secret, growing past 917,504 ids (a 2^20 table at its
/// 7/8 load) took 63 ms, a cache miss an id, with every request waiting. Kept beside
/// each `Arc` (16 bytes a secret), the ids are moved without reading a secret, and in
/// sixteen tables a table that grows moves a sixteenth of them: under 5 ms
/// (`bench/growth.py`).
const ID_SHARDS: usize = 16;

/// The stored secrets by id (the tag operations address secrets by id).
#[derive(Debug, Clone, Default)]
pub struct SecretsById {
    shards: [HashMap<Uuid, Arc<Secret>, foldhash::fast::RandomState>; ID_SHARDS],
    /// Picks an id's table; seeded apart from the tables' own hashers, so the ids of one
    /// table still spread over all of its buckets.
    pick: foldhash::fast::RandomState,
}

impl SecretsById {
    fn shard(&self, id: &Uuid) -> usize {
        (self.pick.hash_one(id) % ID_SHARDS as u64) as usize
    }

    #[must_use]
    pub fn get(&self, id: Uuid) -> Option<&Arc<Secret>> {
        self.shards[self.shard(&id)].get(&id)
    }

    pub(super) fn insert(&mut self, secret: Arc<Secret>) {
        let id = secret.id();
        let shard = self.shard(&id);
        self.shards[shard].insert(id, secret);
    }

    pub(super) fn remove(&mut self, id: Uuid) {
        let shard = self.shard(&id);
        self.shards[shard].remove(&id);
    }

    /// Adds many secrets at once (a load), the tables sized for them first.
    pub(super) fn add_all(&mut self, secrets: &[Arc<Secret>]) {
        // A share each, with room for the shares to come out uneven.
        let share = secrets.len() / ID_SHARDS + secrets.len() / (ID_SHARDS * 8);
        for shard in &mut self.shards {
            shard.reserve(share);
        }
        for secret in secrets {
            self.insert(Arc::clone(secret));
        }
    }

    /// How many secrets the index holds.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards.iter().map(HashMap::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

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

    /// Every name hashes alike: the table must tell names apart by the names alone.
    #[derive(Debug, Clone, Default)]
    struct OneHash;

    impl BuildHasher for OneHash {
        type Hasher = OneHasher;
        fn build_hasher(&self) -> OneHasher {
            OneHasher
        }
    }

    struct OneHasher;

    impl std::hash::Hasher for OneHasher {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    #[test]
    fn names_whose_hashes_collide_are_told_apart_by_name() {
        let mut table = NameTable::<OneHash>::default();
        let (a, b, c) = (secret("a"), secret("b"), secret("c"));
        table.add_all(&[Arc::clone(&a), Arc::clone(&b)]);
        table.put(Arc::clone(&c));
        for held in [&a, &b, &c] {
            assert!(Arc::ptr_eq(table.get(held.name()).unwrap(), held));
        }
        assert!(table.get(&name("d")).is_none());
        let newer_b = secret("b");
        table.put(Arc::clone(&newer_b));
        assert!(Arc::ptr_eq(table.get(&name("b")).unwrap(), &newer_b));
        table.remove(&name("a"));
        table.remove(&name("d"));
        assert!(table.get(&name("a")).is_none());
        assert!(Arc::ptr_eq(table.get(&name("c")).unwrap(), &c));
        let held: usize = table.shards.iter().map(HashTable::len).sum();
        assert_eq!(held, 2, "b once, and c");
    }

    /// One step of a random history of the name index.
    #[derive(Debug, Clone)]
    enum Step {
        AddNew(Vec<u8>),
        Replace(u8),
        Remove(u8),
    }

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        let step = prop_oneof![
            proptest::collection::vec(0..60u8, 0..40).prop_map(Step::AddNew),
            (0..60u8).prop_map(Step::Replace),
            (0..60u8).prop_map(Step::Remove),
        ];
        proptest::collection::vec(step, 0..40)
    }

    proptest! {
        /// Whatever adds, replacements and removals it sees, the index finds exactly the
        /// secret a plain map of names would hold, and lists the names in order.
        #[test]
        fn the_index_finds_what_a_plain_map_holds(steps in steps()) {
            let mut by_name = SecretsByName::default();
            let mut model: BTreeMap<String, Arc<Secret>> = BTreeMap::new();
            for step in steps {
                match step {
                    Step::AddNew(numbers) => {
                        // New names mostly, but held and repeated ones too: the last given wins.
                        let mut given = Vec::new();
                        for n in numbers {
                            let made = secret(&format!("s{n}"));
                            model.insert(format!("s{n}"), Arc::clone(&made));
                            given.push(made);
                        }
                        by_name.add_new(given);
                    }
                    Step::Replace(n) => {
                        let made = secret(&format!("s{n}"));
                        let old = by_name.replace(Arc::clone(&made));
                        let expected = model.insert(format!("s{n}"), made);
                        prop_assert_eq!(old.map(|s| s.id()), expected.map(|s| s.id()));
                    }
                    Step::Remove(n) => {
                        let old = by_name.remove(&name(&format!("s{n}")));
                        let expected = model.remove(&format!("s{n}"));
                        prop_assert_eq!(old.map(|s| s.id()), expected.map(|s| s.id()));
                    }
                }
                for n in 0..60u8 {
                    let key = format!("s{n}");
                    let found = by_name.get(&name(&key)).map(|s| s.id());
                    prop_assert_eq!(found, model.get(&key).map(|s| s.id()));
                }
                let names: Vec<&str> = by_name.keys().map(SecretName::as_str).collect();
                let expected: Vec<&str> = model.keys().map(String::as_str).collect();
                prop_assert_eq!(names, expected);
                let ids: Vec<Uuid> = by_name.values().map(|s| s.id()).collect();
                let expected: Vec<Uuid> = model.values().map(|s| s.id()).collect();
                prop_assert_eq!(ids, expected, "the order holds the secrets the table finds");
                prop_assert_eq!(by_name.len(), model.len());
                let hashed: usize = by_name.hashed.shards.iter().map(HashTable::len).sum();
                prop_assert_eq!(hashed, model.len());
            }
        }
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

    #[test]
    fn many_ids_spread_over_every_table_and_each_is_found() {
        let mut by_id = SecretsById::default();
        let secrets: Vec<Arc<Secret>> = (0..2_000).map(|n| secret(&format!("s{n}"))).collect();
        by_id.add_all(&secrets[..1_000]);
        for secret in &secrets[1_000..] {
            by_id.insert(Arc::clone(secret));
        }
        assert_eq!(by_id.len(), 2_000);
        assert!(by_id.shards.iter().all(|shard| shard.len() > 50));
        for secret in &secrets {
            assert!(Arc::ptr_eq(by_id.get(secret.id()).unwrap(), secret));
        }
        by_id.remove(secrets[7].id());
        assert!(by_id.get(secrets[7].id()).is_none());
        assert_eq!(by_id.len(), 1_999);
    }
}
