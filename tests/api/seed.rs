//! Loading fixtures into a running emulator (`POST /_emulator/seed`), and the clock's
//! offset setting that test fixtures use to put back what a test changed.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PROJECT, START_MS, TestApp, assert_csms_error};

const DAY: i64 = 86_400_000;

fn one_project(id: &str, secrets: Value, events: Value) -> Value {
    let mut project = serde_json::Map::new();
    project.insert("id".into(), Value::from(id));
    project.insert("secrets".into(), secrets);
    project.insert("events".into(), events);
    json!({"format": 1, "projects": [Value::Object(project)]})
}

/// An event as fixtures (and exports) write it.
fn event(name: &str) -> Value {
    json!({
        "name": name,
        "id": "7a1c5f0e-0000-4000-8000-000000000001",
        "types": ["VersionCreated"],
        "state": "Enabled",
        "notification": {"target_type": "SMN", "target_id": "urn:smn:cn-north-4:abc:topic", "target_name": "topic"},
        "create_time": "now",
        "update_time": "now"
    })
}

async fn names_in(app: &TestApp, project: &str) -> Vec<String> {
    let listed = app.get(&format!("/v1/{project}/secrets")).await;
    listed.body["secrets"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| s["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_one_project_fixture_loads_into_the_project_the_query_names() {
    let app = TestApp::new();
    let fixture = one_project(
        "written-for-another-project",
        json!([{"name": "db", "versions": [{"secret_string": "first"}, {"secret_string": "pw"}],
                "event_subscriptions": ["changes"]}]),
        json!([event("changes")]),
    );
    let seeded = app.post("/_emulator/seed?project=target-p", fixture).await;
    assert_eq!(seeded.status, StatusCode::OK, "{}", seeded.raw);
    assert_eq!(
        seeded.body,
        json!({"project_id": "target-p", "secrets": 1, "events": 1})
    );
    let latest = app.get("/v1/target-p/secrets/db/versions/latest").await;
    assert_eq!(latest.body["version"]["secret_string"], "pw");
    assert_eq!(latest.body["version"]["version_metadata"]["id"], "v2");
    let events = app.get("/v1/target-p/csms/events/changes").await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.raw);
    assert!(
        names_in(&app, "written-for-another-project")
            .await
            .is_empty()
    );
    // Defaults are filled in for the target: its default key, as a secret created there.
    let created = app
        .post(
            "/v1/target-p/secrets",
            json!({"name": "made-here", "secret_string": "x"}),
        )
        .await;
    let seeded_secret = app.get("/v1/target-p/secrets/db").await;
    assert_eq!(
        seeded_secret.body["secret"]["kms_key_id"],
        created.body["secret"]["kms_key_id"]
    );
    assert_eq!(seeded_secret.body["secret"]["create_time"], START_MS);
}

#[tokio::test]
async fn without_a_project_the_fixture_loads_into_its_own() {
    let app = TestApp::new();
    let fixture = one_project(
        PROJECT,
        json!([{"name": "own", "versions": [{"secret_string": "v"}]}]),
        json!([]),
    );
    let seeded = app.post("/_emulator/seed", fixture).await;
    assert_eq!(seeded.body["project_id"], PROJECT, "{}", seeded.raw);
    assert_eq!(names_in(&app, PROJECT).await, ["own"]);
}

#[tokio::test]
async fn an_export_seeds_another_project_with_its_values() {
    let app = TestApp::new();
    app.create_secret("exported", "kept-value").await;
    let export = app
        .get(&format!("/_emulator/export?project={PROJECT}&values=true"))
        .await;
    let seeded = app.post("/_emulator/seed?project=copy", export.body).await;
    assert_eq!(seeded.status, StatusCode::OK, "{}", seeded.raw);
    let copy = app.get("/v1/copy/secrets/exported/versions/latest").await;
    assert_eq!(copy.body["version"]["secret_string"], "kept-value");
}

#[tokio::test]
async fn a_fixture_of_zero_or_two_projects_is_refused_and_loads_nothing() {
    let app = TestApp::new();
    let secret = json!([{"name": "a", "versions": [{"secret_string": "v"}]}]);
    let two =
        json!({"projects": [{"id": "p1", "secrets": secret}, {"id": "p2", "secrets": secret}]});
    for bad in [two, json!({"projects": []}), json!({"format": 1})] {
        let answer = app.post("/_emulator/seed", bad).await;
        assert_csms_error(&answer, 400, "CSMS.0002");
        assert!(
            answer.body["error_msg"]
                .as_str()
                .unwrap()
                .contains("projects"),
            "{}",
            answer.raw
        );
    }
    assert!(names_in(&app, "p1").await.is_empty());
    assert!(names_in(&app, "p2").await.is_empty());
}

#[tokio::test]
async fn a_taken_name_refuses_the_whole_fixture() {
    let app = TestApp::new();
    app.create_secret("taken", "original").await;
    let fixture = one_project(
        PROJECT,
        json!([{"name": "new-one", "versions": [{"secret_string": "v"}]},
               {"name": "taken", "versions": [{"secret_string": "other"}]}]),
        json!([event("fresh-event")]),
    );
    assert_csms_error(
        &app.post("/_emulator/seed", fixture).await,
        409,
        "CSMS.0101",
    );
    assert_eq!(names_in(&app, PROJECT).await, ["taken"]);
    let kept = app
        .get(&format!("/v1/{PROJECT}/secrets/taken/versions/latest"))
        .await;
    assert_eq!(kept.body["version"]["secret_string"], "original");
    let event = app
        .get(&format!("/v1/{PROJECT}/csms/events/fresh-event"))
        .await;
    assert_csms_error(&event, 404, "CSMS.0005");
}

#[tokio::test]
async fn an_event_named_twice_or_already_there_refuses_the_fixture() {
    let app = TestApp::new();
    let twice = one_project("p", json!([]), json!([event("dup"), event("dup")]));
    let answer = app.post("/_emulator/seed", twice).await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    assert!(answer.raw.contains("events[1]"), "{}", answer.raw);
    app.create_event("present", &["SECRET_VERSION_CREATED"])
        .await;
    let again = one_project(PROJECT, json!([]), json!([event("present")]));
    let answer = app.post("/_emulator/seed", again).await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    assert!(answer.raw.contains("present"), "{}", answer.raw);
}

#[tokio::test]
async fn a_secret_named_twice_refuses_the_fixture_and_loads_nothing() {
    let app = TestApp::new();
    let secret = |n: &str| json!({"name": n, "versions": [{"secret_string": "v"}]});
    let many: Vec<Value> = (0..500).map(|i| secret(&format!("s{i}"))).collect();
    let mut with_twin = many.clone();
    with_twin.push(secret("s250"));
    let answer = app
        .post(
            "/_emulator/seed",
            one_project("p", Value::from(with_twin), json!([])),
        )
        .await;
    assert_csms_error(&answer, 409, "CSMS.0101");
    assert!(answer.raw.contains("s250"), "{}", answer.raw);
    let listed = app.get("/v1/p/secrets?limit=1").await;
    assert_eq!(listed.body["secrets"], json!([]));
    // without the twin, all of them load in one go
    let answer = app
        .post(
            "/_emulator/seed",
            one_project("p", Value::from(many), json!([])),
        )
        .await;
    assert_eq!(answer.body["secrets"], 500, "{}", answer.raw);
}

#[tokio::test]
async fn an_invalid_fixture_names_the_item_and_the_rule() {
    let app = TestApp::new();
    for (fixture, names) in [
        (
            one_project(
                "p",
                json!([{"name": "bad/name", "versions": [{"secret_string": "v"}]}]),
                json!([]),
            ),
            "secrets[0]",
        ),
        (
            one_project(
                "p",
                json!([{"name": "ok", "create_time": "yesterday"}]),
                json!([]),
            ),
            "create_time",
        ),
        (
            one_project("bad project!", json!([]), json!([])),
            "projects[0]",
        ),
    ] {
        let answer = app.post("/_emulator/seed", fixture).await;
        assert_csms_error(&answer, 400, "CSMS.0002");
        assert!(answer.raw.contains(names), "{names}: {}", answer.raw);
    }
    assert_csms_error(
        &app.post("/_emulator/seed", json!([1, 2])).await,
        400,
        "CSMS.0002",
    );
    assert_csms_error(
        &app.post(
            "/_emulator/seed?project=a%20b",
            one_project("p", json!([]), json!([])),
        )
        .await,
        400,
        "CSMS.0002",
    );
    assert!(names_in(&app, "p").await.is_empty());
}

#[tokio::test]
async fn a_subscription_to_a_missing_event_or_a_taken_id_is_a_400_naming_the_item() {
    let app = TestApp::new();
    let unknown_event = one_project(
        "p",
        json!([{"name": "listens", "versions": [{"secret_string": "v"}],
                "event_subscriptions": ["nowhere"]}]),
        json!([]),
    );
    let answer = app.post("/_emulator/seed", unknown_event).await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    assert!(
        answer.raw.contains("secrets[0] (listens)") && answer.raw.contains("nowhere"),
        "{}",
        answer.raw
    );
    let id = "3f2c1b0a-0000-4000-8000-00000000abcd";
    let same_id = one_project(
        "p",
        json!([{"id": id, "name": "first", "versions": [{"secret_string": "v"}]},
               {"id": id, "name": "second", "versions": [{"secret_string": "v"}]}]),
        json!([]),
    );
    let answer = app.post("/_emulator/seed", same_id).await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    assert!(
        answer.raw.contains("secrets[1] (second)") && answer.raw.contains(id),
        "{}",
        answer.raw
    );
    assert!(
        names_in(&app, "p").await.is_empty(),
        "nothing of either fixture was loaded"
    );
}

#[test]
fn the_seed_bodys_debug_output_shows_no_value() {
    let body: csms_emulator::api::wire::control::SeedBody = serde_json::from_value(one_project(
        "p",
        json!([{"name": "s", "versions": [{"secret_string": "debug-canary-77"}]}]),
        json!([]),
    ))
    .unwrap();
    let shown = format!("{body:?}");
    assert!(!shown.contains("debug-canary-77"), "{shown}");
    assert!(shown.contains("projects"), "{shown}");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_as_malformed() {
    use axum::body::Body;
    use axum::http::Request;
    let app = TestApp::new();
    let request = Request::post("/_emulator/seed")
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    assert_csms_error(&app.send(request).await, 400, "CSMS.0004");
}

#[tokio::test]
async fn an_offset_is_kept_exactly_and_put_back_exactly() {
    let app = TestApp::new();
    app.post("/_emulator/clock", json!({"mode": "real"})).await;
    let found = app.get("/_emulator/clock").await.body["offset_ms"].clone();
    let moved = app
        .post("/_emulator/clock", json!({"offset_ms": 3 * DAY + 7}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.raw);
    assert_eq!(moved.body["offset_ms"], 3 * DAY + 7);
    assert_eq!(moved.body["mode"], "real");
    assert_eq!(
        app.get("/_emulator/clock").await.body["offset_ms"],
        3 * DAY + 7
    );
    let back = app
        .post("/_emulator/clock", json!({"offset_ms": found}))
        .await;
    assert_eq!(back.body["offset_ms"], found);
}

#[tokio::test]
async fn moving_the_offset_forward_runs_the_work_that_fell_due() {
    let app = TestApp::new();
    app.post("/_emulator/clock", json!({"mode": "real"})).await;
    app.post("/_emulator/clock", json!({"offset_ms": 0})).await;
    app.create_secret("doomed", "x").await;
    app.schedule_deletion("doomed", 7).await;
    let moved = app
        .post("/_emulator/clock", json!({"offset_ms": 8 * DAY}))
        .await;
    assert_eq!(moved.body["due_work_ran"], 1, "{}", moved.raw);
    assert_csms_error(
        &app.get(&format!("/v1/{PROJECT}/secrets/doomed")).await,
        404,
        "CSMS.0005",
    );
    // Back again: the clock returns, the destroyed secret does not.
    let back = app.post("/_emulator/clock", json!({"offset_ms": 0})).await;
    assert_eq!(back.body["offset_ms"], 0);
}

#[tokio::test]
async fn a_frozen_clock_given_an_offset_stays_frozen_there() {
    let app = TestApp::new();
    let answer = app
        .post("/_emulator/clock", json!({"offset_ms": -DAY}))
        .await;
    assert_eq!(answer.body["mode"], "frozen");
    let offset = answer.body["offset_ms"].as_i64().unwrap();
    // Frozen, the offset drifts as the system clock runs on; it never passes -1 day.
    assert!(offset <= -DAY && offset > -2 * DAY, "{offset}");
}

#[tokio::test]
async fn an_offset_outside_the_settable_years_or_with_another_setting_is_refused() {
    let app = TestApp::new();
    for bad in [
        json!({"offset_ms": i64::MAX}),
        json!({"offset_ms": -1_000_000_000_000_000_i64}),
        json!({"offset_ms": 5, "mode": "real"}),
        json!({"offset_ms": "5"}),
    ] {
        assert_csms_error(&app.post("/_emulator/clock", bad).await, 400, "CSMS.0002");
    }
    assert_eq!(app.get("/_emulator/clock").await.body["now"], START_MS);
}
