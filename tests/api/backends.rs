//! The two stores answer alike: the same random sequence of mostly valid requests (secrets,
//! versions, stages, tags, events, backups, deletion and the clock, from a fixed seed)
//! goes to an app on the memory store and to one on a data directory, and every answer
//! must match once ids are masked. The directory is then reopened, and everything a client
//! can read from it must equal what the memory app shows.

use std::sync::{Arc, LazyLock};

use axum::http::Method;
use clap::Parser;
use csms_emulator::clock::{Clock, EmulatorClock};
use csms_emulator::service::CsmsService;
use csms_emulator::store::Store;
use csms_emulator::store::memory::MemoryStore;
use csms_emulator::store::sqlite::SqliteStore;
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};
use regex::Regex;
use serde_json::{Value, json};

use crate::helpers::{PROJECT, START_MS, TestApp};

const STEPS: usize = 600;
const NAMES: [&str; 5] = ["a", "b", "c", "d", "rds"];
const EVENTS: [&str; 2] = ["e1", "e2"];
const STAGES: [&str; 4] = ["SYSCURRENT", "SYSPREVIOUS", "st1", "st2"];

/// A path under the project: `/v1/{project}/{rest}`.
fn v1(rest: &str) -> String {
    format!("/v1/{PROJECT}/{rest}")
}

fn pick<T: Copy>(rng: &mut TestRng, from: &[T]) -> T {
    from[rng.random_range(0..from.len())]
}

/// One step of the sequence, as the app on either store is to take it.
enum Step {
    Call(Method, String, Option<Value>),
    /// A call on the secret's id (tags), which differs between the two apps.
    OnId(Method, &'static str, &'static str, Option<Value>),
    Backup(&'static str),
    Restore(&'static str),
}

fn step(rng: &mut TestRng) -> Step {
    let name = pick(rng, &NAMES);
    let value = pick(rng, &["one", "two", "a longer value, with punctuation: ü"]);
    let at = |rest: &str| v1(&format!("secrets/{name}{rest}"));
    match rng.random_range(0..20) {
        0 | 1 => {
            let mut body = json!({"name": name, "secret_string": value});
            if name == "rds" {
                body["secret_type"] = json!("RDS-FG");
                body["rotation_config"] =
                    json!("{\"InstanceId\":\"i-1\",\"SecretSubType\":\"SingleUser\"}");
            }
            if rng.random_bool(0.3) {
                body["event_subscriptions"] = json!([pick(rng, &EVENTS)]);
            }
            Step::Call(Method::POST, v1("secrets"), Some(body))
        }
        2 | 3 => {
            let mut body = json!({"secret_string": value});
            if rng.random_bool(0.4) {
                body["version_stages"] = json!([pick(rng, &STAGES)]);
            }
            if rng.random_bool(0.2) {
                body["expire_time"] = json!(4_102_444_800_000_i64 + rng.random_range(0..1_000_000));
            }
            Step::Call(Method::POST, at("/versions"), Some(body))
        }
        4 => Step::Call(
            Method::PUT,
            at(&format!("/stages/{}", pick(rng, &STAGES))),
            Some(json!({"version_id": format!("v{}", rng.random_range(1..5))})),
        ),
        5 => Step::Call(
            Method::DELETE,
            at(&format!("/stages/{}", pick(rng, &STAGES))),
            None,
        ),
        6 => Step::Call(
            Method::PUT,
            at(&format!("/versions/v{}", rng.random_range(1..4))),
            Some(json!({"expire_time": 4_102_444_800_000_i64 + rng.random_range(0..1_000_000)})),
        ),
        7 => {
            let patch = match rng.random_range(0..5) {
                0 => json!({"description": "d"}),
                1 => json!({"description": ""}),
                2 => json!({"event_subscriptions": ["e1"]}),
                3 => json!({"event_subscriptions": []}),
                _ => json!({"rotation_period": "30d"}),
            };
            Step::Call(Method::PUT, at(""), Some(patch))
        }
        8 => Step::Call(
            Method::POST,
            at("/scheduled-deleted-tasks/create"),
            Some(json!({"recovery_window_in_days": pick(rng, &[7, 30])})),
        ),
        9 => Step::Call(Method::POST, at("/scheduled-deleted-tasks/cancel"), None),
        10 => Step::Call(Method::DELETE, at(""), None),
        11 => Step::OnId(
            Method::POST,
            name,
            "tags",
            Some(
                json!({"tag": {"key": pick(rng, &["env", "team"]), "value": pick(rng, &["prod", ""])}}),
            ),
        ),
        12 => Step::OnId(
            Method::DELETE,
            name,
            pick(rng, &["tags/env", "tags/team"]),
            None,
        ),
        13 => Step::Call(
            Method::POST,
            v1("csms/events"),
            Some(json!({
                "name": pick(rng, &EVENTS),
                "event_types": ["SECRET_VERSION_CREATED", "SECRET_DELETED"],
                "state": pick(rng, &["ENABLED", "DISABLED"]),
                "notification": {"target_type": "SMN", "target_id": "urn:smn:r:p:t", "target_name": "t"},
            })),
        ),
        14 => Step::Call(
            Method::DELETE,
            v1(&format!("csms/events/{}", pick(rng, &EVENTS))),
            None,
        ),
        15 => Step::Backup(name),
        16 => Step::Restore(name),
        17 => Step::Call(
            Method::POST,
            v1("secrets/batch-import"),
            Some(json!({"secrets": [
                {"name": pick(rng, &["a", "imp"]), "secret_string": value},
                {"name": "imp2", "secret_string": value},
            ]})),
        ),
        18 => Step::Call(
            Method::POST,
            "/_emulator/clock".into(),
            Some(json!({"advance": pick(rng, &["1h", "1d", "8d", "31d"])})),
        ),
        _ => Step::Call(Method::GET, at("/versions/latest"), None),
    }
}

/// An app's answer to `step`, ids masked; `blobs` keeps the app's own backups.
async fn take(app: &TestApp, step: &Step, blobs: &mut Vec<(&'static str, String)>) -> String {
    let answer = match step {
        Step::Call(method, path, body) => app.call(method.clone(), path, body.clone()).await,
        Step::OnId(method, name, rest, body) => {
            let shown = app.get(&v1(&format!("secrets/{name}"))).await;
            let id = shown.body["secret"]["id"]
                .as_str()
                .unwrap_or("no-such-id")
                .to_owned();
            app.call(
                method.clone(),
                &v1(&format!("csms/{id}/{rest}")),
                body.clone(),
            )
            .await
        }
        Step::Backup(name) => {
            let made = app.post_empty(&v1(&format!("secrets/{name}/backup"))).await;
            if let Some(blob) = made.body["secret_blob"].as_str() {
                blobs.push((name, blob.to_owned()));
            }
            made
        }
        Step::Restore(name) => {
            let Some((_, blob)) = blobs.iter().rev().find(|(n, _)| n == name) else {
                return "no backup".into();
            };
            let body = json!({"secret_blob": blob});
            app.post(&v1("secrets/restore"), body).await
        }
    };
    let mut body = answer.body;
    if let Some(clock) = body.as_object_mut() {
        // How far the frozen clock is from the system's, which moves between the calls.
        clock.remove("offset_ms");
    }
    format!("{} {}", answer.status, masked(&body))
}

/// `value` as text, with every id (a UUID, hyphenated or 32 hex digits, also inside
/// JSON held in a string) and every backup blob replaced by a mark: the two apps draw
/// their own.
fn masked(value: &Value) -> String {
    static IDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})\b",
        )
        .unwrap()
    });
    static BLOBS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""secret_blob":"[^"]*""#).unwrap());
    let text = value.to_string();
    let text = IDS.replace_all(&text, "ID");
    BLOBS
        .replace_all(&text, r#""secret_blob":"BLOB""#)
        .into_owned()
}

/// Everything a client can read of the project, masked.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let mut seen = Vec::new();
    for rest in [
        "secrets?limit=200",
        "csms/events",
        "csms/tags",
        "csms/tasks",
        "csms/notification-records",
        "secrets/checker/config",
    ] {
        seen.push(masked(&app.get(&v1(rest)).await.body));
    }
    let listed = app.get(&v1("secrets?limit=200")).await.body;
    for secret in listed["secrets"].as_array().into_iter().flatten() {
        let name = secret["name"].as_str().unwrap();
        let id = secret["id"].as_str().unwrap();
        let versions = app
            .get(&v1(&format!("secrets/{name}/versions?limit=200")))
            .await
            .body;
        for version in versions["version_metadatas"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let shown = app
                .get(&v1(&format!(
                    "secrets/{name}/versions/{}",
                    version["id"].as_str().unwrap()
                )))
                .await;
            seen.push(masked(&shown.body));
        }
        seen.push(masked(&versions));
        seen.push(masked(&app.get(&v1(&format!("csms/{id}/tags"))).await.body));
    }
    seen.push(masked(&app.get("/_emulator/export?values=true").await.body));
    seen
}

/// Asserts two snapshots equal, naming the first part that differs.
fn assert_same(left: &[String], right: &[String], what: &str) {
    assert_eq!(left.len(), right.len(), "{what}: parts");
    for (n, (l, r)) in left.iter().zip(right).enumerate() {
        assert_eq!(l, r, "{what}: part {n}");
    }
}

/// An app on `store` at `clock`'s time, and its service. Both apps are built alike and
/// without SMN deliveries running, so notification records stay as they were made, and
/// nothing but the app holds the store.
fn app_on(store: Arc<dyn Store>, clock: &Arc<EmulatorClock>) -> (TestApp, CsmsService) {
    let config = csms_emulator::config::Config::try_parse_from(["csms-emulator"]).unwrap();
    let built = csms_emulator::app::build_service(&config, store, Arc::clone(clock));
    let app = TestApp {
        router: built.app,
        clock: Arc::clone(clock),
    };
    (app, built.service)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_memory_and_the_durable_store_answer_alike_and_a_reopened_directory_keeps_it_all() {
    let dir = std::env::temp_dir().join(format!("csms-backends-{}", uuid::Uuid::new_v4()));
    let frozen = || {
        let clock = Arc::new(EmulatorClock::new());
        clock.set_mode(csms_emulator::clock::ClockMode::Frozen);
        clock.set(START_MS);
        clock
    };
    let (memory_clock, clock) = (frozen(), frozen());
    let (memory, _) = app_on(Arc::new(MemoryStore::new()), &memory_clock);
    let open = || Arc::new(SqliteStore::open(&dir, None).unwrap());
    let (durable, service) = app_on(open(), &clock);

    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let (mut memory_blobs, mut durable_blobs) = (Vec::new(), Vec::new());
    let mut served = 0;
    for n in 0..STEPS {
        let step = step(&mut rng);
        let from_memory = take(&memory, &step, &mut memory_blobs).await;
        let from_disk = take(&durable, &step, &mut durable_blobs).await;
        assert_eq!(from_memory, from_disk, "step {n}");
        served += usize::from(from_memory.starts_with("200"));
    }
    assert!(
        served > STEPS / 4,
        "only {served} of {STEPS} steps were served"
    );
    assert_eq!(memory_clock.now_ms(), clock.now_ms());
    // A snapshot reads every value, which marks each secret's last use at this moment:
    // the second one sees the marks the first made.
    snapshot(&memory).await;
    snapshot(&durable).await;
    let before = snapshot(&durable).await;
    assert_same(&snapshot(&memory).await, &before, "memory and durable");

    // A clean stop: the read marks are kept (docs/behaviour.md §48), then the store closes.
    service.keep_read_marks().unwrap();
    drop((durable, service));
    let (reopened, _) = app_on(open(), &clock);
    assert_same(&snapshot(&reopened).await, &before, "reopened and before");
    drop(reopened);
    let _ = std::fs::remove_dir_all(&dir);
}
