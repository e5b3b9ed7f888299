//! Property test: random sequences of version creation, stage put/delete, scheduled
//! deletion/cancel and backup/restore, run against the aggregate and against a small
//! reference model written independently from the rules (docs/behaviour.md §12–§14, §17). After every step
//! the two must agree and the invariants must hold.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use uuid::Uuid;

use super::{NewVersion, Secret, SecretSettings, SecretState};
use crate::domain::names::{StageName, VersionNumber};
use crate::domain::value::SecretValue;

const POOL: [&str; 16] = [
    "SYSCURRENT",
    "SYSPREVIOUS",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
];

#[derive(Debug, Clone)]
enum Op {
    AddVersion(Option<Vec<usize>>),
    PutStage(usize, u32),
    DeleteStage(usize),
    Schedule,
    Cancel,
    BackupRestore,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => proptest::option::of(proptest::collection::vec(0..POOL.len(), 1..5)).prop_map(Op::AddVersion),
        3 => (0..POOL.len(), 0u32..30).prop_map(|(s, v)| Op::PutStage(s, v)),
        2 => (0..POOL.len()).prop_map(Op::DeleteStage),
        1 => Just(Op::Schedule),
        1 => Just(Op::Cancel),
        1 => Just(Op::BackupRestore),
    ]
}

/// The rules, restated as plainly as possible.
#[derive(Debug, Default)]
struct Model {
    versions: Vec<u32>,
    stages: BTreeMap<&'static str, u32>,
    next: u32,
    pending: bool,
}

impl Model {
    fn new() -> Self {
        let mut m = Self {
            next: 1,
            ..Self::default()
        };
        assert!(m.add(None));
        m
    }

    fn add(&mut self, stages: Option<Vec<usize>>) -> bool {
        if self.pending {
            return false;
        }
        let mut requested: Vec<&'static str> = Vec::new();
        for i in stages.unwrap_or_else(|| vec![0]) {
            if !requested.contains(&POOL[i]) {
                requested.push(POOL[i]);
            }
        }
        let old_current = self.stages.get("SYSCURRENT").copied();
        let pushes = requested.contains(&"SYSCURRENT") && old_current.is_some();
        let mut names: BTreeSet<&str> = self.stages.keys().copied().collect();
        names.extend(requested.iter().copied());
        if pushes {
            names.insert("SYSPREVIOUS");
        }
        if names.len() > 12 {
            return false;
        }
        let id = self.next;
        self.next += 1;
        self.versions.push(id);
        if let (true, Some(old)) = (pushes, old_current) {
            self.stages.insert("SYSPREVIOUS", old);
        }
        for s in requested {
            self.stages.insert(s, id);
        }
        while self.versions.len() > 20 {
            let labelled: BTreeSet<u32> = self.stages.values().copied().collect();
            let Some(pos) = self.versions.iter().position(|v| !labelled.contains(v)) else {
                break;
            };
            self.versions.remove(pos);
        }
        true
    }

    fn put(&mut self, stage: &'static str, version: u32) -> bool {
        if self.pending || !self.versions.contains(&version) {
            return false;
        }
        let old_current = self.stages.get("SYSCURRENT").copied();
        let moves = stage == "SYSCURRENT" && old_current.is_some_and(|o| o != version);
        let mut added = usize::from(!self.stages.contains_key(stage));
        if moves && !self.stages.contains_key("SYSPREVIOUS") {
            added += 1;
        }
        if self.stages.len() + added > 12 {
            return false;
        }
        if let (true, Some(old)) = (moves, old_current) {
            self.stages.insert("SYSPREVIOUS", old);
        }
        self.stages.insert(stage, version);
        true
    }

    fn delete(&mut self, stage: &'static str) -> bool {
        if self.pending || stage == "SYSCURRENT" || stage == "SYSPREVIOUS" {
            return false;
        }
        self.stages.remove(stage).is_some()
    }
}

fn stage(i: usize) -> StageName {
    StageName::parse("s", POOL[i]).unwrap()
}

fn check(secret: &Secret, model: &Model, issued: &mut BTreeSet<u32>) {
    let versions: Vec<u32> = secret.versions().iter().map(|v| v.number.0).collect();
    assert_eq!(versions, model.versions);
    let stages: BTreeMap<&str, u32> = secret
        .stages()
        .iter()
        .map(|s| (s.name.as_str(), s.version.0))
        .collect();
    let expected: BTreeMap<&str, u32> = model.stages.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(stages, expected);
    assert_eq!(secret.state == SecretState::PendingDelete, model.pending);
    // invariants
    assert_eq!(stages.len(), secret.stages().len(), "one holder per stage");
    assert!(stages.contains_key("SYSCURRENT"), "SYSCURRENT present");
    assert!(stages.len() <= 12 && versions.len() <= 20);
    assert!(stages.values().all(|v| versions.contains(v)));
    for v in &versions {
        issued.insert(*v);
    }
    assert!(
        issued.iter().all(|v| *v < secret.next_version),
        "ids never reused"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_sequences_keep_the_invariants_and_match_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        let mut secret = Secret::create(
            Uuid::new_v4(),
            SecretSettings::for_test("p"),
            SecretValue::Text("v1".into()),
            0,
        )
        .unwrap();
        let mut model = Model::new();
        let mut issued = BTreeSet::new();
        check(&secret, &model, &mut issued);
        for (step, op) in ops.into_iter().enumerate() {
            let now = step as i64 + 1;
            let (ok, model_ok) = match op {
                Op::AddVersion(stages) => {
                    let new = NewVersion {
                        value: SecretValue::Text(format!("v{now}").into()),
                        stages: stages.clone().map(|s| s.into_iter().map(stage).collect()),
                        expire_time: None,
                    };
                    (secret.add_version(new, now).is_ok(), model.add(stages))
                }
                Op::PutStage(s, v) => (
                    secret.put_stage_on(stage(s), VersionNumber(v), now).is_ok(),
                    model.put(POOL[s], v),
                ),
                Op::DeleteStage(s) => (
                    secret.delete_stage(&stage(s), now).is_ok(),
                    model.delete(POOL[s]),
                ),
                Op::Schedule => {
                    let ok = secret.schedule_deletion(super::RecoveryWindow::parse(Some(7)).unwrap(), now).is_ok();
                    let model_ok = !model.pending;
                    model.pending = true;
                    (ok, model_ok)
                }
                Op::Cancel => {
                    let ok = secret.cancel_deletion(now).is_ok();
                    let model_ok = model.pending;
                    model.pending = false;
                    (ok, model_ok)
                }
                Op::BackupRestore => {
                    let record = secret.to_record();
                    let mut restored = Secret::from_record(record.clone()).unwrap();
                    prop_assert_eq!(restored.to_record(), record);
                    restored.state = SecretState::Enabled;
                    restored.set_scheduled_delete_time(None);
                    secret = restored;
                    model.pending = false;
                    (true, true)
                }
            };
            prop_assert_eq!(ok, model_ok, "step {} disagrees", step);
            check(&secret, &model, &mut issued);
        }
    }
}
