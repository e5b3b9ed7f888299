//! The store contract: behaviour every backend must show. Each backend's tests call
//! [`run_all`] with a factory of fresh, empty stores.

use std::sync::{Arc, Barrier};

use uuid::Uuid;

use crate::domain::names::{ProjectId, SecretName};
use crate::domain::secret::{Secret, SecretSettings};
use crate::domain::value::SecretValue;
use crate::error::CsmsError;

use super::{Store, read, transact};
use crate::error::StoreError;

type Factory<'a> = &'a dyn Fn() -> Box<dyn Store>;

pub fn run_all(factory: Factory<'_>) {
    a_committed_write_is_visible_to_later_reads(&*factory());
    a_failed_transaction_changes_nothing(&*factory());
    a_secret_loading_would_refuse_is_never_committed(&*factory());
    a_transaction_sees_its_own_writes(&*factory());
    removal_is_committed_with_the_rest(&*factory());
    projects_do_not_see_each_other(&*factory());
    two_threads_creating_one_name_exactly_one_wins(&Arc::from(factory()));
    a_new_secret_needs_a_free_name_and_a_free_id(&*factory());
    a_notification_record_is_settled_by_a_later_transaction(&*factory());
    a_transaction_finds_its_own_new_secrets_by_id(&*factory());
    the_tag_index_follows_every_commit_and_no_failed_one(&*factory());
}

/// A pending record, as the outbox writes it.
pub(crate) fn pending_record(secret: &str) -> crate::domain::event::NotificationRecord {
    use crate::domain::event::{EventType, NotificationRecord, NotificationStatus};
    NotificationRecord {
        id: Uuid::new_v4(),
        status: NotificationStatus::Pending,
        subject: "SECRET_DELETED".into(),
        event_name: "e".into(),
        trigger_event_type: EventType::Deleted,
        create_time: 1,
        secret_name: secret.into(),
        secret_type: crate::domain::rotation::SecretType::Common,
        target_name: "t".into(),
        target_id: "urn:smn:r:p:t".into(),
        content: "{}".into(),
    }
}

fn a_notification_record_is_settled_by_a_later_transaction(store: &dyn Store) {
    use crate::domain::event::NotificationStatus;
    let p = project("p");
    let (first, second) = (pending_record("a"), pending_record("b"));
    let ids = (first.id, second.id);
    transact(store, &p, |tx| {
        tx.push_record(first);
        tx.push_record(second);
        Ok(())
    })
    .unwrap();
    let pending = |store: &dyn Store| {
        read(store, &p, |d| {
            d.pending_records().map(|r| r.id).collect::<Vec<_>>()
        })
        .unwrap()
    };
    assert_eq!(pending(store), [ids.0, ids.1], "oldest first");
    transact(store, &p, |tx| {
        tx.settle_record(ids.0, NotificationStatus::Fail);
        Ok(())
    })
    .unwrap();
    assert_eq!(pending(store), [ids.1]);
    let statuses = read(store, &p, |d| {
        d.records.iter().map(|r| r.status).collect::<Vec<_>>()
    });
    assert_eq!(
        statuses.unwrap(),
        [NotificationStatus::Fail, NotificationStatus::Pending]
    );
}

fn a_transaction_finds_its_own_new_secrets_by_id(store: &dyn Store) {
    // A few secrets are looked through, many are indexed: both ways find the same.
    for count in [4, 50] {
        let p = project(&format!("p{count}"));
        let many: Vec<Secret> = (0..count).map(|i| secret(&format!("s{i}"))).collect();
        let ids: Vec<Uuid> = many.iter().map(Secret::id).collect();
        transact(store, &p, |tx| {
            for (added, s) in many.clone().into_iter().enumerate() {
                tx.insert_new(s)?;
                for (i, id) in ids.iter().enumerate() {
                    let found = tx.get_by_id(*id).map(|s| s.name().to_string());
                    assert_eq!(found, (i <= added).then(|| format!("s{i}")));
                }
            }
            // an id written in this very transaction is taken
            let clash = Secret::create(
                ids[2],
                SecretSettings::for_test("other"),
                SecretValue::Text("v".into()),
                1,
            )
            .unwrap();
            assert!(tx.insert_new(clash).is_err());
            // and a secret removed here is found by its id no more
            tx.remove(&name("s3"));
            assert!(tx.get_by_id(ids[3]).is_none());
            Ok(())
        })
        .unwrap();
        assert_eq!(names_in(store, &p).len(), count - 1);
    }
}

/// The index as a sorted list of `key=value:name`.
fn tag_index(store: &dyn Store, p: &ProjectId) -> Vec<String> {
    read(store, p, |data| {
        let mut entries = Vec::new();
        for (key, by_value) in data.tags() {
            for (value, names) in by_value {
                assert!(!names.is_empty(), "no empty entry is kept");
                entries.extend(names.iter().map(|n| format!("{key}={value}:{n}")));
            }
        }
        entries
    })
    .unwrap()
}

fn tagged(n: &str, tags: &[(&str, &str)]) -> Secret {
    let mut s = secret(n);
    let tags = tags
        .iter()
        .map(|(k, v)| {
            (
                crate::domain::tag::TagKey::parse(k).unwrap(),
                (*v).to_owned(),
            )
        })
        .collect();
    s.set_tags(tags).unwrap();
    s
}

fn the_tag_index_follows_every_commit_and_no_failed_one(store: &dyn Store) {
    let p = project("p");
    transact(store, &p, |tx| {
        tx.put(tagged("a", &[("env", "prod"), ("team", "x")]));
        tx.put(tagged("b", &[("env", "prod")]));
        tx.put(tagged("c", &[("env", "dev")]));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        tag_index(store, &p),
        ["env=dev:c", "env=prod:a", "env=prod:b", "team=x:a"]
    );
    // a value changed, a key dropped, a secret removed: in one transaction
    transact(store, &p, |tx| {
        tx.put(tagged("a", &[("env", "dev")]));
        tx.remove(&name("b"));
        Ok(())
    })
    .unwrap();
    assert_eq!(tag_index(store, &p), ["env=dev:a", "env=dev:c"]);
    let failed: Result<(), CsmsError> = transact(store, &p, |tx| {
        tx.put(tagged("c", &[("env", "prod")]));
        Err(CsmsError::invalid("x", "fails after the write"))
    });
    assert!(failed.is_err());
    assert_eq!(tag_index(store, &p), ["env=dev:a", "env=dev:c"]);
}

fn a_new_secret_needs_a_free_name_and_a_free_id(store: &dyn Store) {
    let p = project("p");
    let first = secret("taken");
    let same_id = Secret::create(
        first.id(),
        SecretSettings::for_test("other"),
        SecretValue::Text("v".into()),
        1,
    )
    .unwrap();
    transact(store, &p, |tx| tx.insert_new(first).map(|_| ())).unwrap();
    for clash in [secret("taken"), same_id] {
        let err = transact(store, &p, |tx| tx.insert_new(clash).map(|_| ())).unwrap_err();
        assert_eq!(err.code(), crate::error::ErrorCode::NameExists);
    }
    assert_eq!(names_in(store, &p), ["taken"]);
}

fn project(id: &str) -> ProjectId {
    ProjectId::parse(id).unwrap()
}

fn name(n: &str) -> SecretName {
    SecretName::parse_for_create(n).unwrap()
}

fn secret(n: &str) -> Secret {
    let settings = SecretSettings::for_test(n);
    Secret::create(Uuid::new_v4(), settings, SecretValue::Text("v".into()), 1).unwrap()
}

fn names_in(store: &dyn Store, p: &ProjectId) -> Vec<String> {
    read(store, p, |data| {
        data.secrets.keys().map(ToString::to_string).collect()
    })
    .unwrap()
}

fn a_committed_write_is_visible_to_later_reads(store: &dyn Store) {
    let p = project("p");
    transact(store, &p, |tx| {
        tx.put(secret("a"));
        Ok(())
    })
    .unwrap();
    assert_eq!(names_in(store, &p), vec!["a"]);
}

fn a_secret_loading_would_refuse_is_never_committed(store: &dyn Store) {
    let p = project("p");
    let mut broken = secret("broken");
    broken.rewind_version_counter_for_test();
    let result = transact(store, &p, |tx| {
        tx.put(secret("fine"));
        tx.put(broken.clone());
        Ok(())
    });
    assert!(
        matches!(&result, Err(CsmsError::Store(StoreError::Unloadable { rule, .. })) if rule.contains("next_version")),
        "{result:?}"
    );
    assert!(
        names_in(store, &p).is_empty(),
        "nothing of it was committed"
    );
}

fn a_failed_transaction_changes_nothing(store: &dyn Store) {
    let p = project("p");
    let result: Result<(), CsmsError> = transact(store, &p, |tx| {
        tx.put(secret("a"));
        tx.put(secret("b"));
        Err(CsmsError::invalid("x", "fails after two writes"))
    });
    assert!(result.is_err());
    assert!(names_in(store, &p).is_empty());
}

fn a_transaction_sees_its_own_writes(store: &dyn Store) {
    let p = project("p");
    transact(store, &p, |tx| {
        tx.put(secret("b"));
        Ok(())
    })
    .unwrap();
    let seen = transact(store, &p, |tx| {
        tx.put(secret("a"));
        assert!(tx.get(&name("a")).is_some());
        Ok(tx
            .secrets()
            .map(|s| s.name().to_string())
            .collect::<Vec<_>>())
    })
    .unwrap();
    assert_eq!(seen, vec!["a", "b"]);
}

fn removal_is_committed_with_the_rest(store: &dyn Store) {
    let p = project("p");
    transact(store, &p, |tx| {
        tx.put(secret("a"));
        tx.put(secret("b"));
        Ok(())
    })
    .unwrap();
    transact(store, &p, |tx| {
        tx.remove(&name("a"));
        assert!(tx.get(&name("a")).is_none());
        tx.put(secret("c"));
        Ok(())
    })
    .unwrap();
    assert_eq!(names_in(store, &p), vec!["b", "c"]);
}

fn projects_do_not_see_each_other(store: &dyn Store) {
    transact(store, &project("one"), |tx| {
        tx.put(secret("a"));
        Ok(())
    })
    .unwrap();
    assert!(names_in(store, &project("two")).is_empty());
    assert_eq!(names_in(store, &project("one")), vec!["a"]);
}

fn two_threads_creating_one_name_exactly_one_wins(store: &Arc<dyn Store>) {
    let p = project("p");
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let store = Arc::clone(store);
            let barrier = Arc::clone(&barrier);
            let p = p.clone();
            std::thread::spawn(move || {
                barrier.wait();
                transact(&*store, &p, |tx| {
                    if tx.get(&name("race")).is_some() {
                        return Err(CsmsError::NameExists("race".into()));
                    }
                    std::thread::yield_now();
                    tx.put(secret("race"));
                    Ok(())
                })
                .is_ok()
            })
        })
        .collect();
    let wins = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|won| *won)
        .count();
    assert_eq!(wins, 1);
    assert_eq!(names_in(&**store, &p), vec!["race"]);
}
