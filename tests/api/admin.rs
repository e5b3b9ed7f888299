//! The emulator's control API: clock, secret states, faults, journal, metrics, OpenAPI.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use csms_emulator::domain::names::ProjectId;
use csms_emulator::error::CsmsError;
use csms_emulator::error::StoreError;
use csms_emulator::store::memory::MemoryStore;
use csms_emulator::store::{ProjectData, Store, Tx};
use serde_json::{Value, json};

use crate::helpers::{
    PROJECT, START_MS, TestApp, assert_csms_error, csms_path, secret_path, secrets_path,
};

const DAY: i64 = 86_400_000;

#[tokio::test]
async fn the_clock_can_be_read_set_frozen_and_released() {
    let app = TestApp::new();
    let clock = app.get("/_emulator/clock").await;
    assert_eq!(clock.body["now"], START_MS);
    assert_eq!(clock.body["mode"], "frozen");
    let set = app
        .post("/_emulator/clock", json!({"set": START_MS + 5_000}))
        .await;
    assert_eq!(set.body["now"], START_MS + 5_000);
    let advanced = app
        .post("/_emulator/clock", json!({"advance": "90m"}))
        .await;
    assert_eq!(advanced.body["now"], START_MS + 5_000 + 90 * 60_000);
    let by_ms = app.post("/_emulator/clock", json!({"advance": 1000})).await;
    assert_eq!(by_ms.body["now"], START_MS + 5_000 + 90 * 60_000 + 1_000);
    let real = app.post("/_emulator/clock", json!({"mode": "real"})).await;
    assert_eq!(real.body["mode"], "real");
    let frozen = app
        .post("/_emulator/clock", json!({"mode": "frozen"}))
        .await;
    assert_eq!(frozen.body["mode"], "frozen");
    for bad in [
        json!({}),
        json!({"advance": "7w"}),
        json!({"advance": -5}),
        json!({"mode": "fast"}),
        json!({"advance": "1d", "set": 5}),
    ] {
        assert_csms_error(&app.post("/_emulator/clock", bad).await, 400, "CSMS.0002");
    }
    // times the API reports come from this clock
    app.post("/_emulator/clock", json!({"set": 1_900_000_000_000_i64}))
        .await;
    let secret = app.create_secret("timed", "x").await;
    assert_eq!(secret["create_time"], 1_900_000_000_000_i64);
}

#[tokio::test]
async fn advancing_the_clock_destroys_a_secret_whose_window_ended() {
    let app = TestApp::new();
    app.create_event("gone", &["SECRET_DELETED"]).await;
    app.post(
        &secrets_path(),
        json!({"name": "doomed", "secret_string": "x", "event_subscriptions": ["gone"]}),
    )
    .await;
    app.schedule_deletion("doomed", 7).await;
    app.post("/_emulator/clock", json!({"advance": "6d"})).await;
    assert_eq!(app.get(&secret_path("doomed")).await.status, StatusCode::OK);
    app.post("/_emulator/clock", json!({"advance": "1d"})).await;
    assert_csms_error(&app.get(&secret_path("doomed")).await, 404, "CSMS.0005");
    let records = app.get(&csms_path("notification-records")).await;
    let record = &records.body["records"][0];
    assert_eq!(record["trigger_event_type"], "SECRET_DELETED");
    assert_eq!(
        record["create_time"],
        START_MS + 7 * DAY,
        "the deletion happened when due"
    );
}

#[tokio::test]
async fn advancing_the_clock_rotates_due_secrets_in_time_order() {
    let app = TestApp::new();
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "db", "secret_string": "{\"password\":\"p\"}", "secret_type": "RDS-FG",
                   "auto_rotation": true, "rotation_period": "1d",
                   "rotation_func_urn": "urn:fss:r:p:function:default:rotate:latest",
                   "rotation_config": "{\"InstanceId\":\"i\",\"SecretSubType\":\"SingleUser\"}"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    app.create_version(
        "db",
        json!({"secret_string": "{\"password\":\"q\"}", "expire_time": START_MS + DAY + DAY / 2}),
    )
    .await;
    app.post("/_emulator/clock", json!({"advance": "3d"})).await;
    let versions = app.get(&format!("{}/versions", secret_path("db"))).await;
    let ids: Vec<&str> = versions.body["version_metadatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["v1", "v2", "v3", "v4", "v5"]);
    let created: Vec<i64> = versions.body["version_metadatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["create_time"].as_i64().unwrap())
        .collect();
    assert_eq!(
        &created[2..],
        [START_MS + DAY, START_MS + 2 * DAY, START_MS + 3 * DAY]
    );
    let secret = app.get(&secret_path("db")).await;
    assert_eq!(secret.body["secret"]["rotation_time"], START_MS + 3 * DAY);
    assert_eq!(
        secret.body["secret"]["next_rotation_time"],
        START_MS + 4 * DAY
    );
    let tasks = app
        .get(&format!("{}?secret_name=db", csms_path("tasks")))
        .await;
    assert_eq!(tasks.body["total"], 3);
}

#[tokio::test]
async fn secret_states_can_be_set_for_tests() {
    let app = TestApp::new();
    app.create_secret("s", "x").await;
    let state = format!("/_emulator/projects/{PROJECT}/secrets/s/state");
    let disabled = app.post(&state, json!({"state": "DISABLED"})).await;
    assert_eq!(disabled.body["secret"]["state"], "DISABLED");
    let read = app
        .get(&format!("{}/versions/latest", secret_path("s")))
        .await;
    assert_csms_error(&read, 403, "CSMS.0109");
    app.post(&state, json!({"state": "FROZEN"})).await;
    let write = app
        .post(
            &format!("{}/versions", secret_path("s")),
            json!({"secret_string": "y"}),
        )
        .await;
    assert_csms_error(&write, 403, "CSMS.0109");
    app.post(&state, json!({"state": "ENABLED"})).await;
    assert_eq!(
        app.get(&format!("{}/versions/latest", secret_path("s")))
            .await
            .status,
        StatusCode::OK
    );
    assert_csms_error(
        &app.post(&state, json!({"state": "PENDING_DELETE"})).await,
        400,
        "CSMS.0002",
    );
    let ghost = format!("/_emulator/projects/{PROJECT}/secrets/ghost/state");
    assert_csms_error(
        &app.post(&ghost, json!({"state": "DISABLED"})).await,
        404,
        "CSMS.0005",
    );
}

#[tokio::test]
async fn a_fault_rule_answers_its_error_exactly_n_times_and_changes_nothing() {
    let app = TestApp::new();
    let rule = app
        .post("/_emulator/faults", json!({"operation": "CreateSecret", "status": 503, "error_code": "CSMS.0001", "times": 2}))
        .await;
    assert_eq!(rule.status, StatusCode::OK, "{}", rule.raw);
    assert_eq!(rule.body["remaining"], 2);
    for _ in 0..2 {
        let refused = app
            .post(&secrets_path(), json!({"name": "s", "secret_string": "x"}))
            .await;
        assert_csms_error(&refused, 503, "CSMS.0001");
        assert_eq!(app.get(&secrets_path()).await.body["secrets"], json!([]));
    }
    app.create_secret("s", "x").await;
    assert_eq!(app.get("/_emulator/faults").await.body["faults"], json!([]));
}

#[tokio::test]
async fn fault_rules_narrow_by_project_and_secret_and_can_be_removed() {
    let app = TestApp::new();
    app.create_secret("db-main", "x").await;
    app.create_secret("app", "x").await;
    let rule = app
        .post("/_emulator/faults", json!({"operation": "*", "project": PROJECT, "secret_pattern": "^db-", "status": 500, "error_code": "CSMS.0001"}))
        .await;
    let id = rule.body["id"].as_u64().unwrap();
    assert_csms_error(&app.get(&secret_path("db-main")).await, 500, "CSMS.0001");
    assert_eq!(app.get(&secret_path("app")).await.status, StatusCode::OK);
    assert_eq!(app.get(&secrets_path()).await.status, StatusCode::OK);
    let latency = app
        .post(
            "/_emulator/faults",
            json!({"operation": "ListSecrets", "latency_ms": 30}),
        )
        .await;
    assert_eq!(latency.status, StatusCode::OK);
    let started = std::time::Instant::now();
    assert_eq!(app.get(&secrets_path()).await.status, StatusCode::OK);
    assert!(started.elapsed() >= std::time::Duration::from_millis(30));
    let listed = app.get("/_emulator/faults").await;
    assert_eq!(listed.body["faults"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.delete(&format!("/_emulator/faults/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_csms_error(
        &app.delete(&format!("/_emulator/faults/{id}")).await,
        404,
        "CSMS.0005",
    );
    assert_eq!(
        app.get(&secret_path("db-main")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.delete("/_emulator/faults").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get("/_emulator/faults").await.body["faults"], json!([]));
    for bad in [
        json!({"status": 500}),
        json!({"operation": "x"}),
        json!({"operation": "x", "status": 200}),
        json!({"operation": "x", "status": 500, "secret_pattern": "("}),
        json!({"operation": "x", "status": 500, "probability": 0}),
    ] {
        assert_csms_error(&app.post("/_emulator/faults", bad).await, 400, "CSMS.0002");
    }
}

#[tokio::test]
async fn the_journal_lists_requests_without_values() {
    let app = TestApp::new();
    app.create_secret("journaled", "top-secret-value").await;
    let miss = app.get(&secret_path("ghost")).await;
    app.get(&format!("{}/versions/latest", secret_path("journaled")))
        .await;
    let journal = app.get("/_emulator/journal").await;
    let requests = journal.body["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0]["operation"], "CreateSecret");
    assert_eq!(requests[0]["project"], PROJECT);
    assert_eq!(requests[0]["status"], 200);
    assert_eq!(requests[0]["time"], START_MS);
    assert_eq!(requests[1]["operation"], "ShowSecret");
    assert_eq!(requests[1]["secret"], "ghost");
    assert_eq!(requests[1]["error_code"], "CSMS.0005");
    assert_eq!(
        requests[1]["request_id"].as_str(),
        miss.request_id.as_deref()
    );
    assert_eq!(requests[2]["operation"], "ShowSecretVersion");
    assert!(!journal.raw.contains("top-secret-value"));
    let last = app.get("/_emulator/journal?limit=1").await;
    assert_eq!(last.body["requests"][0]["operation"], "ShowSecretVersion");
    app.delete("/_emulator/journal").await;
    assert_eq!(
        app.get("/_emulator/journal").await.body["requests"],
        json!([])
    );
}

#[tokio::test]
async fn metrics_count_requests_and_secrets_per_project() {
    let app = TestApp::new();
    app.create_secret("a", "x").await;
    app.create_secret("b", "x").await;
    app.post(&secrets_path(), json!({"name": "a", "secret_string": "x"}))
        .await;
    let metrics = app.get("/_emulator/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = metrics.raw;
    assert!(
        text.contains(r#"csms_emulator_requests_total{operation="CreateSecret",status="200"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(r#"csms_emulator_requests_total{operation="CreateSecret",status="409"} 1"#)
    );
    assert!(text.contains(&format!(
        r#"csms_emulator_secrets{{project="{PROJECT}"}} 2"#
    )));
    assert!(text.contains("csms_emulator_request_duration_seconds_bucket"));
}

fn sample_path(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{project_id}" => PROJECT,
            "{secret_name}" => "sample",
            "{version_id}" => "v1",
            "{stage_name}" => "STAGE",
            "{event_name}" => "sample-event",
            "{secret_id}" => "2821397a-5413-48a5-8afd-1b9d074a3127",
            "{key}" => "k",
            "{user_id}" => "u",
            "{fault_id}" => "1",
            "{asset}" => "console.js",
            literal => literal,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_route_the_router_serves_is_in_the_openapi_document_and_back() {
    let app = TestApp::new();
    let doc = app.get("/_emulator/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.0.3");
    let paths = doc.body["paths"].as_object().unwrap();
    let mut described = 0;
    for (template, methods) in paths {
        for (method, operation) in methods.as_object().unwrap() {
            described += 1;
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            let body = matches!(method, Method::POST | Method::PUT).then(|| json!({}));
            let answer = app.call(method.clone(), &sample_path(template), body).await;
            assert_ne!(
                answer.body["error_code"], "APIGW.0101",
                "{method} {template} ({}) is described but not served",
                operation["operationId"]
            );
        }
    }
    assert!(described >= 60, "{described}");
    // and what is not described is not served
    for (method, path) in [
        (Method::PATCH, secret_path("s")),
        (Method::GET, format!("/v1/{PROJECT}/csms/events/e/extra")),
        (Method::PUT, "/_emulator/clock".to_owned()),
    ] {
        let answer = app.call(method, &path, None).await;
        assert_eq!(
            answer.body["error_code"],
            Value::from("APIGW.0101"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn every_operation_of_the_table_is_served_and_journaled_under_its_own_name() {
    use csms_emulator::api::operations::Operation;
    let app = TestApp::new();
    app.create_secret("sample", "x").await;
    for &op in Operation::ALL {
        let method = Method::from_bytes(op.method().as_bytes()).unwrap();
        let body = matches!(method, Method::POST | Method::PUT).then(|| json!({}));
        let answer = app.call(method, &sample_path(op.path()), body).await;
        assert_ne!(
            answer.body["error_code"], "APIGW.0101",
            "{op:?} is in the table but not served"
        );
        // the extractors refuse a type the table does not name with CSMS.0001
        assert_ne!(
            answer.body["error_code"], "CSMS.0001",
            "{op:?}: {}",
            answer.body
        );
        if op.is_control() {
            continue;
        }
        let last = app.get("/_emulator/journal?limit=1").await;
        assert_eq!(last.body["requests"][0]["operation"], op.name(), "{op:?}");
        assert_eq!(
            last.body["requests"][0]["request_id"].as_str(),
            answer.request_id.as_deref()
        );
    }
}

#[tokio::test]
async fn a_head_request_is_classified_and_answered_as_its_get() {
    let app = TestApp::new();
    let request = axum::http::Request::head("/_emulator/health")
        .body(axum::body::Body::empty())
        .unwrap();
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::OK);
    let request = axum::http::Request::head("/nothing")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::NOT_FOUND);
    // a CSMS HEAD is journaled as the operation its GET is
    app.create_secret("headed", "x").await;
    let request = axum::http::Request::head(secret_path("headed"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::OK);
    let last = app.get("/_emulator/journal?limit=1").await;
    assert_eq!(last.body["requests"][0]["operation"], "ShowSecret");
    assert_eq!(last.body["requests"][0]["method"], "HEAD");
}

#[tokio::test]
async fn the_journal_keeps_as_many_requests_as_configured() {
    let app = TestApp::with_args(&["--journal-size", "2"]);
    for name in ["a", "b", "c"] {
        app.create_secret(name, "x").await;
    }
    let journal = app.get("/_emulator/journal").await;
    let requests = journal.body["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1]["operation"], "CreateSecret");
}

/// A store that lost its disk: reads work, writes are refused.
struct DiskGone(MemoryStore);

impl Store for DiskGone {
    fn read_project(
        &self,
        project: &ProjectId,
        f: &mut dyn FnMut(&ProjectData),
    ) -> Result<(), CsmsError> {
        self.0.read_project(project, f)
    }

    fn write_project(
        &self,
        _project: &ProjectId,
        _f: &mut dyn FnMut(&mut Tx<'_>) -> bool,
    ) -> Result<(), CsmsError> {
        self.writable()
    }

    fn projects(&self) -> Result<Vec<ProjectId>, CsmsError> {
        self.0.projects()
    }

    fn reset(&self, project: Option<&ProjectId>) -> Result<(), CsmsError> {
        self.0.reset(project)
    }

    fn writable(&self) -> Result<(), CsmsError> {
        Err(StoreError::Failed { disk_full: true }.into())
    }
}

#[tokio::test]
async fn ready_answers_503_with_the_reason_once_writes_are_refused() {
    let fine = TestApp::new().get("/_emulator/ready").await;
    assert_eq!(fine.status, StatusCode::OK);
    assert_eq!(fine.body["status"], "ready");

    let app = TestApp::with_store(&[], Arc::new(DiskGone(MemoryStore::new())));
    let ready = app.get("/_emulator/ready").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.body["status"], "failing");
    assert!(
        ready.body["reason"]
            .as_str()
            .unwrap()
            .contains("data directory"),
        "{}",
        ready.raw
    );
    assert_eq!(app.get("/_emulator/health").await.status, StatusCode::OK);
    let write = app
        .post(&secrets_path(), json!({"name": "s", "secret_string": "v"}))
        .await;
    assert_csms_error(&write, 500, "CSMS.0001");
    let told = "the data directory's disk is full; writes are refused until csms-emulator restarts";
    assert_eq!(write.body["error_msg"], told);
    assert_eq!(ready.body["reason"], told);
}

#[tokio::test]
async fn the_operator_cannot_set_the_state_of_a_secret_pending_deletion() {
    let app = TestApp::new();
    app.create_secret("s", "v").await;
    app.schedule_deletion("s", 7).await;
    let path = format!("/_emulator/projects/{PROJECT}/secrets/s/state");
    for state in ["ENABLED", "DISABLED", "FROZEN"] {
        let answer = app.post(&path, json!({ "state": state })).await;
        assert_csms_error(&answer, 400, "CSMS.0107");
    }
    let shown = app.get(&secret_path("s")).await;
    assert_eq!(shown.body["secret"]["state"], "PENDING_DELETE");
}
