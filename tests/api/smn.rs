//! SMN push deliveries to a real local receiver (docs/behaviour.md §54–§58): the
//! documented format and signature, checked by a verifier written from SMN's page (the
//! string to sign built here, the certificate parsed by webpki); retries, a dead endpoint,
//! the clock, fault rules, the control API and a restart with deliveries pending. Waits
//! poll with a generous deadline; nothing here measures time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use clap::Parser;
use serde_json::{Value, json};

use crate::helpers::{PROJECT, TestApp, csms_path, secret_path, secrets_path};

const TOPIC: &str = "urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:csms-events";
const VALUE: &str = "s3cr3t-value-never-sent";
/// Long enough for a loaded machine; the tests end as soon as what they wait for happens.
const DEADLINE: Duration = Duration::from_secs(60);

/// One POST the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Value,
}

/// A local HTTP endpoint that records every POST and refuses the first `fail_first`
/// with 500.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(fail_first: usize) -> Self {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = Arc::clone(&got);
        let route = axum::routing::post(move |headers: HeaderMap, body: String| {
            let seen = Arc::clone(&seen);
            async move {
                let mut list = seen.lock().unwrap();
                list.push(Received {
                    headers,
                    body: serde_json::from_str(&body).unwrap_or(Value::Null),
                });
                if list.len() <= fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        });
        let router = axum::Router::new().route("/hook", route);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url, got }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until at least `n` POSTs arrived.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        wait_until(|| {
            let got = self.received();
            (got.len() >= n).then_some(got)
        })
        .await
    }
}

async fn wait_until<T>(mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(done) = check() {
            return done;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not reached within the deadline"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Creates an event on [`TOPIC`] for `types` and a secret subscribed to it.
async fn subscribed_secret(app: &TestApp, name: &str, types: &[&str]) {
    let answer = app
        .post(
            &csms_path("events"),
            json!({
                "name": "watch",
                "event_types": types,
                "state": "ENABLED",
                "notification": {"target_type": "SMN", "target_id": TOPIC, "target_name": "csms-events"}
            }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": name, "secret_string": VALUE, "event_subscriptions": ["watch"]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
}

fn subscription_arg(url: &str) -> String {
    format!("--smn-subscription={TOPIC}={url}")
}

/// The records' `notification_status`es, newest first.
async fn statuses(app: &TestApp) -> Vec<String> {
    let records = app.get(&csms_path("notification-records")).await;
    records.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["notification_status"].as_str().unwrap().to_owned())
        .collect()
}

async fn wait_for_statuses(app: &TestApp, expected: &[&str]) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let now = statuses(app).await;
        if now == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "statuses stayed {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Verifies an SMN message as SMN's "Message Signature Verification" page says: fetch
/// the certificate at `signing_cert_url`, build the sorted `key\nvalue\n` lines of the
/// signed keys (`subject` left out when empty), and check the base64 signature with the
/// certificate's key and its own algorithm (SHA256withRSA).
async fn verify_as_documented(app: &TestApp, body: &Value) {
    let cert_url = body["signing_cert_url"].as_str().unwrap();
    let path = cert_url
        .find("/_emulator/")
        .map(|at| &cert_url[at..])
        .unwrap();
    let pem = app.get(path).await;
    assert_eq!(pem.status, StatusCode::OK);
    assert!(pem.raw.starts_with("-----BEGIN CERTIFICATE-----"));
    let der = rustls::pki_types::pem::PemObject::from_pem_slice(pem.raw.as_bytes())
        .map(|c: rustls::pki_types::CertificateDer<'static>| c)
        .unwrap();
    let cert = webpki::EndEntityCert::try_from(&der).unwrap();
    let mut keys = vec!["message", "message_id", "timestamp", "topic_urn", "type"];
    if body["subject"].as_str().is_some_and(|s| !s.is_empty()) {
        keys.push("subject");
    }
    keys.sort_unstable();
    let mut text = String::new();
    for key in keys {
        text.push_str(key);
        text.push('\n');
        text.push_str(body[key].as_str().unwrap());
        text.push('\n');
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(body["signature"].as_str().unwrap())
        .unwrap();
    cert.verify_signature(
        webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        text.as_bytes(),
        &signature,
    )
    .expect("the signature verifies with the served certificate");
}

#[tokio::test]
async fn a_new_version_is_posted_to_the_subscribed_endpoint_signed_as_smn_documents() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::with_args(&[&subscription_arg(&receiver.url)]);
    subscribed_secret(&app, "app-config", &["SECRET_VERSION_CREATED"]).await;
    app.create_version("app-config", json!({"secret_string": VALUE}))
        .await;

    let got = receiver.wait_for(1).await;
    let message = &got[0];
    let header = |name: &str| message.headers[name].to_str().unwrap().to_owned();
    assert_eq!(header("x-smn-message-type"), "Notification");
    assert_eq!(header("x-smn-topic-urn"), TOPIC);
    assert!(header("x-smn-subscription-urn").starts_with(&format!("{TOPIC}:")));
    let body = &message.body;
    assert_eq!(header("x-smn-message-id"), body["message_id"]);
    for key in [
        "type",
        "message_id",
        "topic_urn",
        "subject",
        "message",
        "timestamp",
        "signature_version",
        "signature",
        "signing_cert_url",
        "unsubscribe_url",
    ] {
        assert!(body[key].is_string(), "{key} in {body}");
    }
    assert_eq!(body["type"], "Notification");
    assert_eq!(body["signature_version"], "v1");
    assert_eq!(body["topic_urn"], TOPIC);
    assert_eq!(body["timestamp"], "2023-11-14T22:13:20Z");
    let inner: Value = serde_json::from_str(body["message"].as_str().unwrap()).unwrap();
    assert_eq!(inner["event_type"], "SECRET_VERSION_CREATED");
    assert_eq!(inner["secret_name"], "app-config");
    assert_eq!(inner["version_id"], "v2");
    assert!(!body.to_string().contains(VALUE), "no value in {body}");
    verify_as_documented(&app, body).await;

    wait_for_statuses(&app, &["SUCCESS"]).await;
    let records = app.get(&csms_path("notification-records")).await;
    assert_eq!(
        records.body["records"][0]["notification_content"], body["message"],
        "the record holds the message sent"
    );
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_the_same_message_on_the_third_attempt() {
    let receiver = Receiver::start(2).await;
    let app = TestApp::with_args(&[&subscription_arg(&receiver.url)]);
    subscribed_secret(&app, "s", &["SECRET_VERSION_CREATED"]).await;
    app.create_version("s", json!({"secret_string": "v"})).await;

    let got = receiver.wait_for(3).await;
    let ids: Vec<&Value> = got.iter().map(|r| &r.body["message_id"]).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    wait_for_statuses(&app, &["SUCCESS"]).await;
    assert_eq!(receiver.received().len(), 3, "no attempt after the success");

    let journal = app.get("/_emulator/journal").await;
    let attempts: Vec<&Value> = journal.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["operation"] == "SmnDelivery")
        .collect();
    let statuses: Vec<&Value> = attempts.iter().map(|e| &e["status"]).collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(200)]);
    // The settled count follows the record's settling: wait for it too.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let metrics = loop {
        let metrics = app.get("/_emulator/metrics").await;
        if metrics
            .raw
            .contains(r#"csms_emulator_smn_deliveries_total{result="SUCCESS"} 1"#)
        {
            break metrics;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", metrics.raw);
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        metrics
            .raw
            .contains(r#"csms_emulator_smn_delivery_attempts_total{result="failure"} 2"#),
        "{}",
        metrics.raw
    );
    let deliveries = app.get("/_emulator/smn/deliveries").await;
    assert_eq!(deliveries.body["deliveries"].as_array().unwrap().len(), 3);
    assert_eq!(deliveries.body["deliveries"][2]["attempt"], 3);
}

#[tokio::test]
async fn one_secrets_messages_arrive_in_commit_order_even_through_retries() {
    // The first two POSTs fail: v2's message is retried while v3…v6 wait behind it.
    let receiver = Receiver::start(2).await;
    let app = TestApp::with_args(&[&subscription_arg(&receiver.url)]);
    subscribed_secret(&app, "s", &["SECRET_VERSION_CREATED"]).await;
    for n in 0..5 {
        app.create_version("s", json!({"secret_string": format!("v{n}")}))
            .await;
    }
    let got = receiver.wait_for(7).await;
    let versions: Vec<String> = got
        .iter()
        .map(|r| {
            let inner: Value = serde_json::from_str(r.body["message"].as_str().unwrap()).unwrap();
            inner["version_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(versions, ["v2", "v2", "v2", "v3", "v4", "v5", "v6"]);
}

#[tokio::test]
async fn a_dead_endpoint_leaves_the_write_answered_and_the_record_failed() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", dead.local_addr().unwrap());
    drop(dead);
    let app = TestApp::with_args(&[&subscription_arg(&url), "--smn-attempts=2"]);
    subscribed_secret(&app, "s", &["SECRET_VERSION_CREATED"]).await;
    let answer = app
        .post(
            &format!("{}/versions", secret_path("s")),
            json!({"secret_string": "v"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "the write is answered");
    wait_for_statuses(&app, &["FAIL"]).await;
    let deliveries = app.get("/_emulator/smn/deliveries").await;
    let list = deliveries.body["deliveries"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(
        list.iter()
            .all(|a| a["delivered"] == false && a["error"].is_string())
    );
}

#[tokio::test]
async fn a_version_expiry_and_a_scheduled_deletion_the_clock_passes_are_delivered() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::with_args(&[&subscription_arg(&receiver.url)]);
    subscribed_secret(&app, "s", &["SECRET_VERSION_EXPIRED", "SECRET_DELETED"]).await;
    app.create_version(
        "s",
        json!({"secret_string": "v", "expire_time": crate::helpers::START_MS + 3_600_000}),
    )
    .await;
    let moved = app.post("/_emulator/clock", json!({"advance": "2h"})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.raw);

    let got = receiver.wait_for(1).await;
    let inner: Value = serde_json::from_str(got[0].body["message"].as_str().unwrap()).unwrap();
    assert_eq!(inner["event_type"], "SECRET_VERSION_EXPIRED");
    assert_eq!(inner["version_id"], "v2");
    assert_eq!(got[0].body["subject"], "SECRET_VERSION_EXPIRED");

    let scheduled = app.schedule_deletion("s", 7).await;
    assert_eq!(scheduled.status, StatusCode::OK, "{}", scheduled.raw);
    let moved = app.post("/_emulator/clock", json!({"advance": "8d"})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.raw);
    let got = receiver.wait_for(2).await;
    let inner: Value = serde_json::from_str(got[1].body["message"].as_str().unwrap()).unwrap();
    assert_eq!(inner["event_type"], "SECRET_DELETED");
    assert_eq!(inner["secret_name"], "s");
}

#[tokio::test]
async fn a_fault_rule_on_smn_delivery_fails_an_attempt_and_a_wildcard_rule_does_not() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::with_args(&[&subscription_arg(&receiver.url)]);
    subscribed_secret(&app, "s", &["SECRET_VERSION_CREATED"]).await;
    let added = app
        .post(
            "/_emulator/faults",
            json!({"operation": "SmnDelivery", "status": 503, "times": 1}),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.raw);
    app.create_version("s", json!({"secret_string": "v"})).await;
    receiver.wait_for(1).await;
    wait_for_statuses(&app, &["SUCCESS"]).await;
    let deliveries = app.get("/_emulator/smn/deliveries").await;
    let list = deliveries.body["deliveries"].as_array().unwrap();
    assert_eq!(list[0]["status"], 503);
    assert_eq!(list[0]["delivered"], false);
    assert_eq!(list[1]["delivered"], true);

    // A rule for every CSMS operation leaves deliveries alone.
    app.post(
        "/_emulator/faults",
        json!({"operation": "*", "project": "another", "status": 500}),
    )
    .await;
    app.post(
        "/_emulator/faults",
        json!({"operation": "*", "secret_pattern": "^s$", "latency_ms": 1}),
    )
    .await;
    app.create_version("s", json!({"secret_string": "w"})).await;
    receiver.wait_for(2).await;
}

#[tokio::test]
async fn subscriptions_are_added_listed_and_removed_at_run_time() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::new();
    subscribed_secret(&app, "s", &["SECRET_VERSION_CREATED"]).await;
    app.create_version("s", json!({"secret_string": "v"})).await;
    assert_eq!(
        statuses(&app).await,
        ["SUCCESS"],
        "a topic nobody subscribes to is settled at once"
    );

    let added = app
        .post(
            "/_emulator/smn/subscriptions",
            json!({"topic_urn": TOPIC, "endpoint": receiver.url}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.raw);
    assert_eq!(added.body["origin"], "api");
    assert_eq!(added.body["status"], "confirmed");
    let urn = added.body["subscription_urn"].as_str().unwrap().to_owned();
    let listed = app.get("/_emulator/smn/subscriptions").await;
    assert_eq!(listed.body["subscriptions"][0]["subscription_urn"], urn);

    app.create_version("s", json!({"secret_string": "w"})).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(
        got[0].body["unsubscribe_url"],
        format!("http://127.0.0.1:8080/_emulator/smn/subscriptions/{urn}")
    );

    for (body, field) in [
        (json!({"topic_urn": TOPIC}), "endpoint"),
        (json!({"endpoint": receiver.url}), "topic_urn"),
        (
            json!({"topic_urn": TOPIC, "endpoint": "https://h/"}),
            "http://",
        ),
        (
            json!({"topic_urn": "bad urn", "endpoint": receiver.url}),
            "topic_urn",
        ),
    ] {
        let refused = app.post("/_emulator/smn/subscriptions", body).await;
        crate::helpers::assert_csms_error(&refused, 400, "CSMS.0002");
        assert!(refused.raw.contains(field), "{}", refused.raw);
    }

    let removed = app
        .delete(&format!("/_emulator/smn/subscriptions/{urn}"))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let again = app
        .delete(&format!("/_emulator/smn/subscriptions/{urn}"))
        .await;
    crate::helpers::assert_csms_error(&again, 404, "CSMS.0005");
    assert!(
        app.get("/_emulator/smn/subscriptions").await.body["subscriptions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn deliveries_pending_at_a_stop_are_made_after_the_restart() {
    use csms_emulator::store::sqlite::SqliteStore;
    let receiver = Receiver::start(0).await;
    let dir = std::env::temp_dir().join(format!("csms-smn-{}", uuid::Uuid::new_v4()));
    let args = ["csms-emulator".to_owned(), subscription_arg(&receiver.url)];
    let config = csms_emulator::config::Config::try_parse_from(&args).unwrap();
    let clock = Arc::new(csms_emulator::clock::EmulatorClock::new());
    {
        // Built without starting deliveries: the process stops before it delivers.
        let store = Arc::new(SqliteStore::open(&dir, None).unwrap());
        let built = csms_emulator::app::build_service(&config, store, Arc::clone(&clock));
        let app = TestApp {
            router: built.app,
            clock: Arc::clone(&clock),
        };
        subscribed_secret(&app, "s", &["SECRET_VERSION_CREATED"]).await;
        app.create_version("s", json!({"secret_string": "v"})).await;
        assert_eq!(statuses(&app).await, ["PENDING"]);
    }
    assert!(receiver.received().is_empty());

    let store = Arc::new(SqliteStore::open(&dir, None).unwrap());
    let app = TestApp {
        router: csms_emulator::app::build_with(&config, store, Arc::clone(&clock)),
        clock,
    };
    let got = receiver.wait_for(1).await;
    let inner: Value = serde_json::from_str(got[0].body["message"].as_str().unwrap()).unwrap();
    assert_eq!(inner["secret_name"], "s");
    wait_for_statuses(&app, &["SUCCESS"]).await;
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = PROJECT;
}

#[tokio::test]
async fn a_subscription_added_at_run_time_comes_back_with_the_data_directory() {
    use csms_emulator::store::sqlite::SqliteStore;
    let receiver = Receiver::start(0).await;
    let dir = std::env::temp_dir().join(format!("csms-smn-{}", uuid::Uuid::new_v4()));
    let config = csms_emulator::config::Config::try_parse_from(["csms-emulator"]).unwrap();
    let clock = Arc::new(csms_emulator::clock::EmulatorClock::new());
    let urn = {
        let store = Arc::new(SqliteStore::open(&dir, None).unwrap());
        let built = csms_emulator::app::build_service(&config, store, Arc::clone(&clock));
        let app = TestApp {
            router: built.app,
            clock: Arc::clone(&clock),
        };
        let added = app
            .post(
                "/_emulator/smn/subscriptions",
                json!({"topic_urn": TOPIC, "endpoint": receiver.url}),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.raw);
        subscribed_secret(&app, "s", &["SECRET_VERSION_CREATED"]).await;
        app.create_version("s", json!({"secret_string": "v"})).await;
        assert_eq!(statuses(&app).await, ["PENDING"]);
        added.body["subscription_urn"].as_str().unwrap().to_owned()
    };

    let store = Arc::new(SqliteStore::open(&dir, None).unwrap());
    let app = TestApp {
        router: csms_emulator::app::build_with(&config, store, Arc::clone(&clock)),
        clock,
    };
    let listed = app.get("/_emulator/smn/subscriptions").await;
    assert_eq!(listed.body["subscriptions"][0]["subscription_urn"], urn);
    let got = receiver.wait_for(1).await;
    assert_eq!(
        got[0].headers["x-smn-subscription-urn"].to_str().unwrap(),
        urn
    );
    wait_for_statuses(&app, &["SUCCESS"]).await;
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_signing_certificate_is_open_and_subscriptions_need_control_access() {
    let app = TestApp::with_args(&["--auth=enforce", "--token=ctl"]);
    let cert = app.get("/_emulator/smn/signing-cert.pem").await;
    assert_eq!(cert.status, StatusCode::OK);
    assert_eq!(cert.content_type.as_deref(), Some("application/x-pem-file"));
    let listed = app.get("/_emulator/smn/subscriptions").await;
    crate::helpers::assert_csms_error(&listed, 401, "APIGW.0301");
}
