//! Service-level tests for rules that need state no public API can reach yet
//! (DISABLED, FROZEN and PENDING_DELETE secrets), and seeding from fixtures.

use std::sync::Arc;

use crate::clock::ManualClock;
use crate::domain::names::{ProjectId, SecretName, VersionRef};
use crate::domain::secret::SecretState;
use crate::error::ErrorCode;
use crate::store::memory::MemoryStore;
use crate::store::{self, Store};

use crate::domain::rotation::{RotationConfig, RotationPeriod, SecretType};
use crate::domain::secret::SecretSettings;
use crate::domain::value::SecretValue;

use super::{BatchDeleteFilter, CreateVersion, CsmsService, NewSecret, TaskFilter};

/// A new COMMON secret holding `value`.
fn new_secret(name: &str, value: &str) -> NewSecret {
    NewSecret {
        settings: SecretSettings::for_test(name),
        value: SecretValue::Text(value.into()),
    }
}

fn setup() -> (CsmsService, Arc<dyn Store>, ProjectId) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let service = CsmsService::new(store.clone(), Arc::new(ManualClock::new(1_000)));
    (service, store, ProjectId::parse("p").unwrap())
}

fn create(service: &CsmsService, project: &ProjectId, name: &str, instance: Option<&str>) {
    let mut new = new_secret(name, "value");
    if let Some(instance) = instance {
        new.settings.secret_type = SecretType::RdsFg;
        let config = format!(r#"{{"InstanceId":"{instance}","SecretSubType":"MultiUser"}}"#);
        let config = RotationConfig::parse(&config, SecretType::RdsFg).unwrap();
        new.settings
            .change_extras(|e| e.rotation_config = Some(config));
    }
    service.create_secret(project, new).unwrap();
}

fn set_state(store: &dyn Store, project: &ProjectId, name: &str, state: SecretState) {
    let name = SecretName::parse_lookup("n", name).unwrap();
    store::transact(store, project, |tx| {
        let mut secret = tx.get(&name).cloned().unwrap();
        secret.force_state_for_test(state);
        tx.put(secret);
        Ok(())
    })
    .unwrap();
}

#[test]
fn values_of_secrets_that_are_not_enabled_cannot_be_read() {
    let (service, store, project) = setup();
    for (name, state, code) in [
        (
            "pending",
            SecretState::PendingDelete,
            ErrorCode::PendingDelete,
        ),
        ("disabled", SecretState::Disabled, ErrorCode::NotEnabled),
        ("frozen", SecretState::Frozen, ErrorCode::NotEnabled),
    ] {
        create(&service, &project, name, None);
        set_state(&*store, &project, name, state);
        let secret = SecretName::parse_lookup("n", name).unwrap();
        let err = service
            .show_secret_version(&project, &secret, VersionRef::Latest)
            .unwrap_err();
        assert_eq!(err.code(), code, "{name}");
        let err = service
            .create_secret_version(
                &project,
                &secret,
                CreateVersion {
                    value: SecretValue::Text("new".into()),
                    stages: None,
                    expire_time: None,
                },
            )
            .unwrap_err();
        assert_eq!(err.code(), code, "{name}");
        // metadata stays readable
        let shown = service.show_secret(&project, &secret).unwrap();
        assert_eq!(shown.state(), state);
    }
}

#[test]
fn batch_delete_reports_pending_deletion_secrets_as_failed_and_keeps_them() {
    let (service, store, project) = setup();
    create(&service, &project, "a", Some("inst"));
    create(&service, &project, "b", Some("inst"));
    create(&service, &project, "c", Some("inst"));
    set_state(&*store, &project, "c", SecretState::PendingDelete);
    let report = service
        .batch_delete_secrets(
            &project,
            &BatchDeleteFilter::parse(Some("inst".into()), None).unwrap(),
        )
        .unwrap();
    assert_eq!(report.total, 3);
    assert_eq!(report.deleted, ["a", "b"]);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, "c");
    assert!(
        report.failed[0].1.starts_with("CSMS.0107: "),
        "{:?}",
        report.failed
    );
    let c = SecretName::parse_lookup("n", "c").unwrap();
    assert!(service.show_secret(&project, &c).is_ok());
}

#[test]
fn a_pending_deletion_name_is_still_taken() {
    let (service, store, project) = setup();
    create(&service, &project, "held", None);
    set_state(&*store, &project, "held", SecretState::PendingDelete);
    let err = service
        .create_secret(&project, new_secret("held", "x"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NameExists);
}

#[test]
fn the_sweep_destroys_due_secrets_and_reports_expiries_without_any_request() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let clock = ManualClock::new(1_000);
    let service = CsmsService::new(store.clone(), Arc::new(clock.clone()));
    let project = ProjectId::parse("p").unwrap();
    create(&service, &project, "doomed", None);
    create(&service, &project, "kept", None);
    let doomed = SecretName::parse_lookup("n", "doomed").unwrap();
    service
        .delete_secret_for_schedule(
            &project,
            &doomed,
            crate::domain::secret::RecoveryWindow::parse(Some(7)).unwrap(),
        )
        .unwrap();
    assert_eq!(service.run_due_work().unwrap(), 0);
    clock.advance(7 * 86_400_000);
    assert_eq!(service.run_due_work().unwrap(), 1);
    let names = store::read(&*store, &project, |data| {
        data.secrets
            .keys()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    })
    .unwrap();
    assert_eq!(names, ["kept"]);
    assert_eq!(service.run_due_work().unwrap(), 0);
}

#[test]
fn automatic_rotation_runs_when_due_and_schedules_the_next_one() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let clock = ManualClock::new(0);
    let service = CsmsService::new(store.clone(), Arc::new(clock.clone()));
    let project = ProjectId::parse("p").unwrap();
    let mut new = new_secret("db", r#"{"password":"x"}"#);
    let settings = &mut new.settings;
    settings.secret_type = SecretType::RdsFg;
    settings.auto_rotation = true;
    settings.change_extras(|e| {
        e.rotation_config = Some(
            RotationConfig::parse(
                r#"{"InstanceId":"i","SecretSubType":"SingleUser"}"#,
                SecretType::RdsFg,
            )
            .unwrap(),
        );
        e.rotation_period = Some(RotationPeriod::parse("6h", 6 * 3600).unwrap());
        e.rotation_func_urn = Some("urn:fss:r:p:function:default:rotate:latest".into());
    });
    service.create_secret(&project, new).unwrap();
    let name = SecretName::parse_lookup("n", "db").unwrap();
    clock.set(6 * 3_600_000);
    service.run_due_work().unwrap();
    let secret = service.show_secret(&project, &name).unwrap();
    assert_eq!(secret.versions().len(), 2);
    assert_eq!(secret.rotation_time(), Some(6 * 3_600_000));
    assert_eq!(secret.next_rotation_time(), Some(12 * 3_600_000));
    let tasks = service
        .list_secret_tasks(
            &project,
            &TaskFilter {
                limit: crate::domain::page::PageLimit::parse(None).unwrap(),
                task_id: None,
                secret: None,
                status: None,
                marker: None,
            },
        )
        .unwrap();
    assert_eq!(tasks.total, 1);
}

fn fixture(name: &str) -> crate::fixture_file::Fixture {
    let text = format!(
        r#"{{"projects": [{{"id": "p", "secrets": [{{"name": "{name}", "versions": [{{"secret_string": "seeded"}}]}}]}}]}}"#
    );
    crate::fixture_file::parse(&text, std::path::Path::new("test.json"), 1_000).unwrap()
}

fn secret_names(store: &dyn Store, project: &ProjectId) -> Vec<String> {
    store::read(store, project, |data| {
        data.secrets.keys().map(ToString::to_string).collect()
    })
    .unwrap()
}

#[test]
fn seeding_loads_every_fixture_or_none_of_them() {
    let (service, store, project) = setup();
    let fixtures = vec![
        super::check_fixture("first.json", fixture("a")).unwrap(),
        super::check_fixture("second.json", fixture("b")).unwrap(),
    ];
    assert_eq!(service.seed(fixtures).unwrap(), super::Seeded::Loaded(2));
    assert_eq!(secret_names(&*store, &project), ["a", "b"]);

    let (service, store, project) = setup();
    let clashing = vec![
        super::check_fixture("first.json", fixture("a")).unwrap(),
        super::check_fixture("second.json", fixture("a")).unwrap(),
    ];
    let err = service.seed(clashing).unwrap_err();
    assert!(
        err.contains("second.json") && err.contains("already exists"),
        "{err}"
    );
    assert!(
        secret_names(&*store, &project).is_empty(),
        "the first file was taken back"
    );
}

#[test]
fn seeding_over_existing_state_loads_nothing() {
    let (service, store, project) = setup();
    create(&service, &project, "changed-by-an-earlier-run", None);
    let fixtures = vec![super::check_fixture("seed.json", fixture("seeded")).unwrap()];
    assert_eq!(
        service.seed(fixtures).unwrap(),
        super::Seeded::KeptExistingState
    );
    assert_eq!(
        secret_names(&*store, &project),
        ["changed-by-an-earlier-run"]
    );
}

#[test]
fn a_fixture_breaking_a_rule_is_refused_before_anything_loads() {
    let broken = crate::fixture_file::parse(
        r#"{"projects": [{"id": "p", "secrets": [{"name": "bad", "versions": [{"secret_string": "x", "secret_binary": "eA=="}]}]}]}"#,
        std::path::Path::new("broken.json"),
        1_000,
    )
    .unwrap();
    let err = super::check_fixture("broken.json", broken).unwrap_err();
    assert!(
        err.contains("broken.json") && err.contains("secrets[0] (bad)"),
        "{err}"
    );
}

#[test]
fn a_secret_past_its_recovery_window_leaves_the_tag_search_and_tag_list_before_the_sweep() {
    use crate::domain::tag::TagKey;
    use std::collections::BTreeSet;
    let clock = Arc::new(ManualClock::new(1_000));
    let service = CsmsService::new(Arc::new(MemoryStore::new()), clock.clone());
    let p = ProjectId::parse("p").unwrap();
    for name in ["kept", "doomed"] {
        let secret = service.create_secret(&p, new_secret(name, "v")).unwrap();
        let tag = (TagKey::parse("env").unwrap(), "prod".to_owned());
        service.create_secret_tag(&p, secret.id(), tag).unwrap();
    }
    let doomed = SecretName::parse_lookup("n", "doomed").unwrap();
    service
        .delete_secret_for_schedule(
            &p,
            &doomed,
            crate::domain::secret::RecoveryWindow::parse(Some(7)).unwrap(),
        )
        .unwrap();
    let search = |counting| super::ResourceSearch {
        counting,
        limit: 10,
        offset: 0,
        search: super::Search {
            tags: vec![("env".to_owned(), BTreeSet::from(["prod".to_owned()]))],
            name_fragments: Vec::new(),
        },
    };
    // still in its window: found, counted, listed
    assert_eq!(
        service
            .list_resource_instances(&p, &search(true))
            .unwrap()
            .total_count,
        2
    );
    // the window ends; no sweep has run, so the secret is still stored
    clock.advance(8 * 86_400_000);
    let count = service.list_resource_instances(&p, &search(true)).unwrap();
    assert_eq!(count.total_count, 1);
    let page = service.list_resource_instances(&p, &search(false)).unwrap();
    let names: Vec<String> = page
        .resources
        .unwrap()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    assert_eq!(names, ["kept"]);
    assert_eq!(page.total_count, 1);
    // the last carrier of a pair is destroyed: the pair leaves the project's tag list
    let kept = SecretName::parse_lookup("n", "kept").unwrap();
    service
        .delete_secret_for_schedule(
            &p,
            &kept,
            crate::domain::secret::RecoveryWindow::parse(Some(7)).unwrap(),
        )
        .unwrap();
    clock.advance(8 * 86_400_000);
    assert!(service.list_project_secrets_tags(&p).unwrap().is_empty());
    assert!(store::read(service.store(), &p, |d| !d.tags().is_empty()).unwrap());
}
