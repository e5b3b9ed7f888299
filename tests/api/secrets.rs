//! Create, list and show secrets.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    PROJECT, START_MS, TestApp, assert_csms_error, assert_request_id, secret_path, secrets_path,
};

#[tokio::test]
async fn create_secret_answers_the_full_secret_object() {
    let app = TestApp::new();
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "db-password", "secret_string": "hunter2", "description": "for the db"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_request_id(&answer);
    assert!(answer.content_type.unwrap().starts_with("application/json"));
    let s = &answer.body["secret"];
    assert_eq!(s["name"], "db-password");
    assert_eq!(s["state"], "ENABLED");
    assert_eq!(s["description"], "for the db");
    assert_eq!(s["secret_type"], "COMMON");
    assert_eq!(s["auto_rotation"], false);
    assert_eq!(s["enterprise_project_id"], "0");
    assert_eq!(s["create_time"], START_MS);
    assert_eq!(s["update_time"], START_MS);
    assert_eq!(s["scheduled_delete_time"], Value::Null);
    assert_eq!(s["next_rotation_time"], Value::Null);
    assert_eq!(s["event_subscriptions"], json!([]));
    let id = s["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let key = s["kms_key_id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(key).is_ok(), "{key}");
    // the value never comes back in secret metadata
    assert!(!answer.raw.contains("hunter2"));
}

#[tokio::test]
async fn create_secret_keeps_every_optional_field() {
    let app = TestApp::new();
    app.create_event("evt_1", &["SECRET_ROTATED"]).await;
    let body = json!({
        "name": "rds",
        "secret_string": "{\"password\":\"x\"}",
        "kms_key_id": "0d0466b0-e727-4d9c-b35d-f84bb474a37f",
        "secret_type": "RDS-FG",
        "auto_rotation": true,
        "rotation_period": "1d",
        "rotation_config": "{\"InstanceId\":\"inst-1\",\"SecretSubType\":\"SingleUser\"}",
        "event_subscriptions": ["evt_1"],
        "enterprise_project_id": "ep-1",
        "rotation_func_urn": "urn:fss:cn-north-4:p:function:default:rot:latest"
    });
    let answer = app.post(&secrets_path(), body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.raw);
    let s = &answer.body["secret"];
    assert_eq!(s["kms_key_id"], "0d0466b0-e727-4d9c-b35d-f84bb474a37f");
    assert_eq!(s["secret_type"], "RDS-FG");
    assert_eq!(s["auto_rotation"], true);
    assert_eq!(s["rotation_period"], "1d");
    assert_eq!(
        s["rotation_config"],
        "{\"InstanceId\":\"inst-1\",\"SecretSubType\":\"SingleUser\"}"
    );
    assert_eq!(s["next_rotation_time"], START_MS + 86_400_000);
    assert_eq!(s["event_subscriptions"], json!(["evt_1"]));
    assert_eq!(s["enterprise_project_id"], "ep-1");
    assert_eq!(
        s["rotation_func_urn"],
        "urn:fss:cn-north-4:p:function:default:rot:latest"
    );
}

#[tokio::test]
async fn create_secret_uses_one_stable_default_key_per_project() {
    let app = TestApp::new();
    let a = app.create_secret("a", "1").await;
    let b = app.create_secret("b", "2").await;
    assert_eq!(a["kms_key_id"], b["kms_key_id"]);
    let other = app
        .post(
            "/v1/another-project/secrets",
            json!({"name": "a", "secret_string": "1"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_ne!(other.body["secret"]["kms_key_id"], a["kms_key_id"]);
}

#[tokio::test]
async fn create_secret_rejects_each_invalid_field_with_csms_0002() {
    let app = TestApp::new();
    let big = "a".repeat(64 * 1024 + 1);
    let long_desc = "d".repeat(2049);
    let long_name = "n".repeat(65);
    let cases: Vec<(&str, Value)> = vec![
        ("missing name", json!({"secret_string": "x"})),
        ("empty name", json!({"name": "", "secret_string": "x"})),
        (
            "name too long",
            json!({"name": long_name, "secret_string": "x"}),
        ),
        (
            "name with a slash",
            json!({"name": "a/b", "secret_string": "x"}),
        ),
        (
            "name with a dot",
            json!({"name": "a.b", "secret_string": "x"}),
        ),
        (
            "name with a space",
            json!({"name": "a b", "secret_string": "x"}),
        ),
        ("no value", json!({"name": "n"})),
        (
            "both values",
            json!({"name": "n", "secret_string": "x", "secret_binary": "eA=="}),
        ),
        (
            "value too large",
            json!({"name": "n", "secret_string": big}),
        ),
        (
            "binary not base64",
            json!({"name": "n", "secret_binary": "***"}),
        ),
        (
            "bad kms key",
            json!({"name": "n", "secret_string": "x", "kms_key_id": "KEY"}),
        ),
        (
            "description too long",
            json!({"name": "n", "secret_string": "x", "description": long_desc}),
        ),
        (
            "legacy RDS type",
            json!({"name": "n", "secret_string": "x", "secret_type": "RDS"}),
        ),
        (
            "unknown type",
            json!({"name": "n", "secret_string": "x", "secret_type": "OTHER"}),
        ),
        (
            "rotation without period",
            json!({"name": "n", "secret_string": "x", "auto_rotation": true}),
        ),
        (
            "period below 4h",
            json!({"name": "n", "secret_string": "x", "auto_rotation": true, "rotation_period": "3h"}),
        ),
        (
            "period above 8760h",
            json!({"name": "n", "secret_string": "x", "rotation_period": "366d"}),
        ),
        (
            "period with a bad unit",
            json!({"name": "n", "secret_string": "x", "rotation_period": "1w"}),
        ),
        (
            "RDS-FG without config",
            json!({"name": "n", "secret_string": "x", "secret_type": "RDS-FG"}),
        ),
        (
            "RDS-FG with a bad config",
            json!({"name": "n", "secret_string": "x", "secret_type": "GaussDB-FG", "rotation_config": "{\"InstanceId\":\"i\",\"SecretSubType\":\"Nobody\"}"}),
        ),
        (
            "two event subscriptions",
            json!({"name": "n", "secret_string": "x", "event_subscriptions": ["a", "b"]}),
        ),
        (
            "enterprise project id too long",
            json!({"name": "n", "secret_string": "x", "enterprise_project_id": "e".repeat(37)}),
        ),
        (
            "name of the wrong type",
            json!({"name": 12, "secret_string": "x"}),
        ),
        (
            "auto_rotation of the wrong type",
            json!({"name": "n", "secret_string": "x", "auto_rotation": "yes"}),
        ),
        ("body is an array", json!([1, 2])),
    ];
    for (case, body) in cases {
        let answer = app.post(&secrets_path(), body).await;
        assert_eq!(
            answer.body["error_code"], "CSMS.0002",
            "{case}: {}",
            answer.raw
        );
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    // Nothing was created by any rejected request.
    let list = app.get(&secrets_path()).await;
    assert_eq!(list.body["secrets"], json!([]));
}

#[tokio::test]
async fn create_secret_error_messages_name_the_parameter() {
    let app = TestApp::new();
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "n", "secret_string": "x", "rotation_period": "1w"}),
        )
        .await;
    assert!(
        answer.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("rotation_period")
    );
    let answer = app
        .post(&secrets_path(), json!({"name": 5, "secret_string": "x"}))
        .await;
    assert!(
        answer.body["error_msg"].as_str().unwrap().contains("name"),
        "{}",
        answer.raw
    );
}

#[tokio::test]
async fn create_secret_refuses_a_taken_name_with_409() {
    let app = TestApp::new();
    app.create_secret("dup", "1").await;
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "dup", "secret_string": "2"}),
        )
        .await;
    assert_csms_error(&answer, 409, "CSMS.0101");
    let v = app
        .get(&format!("{}/versions/latest", secret_path("dup")))
        .await;
    assert_eq!(v.body["version"]["secret_string"], "1");
}

#[tokio::test]
async fn create_secret_accepts_binary_values_and_returns_them_as_sent() {
    let app = TestApp::new();
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "bin", "secret_binary": "AAEC/w=="}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let v = app
        .get(&format!("{}/versions/v1", secret_path("bin")))
        .await;
    assert_eq!(v.body["version"]["secret_binary"], "AAEC/w==");
    assert!(v.body["version"].get("secret_string").is_none());
}

#[tokio::test]
async fn create_secret_accepts_a_value_of_exactly_64_kib() {
    let app = TestApp::new();
    let value = "a".repeat(64 * 1024);
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "big", "secret_string": value}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn show_secret_answers_the_secret_and_404_when_missing() {
    let app = TestApp::new();
    let created = app.create_secret("shown", "x").await;
    let answer = app.get(&secret_path("shown")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["secret"], created);
    let missing = app.get(&secret_path("absent")).await;
    assert_csms_error(&missing, 404, "CSMS.0005");
    let bad = app.get(&secret_path("bad%20name")).await;
    assert_csms_error(&bad, 400, "CSMS.0002");
}

#[tokio::test]
async fn list_secrets_pages_in_name_order_with_an_exclusive_marker() {
    let app = TestApp::new();
    for name in ["e", "b", "d", "a", "c"] {
        app.create_secret(name, "x").await;
    }
    let first = app.get(&format!("{}?limit=2", secrets_path())).await;
    let names = |a: &crate::helpers::Answer| -> Vec<String> {
        a.body["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&first), ["a", "b"]);
    assert_eq!(first.body["page_info"]["next_marker"], "b");
    assert_eq!(first.body["page_info"]["previous_marker"], Value::Null);
    assert_eq!(first.body["page_info"]["current_count"], 2);

    let second = app
        .get(&format!("{}?limit=2&marker=b", secrets_path()))
        .await;
    assert_eq!(names(&second), ["c", "d"]);
    assert_eq!(second.body["page_info"]["next_marker"], "d");
    assert_eq!(second.body["page_info"]["previous_marker"], "b");

    let last = app
        .get(&format!("{}?limit=2&marker=d", secrets_path()))
        .await;
    assert_eq!(names(&last), ["e"]);
    assert_eq!(last.body["page_info"]["next_marker"], Value::Null);

    let past = app
        .get(&format!("{}?limit=2&marker=e", secrets_path()))
        .await;
    assert_eq!(past.body["secrets"], json!([]));
    assert_eq!(past.body["page_info"]["next_marker"], Value::Null);

    let all = app.get(&secrets_path()).await;
    assert_eq!(names(&all), ["a", "b", "c", "d", "e"]);
    assert_eq!(all.body["page_info"]["next_marker"], Value::Null);
}

#[tokio::test]
async fn a_marker_naming_a_deleted_secret_pages_on_from_where_it_was() {
    let app = TestApp::new();
    for name in ["a", "b", "c", "d"] {
        app.create_secret(name, "x").await;
    }
    assert_eq!(app.delete(&secret_path("b")).await.status, StatusCode::OK);
    let next = app
        .get(&format!("{}?limit=1&marker=b", secrets_path()))
        .await;
    assert_eq!(next.body["secrets"][0]["name"], "c");
    assert_eq!(next.body["page_info"]["next_marker"], "c");
    // a marker that never named a secret works the same way
    let between = app
        .get(&format!("{}?limit=5&marker=bb", secrets_path()))
        .await;
    let names: Vec<&str> = between.body["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["c", "d"]);
}

#[tokio::test]
async fn list_secrets_filters_by_event_name() {
    let app = TestApp::new();
    app.create_event("evt", &["SECRET_DELETED"]).await;
    app.create_secret("plain", "x").await;
    let answer = app
        .post(
            &secrets_path(),
            json!({"name": "watched", "secret_string": "x", "event_subscriptions": ["evt"]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let filtered = app.get(&format!("{}?event_name=evt", secrets_path())).await;
    let secrets = filtered.body["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0]["name"], "watched");
}

#[tokio::test]
async fn list_secrets_rejects_bad_limits_and_markers() {
    let app = TestApp::new();
    for query in [
        "limit=0",
        "limit=1001",
        "limit=abc",
        "limit=-1",
        "marker=a%2Fb",
    ] {
        let answer = app.get(&format!("{}?{query}", secrets_path())).await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    let ok = app
        .get(&format!("{}?limit=1000&marker=", secrets_path()))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn projects_are_separate_namespaces() {
    let app = TestApp::new();
    app.create_secret("shared-name", "mine").await;
    let other = "/v1/fedcba9876543210fedcba9876543210/secrets";
    let list = app.get(other).await;
    assert_eq!(list.body["secrets"], json!([]));
    let show = app.get(&format!("{other}/shared-name")).await;
    assert_csms_error(&show, 404, "CSMS.0005");
    let create = app
        .post(
            other,
            json!({"name": "shared-name", "secret_string": "theirs"}),
        )
        .await;
    assert_eq!(create.status, StatusCode::OK);
    let mine = app
        .get(&format!("{}/versions/latest", secret_path("shared-name")))
        .await;
    assert_eq!(mine.body["version"]["secret_string"], "mine");
    assert!(PROJECT.len() == 32);
}

#[tokio::test]
async fn secrets_named_like_literal_paths_stay_usable() {
    let app = TestApp::new();
    // batch-import creates the dotted and literal-looking names (its pattern allows them)
    let answer = app
        .post(
            &format!("{}/batch-import", secrets_path()),
            json!({"secrets": [
                {"name": "batch-import", "secret_string": "a"},
                {"name": "batch-delete", "secret_string": "b"},
                {"name": "restore", "secret_string": "c"}
            ]}),
        )
        .await;
    assert_eq!(answer.body["success"], 3, "{}", answer.raw);
    for (name, value) in [
        ("batch-import", "a"),
        ("batch-delete", "b"),
        ("restore", "c"),
    ] {
        let shown = app.get(&secret_path(name)).await;
        assert_eq!(shown.body["secret"]["name"], name);
        let version = app
            .post(
                &format!("{}/versions", secret_path(name)),
                json!({"secret_string": "next"}),
            )
            .await;
        assert_eq!(version.body["version_metadata"]["id"], "v2", "{name}");
        let previous = app.get(&format!("{}/versions/v1", secret_path(name))).await;
        assert_eq!(previous.body["version"]["secret_string"], value);
    }
    // POST on a secret that is not a literal is no API at all
    let post = app.post(&secret_path("restore-me"), json!({})).await;
    assert_csms_error(&post, 404, "APIGW.0101");
}

#[tokio::test]
async fn the_2026_secret_fields_are_answered_and_a_value_read_sets_last_used_time() {
    let app = TestApp::new();
    let created = app.create_secret("s", "v").await;
    assert_eq!(created["last_used_time"], Value::Null);
    assert_eq!(created["replica_type"], "STANDALONE");
    assert_eq!(created["replicas"], json!([]));
    assert_eq!(created["domain_id"].as_str().map(str::len), Some(32));
    // metadata reads are not value reads
    let shown = app.get(&secret_path("s")).await;
    assert_eq!(shown.body["secret"]["last_used_time"], Value::Null);
    app.clock.advance(5_000);
    let read = app
        .get(&format!("{}/versions/latest", secret_path("s")))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let shown = app.get(&secret_path("s")).await;
    assert_eq!(shown.body["secret"]["last_used_time"], START_MS + 5_000);
    let listed = app.get(&secrets_path()).await;
    assert_eq!(
        listed.body["secrets"][0]["last_used_time"],
        START_MS + 5_000
    );
}

#[tokio::test]
async fn create_secret_answers_a_taken_name_before_a_missing_event_and_adds_nothing() {
    let app = TestApp::new();
    app.create_secret("dup", "1").await;
    let subscribing =
        |name: &str| json!({"name": name, "secret_string": "2", "event_subscriptions": ["absent"]});
    let taken = app.post(&secrets_path(), subscribing("dup")).await;
    assert_csms_error(&taken, 409, "CSMS.0101");
    let fresh = app.post(&secrets_path(), subscribing("fresh")).await;
    assert_csms_error(&fresh, 404, "CSMS.0005");
    assert!(fresh.body["error_msg"].as_str().unwrap().contains("absent"));
    assert_csms_error(&app.get(&secret_path("fresh")).await, 404, "CSMS.0005");
}
