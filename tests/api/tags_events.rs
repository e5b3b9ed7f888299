//! Tags and the tag search; events and notification records.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_csms_error, csms_path, secret_path, secrets_path};

fn id_of(secret: &Value) -> String {
    secret["id"].as_str().unwrap().to_owned()
}

async fn tag(app: &TestApp, id: &str, key: &str, value: &str) {
    let answer = app
        .post(
            &csms_path(&format!("{id}/tags")),
            json!({"tag": {"key": key, "value": value}}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.raw);
    assert!(answer.raw.is_empty());
}

#[tokio::test]
async fn tags_are_created_listed_and_deleted_by_secret_id() {
    let app = TestApp::new();
    let id = id_of(&app.create_secret("s", "x").await);
    tag(&app, &id, "env", "prod").await;
    tag(&app, &id, "env", "staging").await; // one value per key: overwritten
    tag(&app, &id, "team a:b", "x/y").await;
    let list = app.get(&csms_path(&format!("{id}/tags"))).await;
    assert_eq!(
        list.body,
        json!({"tags": [{"key": "env", "value": "staging"}, {"key": "team a:b", "value": "x/y"}], "sys_tags": []})
    );
    let deleted = app
        .delete(&csms_path(&format!("{id}/tags/team%20a%3Ab")))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_csms_error(
        &app.delete(&csms_path(&format!("{id}/tags/team%20a%3Ab")))
            .await,
        404,
        "CSMS.0005",
    );
    let list = app.get(&csms_path(&format!("{id}/tags"))).await;
    assert_eq!(list.body["tags"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn tag_requests_are_validated() {
    let app = TestApp::new();
    let id = id_of(&app.create_secret("s", "x").await);
    let path = csms_path(&format!("{id}/tags"));
    for bad in [
        json!({"tag": {"key": "_sys_enterprise_project_id", "value": "x"}}),
        json!({"tag": {"key": " lead", "value": "x"}}),
        json!({"tag": {"key": "k", "value": "semi;colon"}}),
        json!({"tag": {"key": "k".repeat(129)}}),
        json!({"tag": {"value": "no key"}}),
        json!({}),
    ] {
        assert_csms_error(&app.post(&path, bad).await, 400, "CSMS.0002");
    }
    assert_csms_error(
        &app.get(&csms_path("not-a-uuid/tags")).await,
        400,
        "CSMS.0002",
    );
    let unknown = csms_path("2821397a-5413-48a5-8afd-1b9d074a3127/tags");
    assert_csms_error(&app.get(&unknown).await, 404, "CSMS.0005");
    assert_csms_error(
        &app.post(&unknown, json!({"tag": {"key": "k"}})).await,
        404,
        "CSMS.0005",
    );
}

#[tokio::test]
async fn batch_tag_actions_create_and_delete_with_a_cap_of_twenty() {
    let app = TestApp::new();
    let id = id_of(&app.create_secret("s", "x").await);
    let action = csms_path(&format!("{id}/tags/action"));
    let twenty: Vec<Value> = (0..20)
        .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
        .collect();
    let answer = app
        .post(&action, json!({"action": "create", "tags": twenty}))
        .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.raw);
    let one_more = app
        .post(
            &action,
            json!({"action": "create", "tags": [{"key": "k20", "value": "v"}]}),
        )
        .await;
    assert_csms_error(&one_more, 400, "CSMS.0002");
    let removed = app
        .post(&action, json!({"action": "delete", "tags": [{"key": "k0"}, {"key": "k1", "value": "ignored"}, {"key": "absent"}]}))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let list = app.get(&csms_path(&format!("{id}/tags"))).await;
    assert_eq!(list.body["tags"].as_array().unwrap().len(), 18);
    for bad in [
        json!({"action": "upsert", "tags": [{"key": "k"}]}),
        json!({"action": "create", "tags": []}),
        json!({"action": "create"}),
        json!({"action": "create", "tags": [{"key": "k"}], "sequence": "s".repeat(37)}),
    ] {
        assert_csms_error(&app.post(&action, bad).await, 400, "CSMS.0002");
    }
}

#[tokio::test]
async fn project_tags_aggregate_every_value_per_key() {
    let app = TestApp::new();
    let a = id_of(&app.create_secret("a", "x").await);
    let b = id_of(&app.create_secret("b", "x").await);
    tag(&app, &a, "env", "prod").await;
    tag(&app, &b, "env", "dev").await;
    tag(&app, &b, "owner", "me").await;
    let answer = app.get(&csms_path("tags")).await;
    assert_eq!(
        answer.body,
        json!({"tags": [{"key": "env", "values": ["dev", "prod"]}, {"key": "owner", "values": ["me"]}]})
    );
}

#[tokio::test]
async fn tags_changed_in_batches_move_the_search_and_the_tag_list_with_them() {
    let app = TestApp::new();
    let id = id_of(&app.create_secret("a", "x").await);
    app.create_secret("b", "x").await;
    let action = csms_path(&format!("{id}/tags/action"));
    let count = |key: &str, values: Value| {
        let body = json!({"action": "count", "tags": [{"key": key, "values": values}]});
        let search = csms_path("resource_instances/action");
        let app = &app;
        async move { app.post(&search, body).await.body["total_count"].clone() }
    };
    let batch = |body: Value| {
        let (app, action) = (&app, action.clone());
        async move {
            let answer = app.post(&action, body).await;
            assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.raw);
        }
    };
    batch(json!({"action": "create", "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "x"}]})).await;
    assert_eq!(count("env", json!(["prod"])).await, 1);
    assert_eq!(count("team", json!([])).await, 1);
    // a new value for a key moves the secret from one value to the other
    batch(json!({"action": "create", "tags": [{"key": "env", "value": "dev"}]})).await;
    assert_eq!(count("env", json!(["prod"])).await, 0);
    assert_eq!(count("env", json!(["dev", "prod"])).await, 1);
    let tags = app.get(&csms_path("tags")).await;
    assert_eq!(
        tags.body,
        json!({"tags": [{"key": "env", "values": ["dev"]}, {"key": "team", "values": ["x"]}]})
    );
    batch(json!({"action": "delete", "tags": [{"key": "env"}, {"key": "team"}]})).await;
    assert_eq!(count("env", json!([])).await, 0);
    assert_eq!(app.get(&csms_path("tags")).await.body, json!({"tags": []}));
}

#[tokio::test]
async fn resource_search_ands_keys_ors_values_and_pages_by_offset() {
    let app = TestApp::new();
    for (name, env, tier) in [
        ("app-a", "prod", "web"),
        ("app-b", "dev", "web"),
        ("db-c", "prod", "db"),
        ("x-d", "test", "web"),
    ] {
        let id = id_of(&app.create_secret(name, "x").await);
        tag(&app, &id, "env", env).await;
        tag(&app, &id, "tier", tier).await;
    }
    app.create_secret("untagged", "x").await;
    let search = csms_path("resource_instances/action");
    let names = |a: &crate::helpers::Answer| -> Vec<String> {
        a.body["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["resource_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let or_values = app
        .post(
            &search,
            json!({"action": "filter", "tags": [{"key": "env", "values": ["prod", "dev"]}]}),
        )
        .await;
    assert_eq!(names(&or_values), ["app-a", "app-b", "db-c"]);
    assert_eq!(or_values.body["total_count"], 3);
    let and_keys = app
        .post(&search, json!({"action": "filter", "tags": [{"key": "env", "values": ["prod"]}, {"key": "tier", "values": []}]}))
        .await;
    assert_eq!(names(&and_keys), ["app-a", "db-c"]);
    let by_name = app
        .post(
            &search,
            json!({"action": "filter", "matches": [{"key": "resource_name", "value": "app"}]}),
        )
        .await;
    assert_eq!(names(&by_name), ["app-a", "app-b"]);
    let first = &by_name.body["resources"][0];
    assert_eq!(first["resource_detail"]["name"], "app-a");
    assert_eq!(first["resource_id"], first["resource_detail"]["id"]);
    assert_eq!(first["tags"].as_array().unwrap().len(), 2);
    let paged = app
        .post(&search, json!({"action": "filter", "tags": [{"key": "tier", "values": ["web"]}], "limit": "1", "offset": "1"}))
        .await;
    assert_eq!(names(&paged), ["app-b"]);
    assert_eq!(paged.body["total_count"], 3);
    let count = app
        .post(
            &search,
            json!({"action": "count", "tags": [{"key": "tier", "values": ["web"]}]}),
        )
        .await;
    assert_eq!(count.body, json!({"total_count": 3}));
    let everything = app.post(&search, json!({"action": "count"})).await;
    assert_eq!(everything.body["total_count"], 5);
    for bad in [
        json!({"action": "find"}),
        json!({"action": "filter", "limit": "0"}),
        json!({"action": "filter", "offset": "-1"}),
        json!({"action": "filter", "matches": [{"key": "resource_id", "value": "x"}]}),
        json!({"action": "filter", "tags": [{"key": "_sys_x", "values": []}]}),
    ] {
        assert_csms_error(&app.post(&search, bad).await, 400, "CSMS.0002");
    }
    assert_csms_error(
        &app.post(&csms_path("other/action"), json!({"action": "count"}))
            .await,
        404,
        "APIGW.0101",
    );
}

fn event_body(name: &str) -> Value {
    json!({
        "name": name,
        "event_types": ["SECRET_VERSION_CREATED", "SECRET_DELETED"],
        "state": "ENABLED",
        "notification": {"target_type": "SMN", "target_id": "urn:smn:r:p:t", "target_name": "t"}
    })
}

#[tokio::test]
async fn events_round_trip_through_create_list_show_update_and_delete() {
    let app = TestApp::new();
    let created = app.post(&csms_path("events"), event_body("evt-a")).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.raw);
    let event = &created.body["event"];
    assert_eq!(event["name"], "evt-a");
    assert_eq!(event["state"], "ENABLED");
    assert!(uuid::Uuid::parse_str(event["event_id"].as_str().unwrap()).is_ok());
    assert_eq!(
        event["event_types"],
        json!(["SECRET_VERSION_CREATED", "SECRET_DELETED"])
    );
    app.post(&csms_path("events"), event_body("evt-b")).await;
    app.post(&csms_path("events"), event_body("evt-c")).await;

    let page = app.get(&format!("{}?limit=2", csms_path("events"))).await;
    assert_eq!(page.body["events"].as_array().unwrap().len(), 2);
    assert_eq!(page.body["page_info"]["next_marker"], "evt-b");
    let rest = app
        .get(&format!("{}?limit=2&marker=evt-b", csms_path("events")))
        .await;
    assert_eq!(rest.body["events"][0]["name"], "evt-c");
    assert_eq!(rest.body["page_info"]["next_marker"], Value::Null);

    let updated = app
        .put(
            &csms_path("events/evt-a"),
            json!({"state": "DISABLED", "event_types": ["SECRET_ROTATED"]}),
        )
        .await;
    assert_eq!(updated.body["event"]["state"], "DISABLED");
    assert_eq!(
        updated.body["event"]["event_types"],
        json!(["SECRET_ROTATED"])
    );
    assert_eq!(updated.body["event"]["notification"]["target_name"], "t");
    let shown = app.get(&csms_path("events/evt-a")).await;
    assert_eq!(shown.body, updated.body);

    let deleted = app.delete(&csms_path("events/evt-a")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_csms_error(&app.get(&csms_path("events/evt-a")).await, 404, "CSMS.0005");
    assert_csms_error(
        &app.delete(&csms_path("events/evt-a")).await,
        404,
        "CSMS.0005",
    );
    assert_csms_error(
        &app.put(&csms_path("events/evt-a"), json!({})).await,
        404,
        "CSMS.0005",
    );
}

#[tokio::test]
async fn event_requests_are_validated() {
    let app = TestApp::new();
    let mut cases = Vec::new();
    for (field, value) in [
        ("name", json!("bad name")),
        ("event_types", json!([])),
        ("event_types", json!(["SECRET_EXPLODED"])),
        ("event_types", json!(["SECRET_ROTATED", "SECRET_ROTATED"])),
        ("state", json!("ON")),
        (
            "notification",
            json!({"target_type": "SMS", "target_id": "x", "target_name": "t"}),
        ),
        (
            "notification",
            json!({"target_type": "SMN", "target_id": "bad id", "target_name": "t"}),
        ),
    ] {
        let mut body = event_body("e");
        body[field] = value;
        cases.push(body);
    }
    let mut missing = event_body("e");
    missing.as_object_mut().unwrap().remove("notification");
    cases.push(missing);
    for body in cases {
        assert_csms_error(
            &app.post(&csms_path("events"), body).await,
            400,
            "CSMS.0002",
        );
    }
    app.post(&csms_path("events"), event_body("dup")).await;
    assert_csms_error(
        &app.post(&csms_path("events"), event_body("dup")).await,
        400,
        "CSMS.0002",
    );
    assert_csms_error(
        &app.put(&csms_path("events/dup"), json!({"state": "MAYBE"}))
            .await,
        400,
        "CSMS.0002",
    );
}

#[tokio::test]
async fn a_subscribed_event_cannot_be_deleted_and_subscriptions_must_exist() {
    let app = TestApp::new();
    let missing = app
        .post(
            &secrets_path(),
            json!({"name": "s", "secret_string": "x", "event_subscriptions": ["nope"]}),
        )
        .await;
    assert_csms_error(&missing, 404, "CSMS.0005");
    app.post(&csms_path("events"), event_body("evt")).await;
    app.post(
        &secrets_path(),
        json!({"name": "s", "secret_string": "x", "event_subscriptions": ["evt"]}),
    )
    .await;
    let refused = app.delete(&csms_path("events/evt")).await;
    assert_csms_error(&refused, 400, "CSMS.0002");
    assert!(
        refused.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("secret s")
    );
    app.put(&secret_path("s"), json!({"event_subscriptions": []}))
        .await;
    assert_eq!(
        app.delete(&csms_path("events/evt")).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn subscribed_enabled_events_record_notifications() {
    let app = TestApp::new();
    let mut body = event_body("watch");
    body["event_types"] = json!([
        "SECRET_VERSION_CREATED",
        "SECRET_VERSION_EXPIRED",
        "SECRET_ROTATED",
        "SECRET_DELETED",
        "SECRET_ROTATED_FAILED"
    ]);
    app.post(&csms_path("events"), body).await;
    app.post(
        &secrets_path(),
        json!({"name": "plain", "secret_string": "x", "event_subscriptions": ["watch"]}),
    )
    .await;
    app.post(
        &secrets_path(),
        json!({"name": "db", "secret_string": "{}", "secret_type": "RDS-FG", "event_subscriptions": ["watch"],
               "rotation_config": "{\"InstanceId\":\"i\",\"SecretSubType\":\"SingleUser\"}"}),
    )
    .await;
    app.create_secret("quiet", "x").await;
    app.create_version("quiet", json!({"secret_string": "y"}))
        .await; // not subscribed

    app.create_version(
        "plain",
        json!({"secret_string": "y", "expire_time": crate::helpers::START_MS + 60_000}),
    )
    .await;
    app.post_empty(&format!("{}/rotate", secret_path("db")))
        .await;
    app.post_empty(&format!("{}/rotate", secret_path("plain")))
        .await;
    app.clock.advance(61_000);
    app.create_secret("trigger", "x").await; // any write runs due work: the expiry fires
    app.delete(&secret_path("db")).await;

    let records = app.get(&csms_path("notification-records")).await;
    assert_eq!(records.status, StatusCode::OK);
    let kinds: Vec<(String, String)> = records.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["secret_name"].as_str().unwrap().to_owned(),
                r["trigger_event_type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("db", "SECRET_DELETED"),
        ("plain", "SECRET_VERSION_EXPIRED"),
        ("plain", "SECRET_ROTATED_FAILED"),
        ("db", "SECRET_ROTATED"),
        ("plain", "SECRET_VERSION_CREATED"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(kinds, expected, "newest first");
    let first = &records.body["records"][0];
    assert_eq!(first["event_name"], "watch");
    assert_eq!(first["notification_target_id"], "urn:smn:r:p:t");
    assert_eq!(first["notification_status"], "SUCCESS");

    let page = app
        .get(&format!("{}?limit=2", csms_path("notification-records")))
        .await;
    assert_eq!(page.body["records"].as_array().unwrap().len(), 2);
    let marker = page.body["page_info"]["next_marker"]
        .as_str()
        .unwrap()
        .to_owned();
    let next = app
        .get(&format!(
            "{}?limit=10&marker={marker}",
            csms_path("notification-records")
        ))
        .await;
    assert_eq!(next.body["records"].as_array().unwrap().len(), 3);
    assert_eq!(next.body["page_info"]["next_marker"], Value::Null);

    // a disabled event records nothing
    app.put(&csms_path("events/watch"), json!({"state": "DISABLED"}))
        .await;
    app.create_version("plain", json!({"secret_string": "z"}))
        .await;
    let after = app.get(&csms_path("notification-records")).await;
    assert_eq!(after.body["records"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn a_secret_past_its_recovery_window_leaves_every_listing_at_once() {
    let app = TestApp::new();
    let id = id_of(&app.create_secret("doomed", "x").await);
    tag(&app, &id, "env", "gone").await;
    app.schedule_deletion("doomed", 7).await;
    // time passes without any write, so nothing has removed it yet
    app.clock.advance(7 * 86_400_000);
    assert_eq!(app.get(&csms_path("tags")).await.body, json!({"tags": []}));
    assert_csms_error(
        &app.get(&csms_path(&format!("{id}/tags"))).await,
        404,
        "CSMS.0005",
    );
    let count = app
        .post(
            &csms_path("resource_instances/action"),
            json!({"action": "count"}),
        )
        .await;
    assert_eq!(count.body["total_count"], 0);
    let export = app.get("/_emulator/export").await;
    assert_eq!(export.body["projects"][0]["secrets"], json!([]));
    let metrics = app.get("/_emulator/metrics").await;
    assert!(
        metrics.raw.contains(&format!(
            r#"csms_emulator_secrets{{project="{}"}} 0"#,
            crate::helpers::PROJECT
        )),
        "{}",
        metrics.raw
    );
}

#[tokio::test]
async fn event_names_are_created_without_dots_and_subscribed_in_at_most_32_characters() {
    let app = TestApp::new();
    let answer = app
        .post(
            &csms_path("events"),
            json!({
                "name": "app.events",
                "event_types": ["SECRET_ROTATED"],
                "state": "ENABLED",
                "notification": {"target_type": "SMN", "target_id": "urn:smn:region:p:topic", "target_name": "topic"}
            }),
        )
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let long = "e".repeat(40);
    app.create_event(&long, &["SECRET_ROTATED"]).await;
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "s", "secret_string": "v", "event_subscriptions": [long]}),
        )
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let short = "e".repeat(32);
    app.create_event(&short, &["SECRET_ROTATED"]).await;
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "s", "secret_string": "v", "event_subscriptions": [short]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
}

#[tokio::test]
async fn an_empty_event_types_list_on_update_keeps_the_types() {
    let app = TestApp::new();
    app.create_event("ev", &["SECRET_ROTATED", "SECRET_DELETED"])
        .await;
    let answer = app
        .put(
            &csms_path("events/ev"),
            json!({"event_types": [], "state": "DISABLED"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    assert_eq!(
        answer.body["event"]["event_types"],
        json!(["SECRET_ROTATED", "SECRET_DELETED"])
    );
    assert_eq!(answer.body["event"]["state"], "DISABLED");
}

#[tokio::test]
async fn resource_search_bounds_tags_and_match_values() {
    let app = TestApp::new();
    let path = csms_path("resource_instances/action");
    let answer = app
        .post(&path, json!({"action": "filter", "tags": []}))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let long = "n".repeat(256);
    let answer = app
        .post(
            &path,
            json!({"action": "filter", "matches": [{"key": "resource_name", "value": long}]}),
        )
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let fits = "n".repeat(255);
    let answer = app
        .post(
            &path,
            json!({"action": "filter", "matches": [{"key": "resource_name", "value": fits}]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
}
