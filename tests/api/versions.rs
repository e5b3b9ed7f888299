//! Create, list and show versions; show stages.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{START_MS, TestApp, assert_csms_error, secret_path};

fn versions(name: &str) -> String {
    format!("{}/versions", secret_path(name))
}

#[tokio::test]
async fn create_version_answers_metadata_and_moves_syscurrent() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    app.clock.advance(5_000);
    let meta = app
        .create_version("s", json!({"secret_string": "two"}))
        .await;
    assert_eq!(meta["id"], "v2");
    assert_eq!(meta["secret_name"], "s");
    assert_eq!(meta["version_stages"], json!(["SYSCURRENT"]));
    assert_eq!(meta["create_time"], START_MS + 5_000);
    assert!(meta["kms_key_id"].is_string());
    assert!(meta.get("secret_string").is_none());

    let v1 = app.get(&format!("{}/v1", versions("s"))).await;
    assert_eq!(
        v1.body["version"]["version_metadata"]["version_stages"],
        json!(["SYSPREVIOUS"])
    );
    let latest = app.get(&format!("{}/latest", versions("s"))).await;
    assert_eq!(latest.body["version"]["secret_string"], "two");
    assert_eq!(latest.body["version"]["version_metadata"]["id"], "v2");
    let secret = app.get(&secret_path("s")).await;
    assert_eq!(secret.body["secret"]["update_time"], START_MS + 5_000);
}

#[tokio::test]
async fn explicit_stages_without_syscurrent_leave_latest_alone() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    let meta = app
        .create_version(
            "s",
            json!({"secret_string": "two", "version_stages": ["PENDING"]}),
        )
        .await;
    assert_eq!(meta["version_stages"], json!(["PENDING"]));
    let latest = app.get(&format!("{}/latest", versions("s"))).await;
    assert_eq!(latest.body["version"]["secret_string"], "one");
    let stage = app
        .get(&format!("{}/stages/PENDING", secret_path("s")))
        .await;
    assert_eq!(stage.body["stage"]["version_id"], "v2");
    let previous = app
        .get(&format!("{}/stages/SYSPREVIOUS", secret_path("s")))
        .await;
    assert_csms_error(&previous, 404, "CSMS.0005");
}

#[tokio::test]
async fn explicit_stages_with_syscurrent_push_sysprevious() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    let meta = app
        .create_version(
            "s",
            json!({"secret_string": "two", "version_stages": ["SYSCURRENT", "BLUE", "BLUE"]}),
        )
        .await;
    assert_eq!(meta["version_stages"], json!(["BLUE", "SYSCURRENT"]));
    let previous = app
        .get(&format!("{}/stages/SYSPREVIOUS", secret_path("s")))
        .await;
    assert_eq!(previous.body["stage"]["version_id"], "v1");
}

#[tokio::test]
async fn create_version_keeps_expire_time_to_the_second() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    let expire = START_MS + 48 * 3_600_000 + 123;
    let meta = app
        .create_version("s", json!({"secret_string": "two", "expire_time": expire}))
        .await;
    assert_eq!(meta["expire_time"], expire - 123);
    let past = app
        .post(
            &versions("s"),
            json!({"secret_string": "x", "expire_time": START_MS - 1000}),
        )
        .await;
    assert_csms_error(&past, 400, "CSMS.0002");
    let negative = app
        .post(
            &versions("s"),
            json!({"secret_string": "x", "expire_time": -5}),
        )
        .await;
    assert_csms_error(&negative, 400, "CSMS.0002");
}

#[tokio::test]
async fn create_version_validates_values_and_stages() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    let thirteen: Vec<String> = (0..13).map(|i| format!("S{i}")).collect();
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({}), 400, "CSMS.0002"),
        (
            json!({"secret_string": "a", "secret_binary": "YQ=="}),
            400,
            "CSMS.0002",
        ),
        (json!({"secret_binary": "@@"}), 400, "CSMS.0002"),
        (
            json!({"secret_string": "a".repeat(65_537)}),
            400,
            "CSMS.0002",
        ),
        (
            json!({"secret_string": "a", "version_stages": []}),
            400,
            "CSMS.0002",
        ),
        (
            json!({"secret_string": "a", "version_stages": [""]}),
            400,
            "CSMS.0002",
        ),
        (
            json!({"secret_string": "a", "version_stages": ["x".repeat(65)]}),
            400,
            "CSMS.0002",
        ),
        (
            json!({"secret_string": "a", "version_stages": thirteen}),
            400,
            "CSMS.0204",
        ),
        (
            json!({"secret_string": "a", "version_stages": "SYSCURRENT"}),
            400,
            "CSMS.0002",
        ),
        (
            json!({"secret_string": "a", "expire_time": "soon"}),
            400,
            "CSMS.0002",
        ),
    ];
    for (body, status, code) in cases {
        let answer = app.post(&versions("s"), body.clone()).await;
        assert_eq!(answer.body["error_code"], code, "{body}: {}", answer.raw);
        assert_csms_error(&answer, status, code);
    }
    let list = app.get(&versions("s")).await;
    assert_eq!(list.body["version_metadatas"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_thirteenth_stage_of_a_secret_is_refused_with_csms_0203() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    let eleven: Vec<String> = (0..11).map(|i| format!("S{i:02}")).collect();
    app.create_version(
        "s",
        json!({"secret_string": "two", "version_stages": eleven}),
    )
    .await;
    let answer = app
        .post(
            &versions("s"),
            json!({"secret_string": "x", "version_stages": ["EXTRA"]}),
        )
        .await;
    assert_csms_error(&answer, 400, "CSMS.0203");
    // A default version needs SYSPREVIOUS, a 13th stage, too.
    let answer = app
        .post(&versions("s"), json!({"secret_string": "x"}))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0203");
}

#[tokio::test]
async fn create_version_on_a_missing_secret_is_404() {
    let app = TestApp::new();
    let answer = app
        .post(&versions("ghost"), json!({"secret_string": "x"}))
        .await;
    assert_csms_error(&answer, 404, "CSMS.0005");
}

#[tokio::test]
async fn a_secret_keeps_at_most_twenty_versions_and_ids_are_not_reused() {
    let app = TestApp::new();
    app.create_secret("s", "v1").await;
    for i in 2..=25 {
        let meta = app
            .create_version("s", json!({"secret_string": format!("v{i}")}))
            .await;
        assert_eq!(meta["id"], format!("v{i}"));
    }
    let list = app.get(&format!("{}?limit=100", versions("s"))).await;
    let ids: Vec<&str> = list.body["version_metadatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (6..=25).map(|i| format!("v{i}")).collect();
    assert_eq!(ids, expected);
    let gone = app.get(&format!("{}/v1", versions("s"))).await;
    assert_csms_error(&gone, 404, "CSMS.0005");
}

#[tokio::test]
async fn list_versions_pages_in_version_order() {
    let app = TestApp::new();
    app.create_secret("s", "v1").await;
    for i in 2..=11 {
        app.create_version("s", json!({"secret_string": format!("v{i}")}))
            .await;
    }
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let query = marker
            .as_ref()
            .map_or(String::new(), |m| format!("&marker={m}"));
        let page = app.get(&format!("{}?limit=4{query}", versions("s"))).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.raw);
        for v in page.body["version_metadatas"].as_array().unwrap() {
            seen.push(v["id"].as_str().unwrap().to_owned());
            assert!(v.get("secret_string").is_none());
        }
        assert_eq!(page.body["page_info"]["previous_marker"], json!(marker));
        match page.body["page_info"]["next_marker"].as_str() {
            Some(next) => marker = Some(next.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (1..=11).map(|i| format!("v{i}")).collect();
    assert_eq!(seen, expected, "v10 sorts after v9, not after v1");
    for bad in ["limit=0", "limit=x", "marker=9"] {
        let answer = app.get(&format!("{}?{bad}", versions("s"))).await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    let missing = app.get(&versions("ghost")).await;
    assert_csms_error(&missing, 404, "CSMS.0005");
}

#[tokio::test]
async fn show_version_accepts_numbers_latest_and_an_empty_id() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    app.create_version("s", json!({"secret_string": "two"}))
        .await;
    for (path, value) in [("v1", "one"), ("v2", "two"), ("latest", "two"), ("", "two")] {
        let answer = app.get(&format!("{}/{path}", versions("s"))).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.raw);
        assert_eq!(answer.body["version"]["secret_string"], value, "{path}");
    }
    let missing = app.get(&format!("{}/v3", versions("s"))).await;
    assert_csms_error(&missing, 404, "CSMS.0005");
    for bad in ["3", "version1", "v1x", "LATEST", "v12345678901"] {
        let answer = app.get(&format!("{}/{bad}", versions("s"))).await;
        assert_csms_error(&answer, 400, "CSMS.0002");
    }
    let ghost = app.get(&format!("{}/latest", versions("ghost"))).await;
    assert_csms_error(&ghost, 404, "CSMS.0005");
}

#[tokio::test]
async fn show_stage_answers_the_stage_object() {
    let app = TestApp::new();
    app.create_secret("s", "one").await;
    app.clock.advance(1_000);
    app.create_version("s", json!({"secret_string": "two"}))
        .await;
    let answer = app
        .get(&format!("{}/stages/SYSCURRENT", secret_path("s")))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.body["stage"],
        json!({"name": "SYSCURRENT", "update_time": START_MS + 1_000, "secret_name": "s", "version_id": "v2"})
    );
    let missing = app.get(&format!("{}/stages/NOPE", secret_path("s"))).await;
    assert_csms_error(&missing, 404, "CSMS.0005");
    let ghost = app
        .get(&format!("{}/stages/SYSCURRENT", secret_path("ghost")))
        .await;
    assert_csms_error(&ghost, 404, "CSMS.0005");
}

#[tokio::test]
async fn stage_names_follow_the_pattern_in_paths_and_in_version_stages() {
    let app = TestApp::new();
    app.create_secret("s", "v").await;
    let stage = |name: &str| format!("{}/stages/{name}", secret_path("s"));
    let answer = app
        .put(&stage("bad%21stage"), json!({"version_id": "v1"}))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    assert_csms_error(&app.get(&stage("bad%21stage")).await, 400, "CSMS.0002");
    assert_csms_error(&app.delete(&stage("a.b")).await, 400, "CSMS.0002");
    let answer = app
        .post(
            &format!("{}/versions", secret_path("s")),
            json!({"secret_string": "v2", "version_stages": ["a.b"]}),
        )
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let ok = app
        .put(&stage("blue_green-2"), json!({"version_id": "v1"}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.raw);
    let listed = app.get(&format!("{}/versions", secret_path("s"))).await;
    assert_eq!(
        listed.body["version_metadatas"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn version_ids_compare_exactly_and_latest_is_a_marker() {
    let app = TestApp::new();
    app.create_secret("s", "v1").await;
    for value in ["v2", "v3"] {
        app.create_version("s", json!({"secret_string": value}))
            .await;
    }
    let version = |id: &str| format!("{}/versions/{id}", secret_path("s"));
    assert_eq!(app.get(&version("v1")).await.status, StatusCode::OK);
    assert_csms_error(&app.get(&version("v01")).await, 404, "CSMS.0005");
    let put = app
        .put(
            &version("v01"),
            json!({"expire_time": START_MS + 86_400_000}),
        )
        .await;
    assert_csms_error(&put, 404, "CSMS.0005");
    let stage = app
        .put(
            &format!("{}/stages/BLUE", secret_path("s")),
            json!({"version_id": "v02"}),
        )
        .await;
    assert_csms_error(&stage, 404, "CSMS.0005");

    // v3 holds SYSCURRENT: the page after `latest` is empty; move it to v1 and v2, v3 follow
    let list = |marker: &str| format!("{}/versions?marker={marker}&limit=10", secret_path("s"));
    let after_latest = app.get(&list("latest")).await;
    assert_eq!(after_latest.status, StatusCode::OK, "{}", after_latest.raw);
    assert_eq!(after_latest.body["version_metadatas"], json!([]));
    assert_eq!(after_latest.body["page_info"]["previous_marker"], "latest");
    app.put(
        &format!("{}/stages/SYSCURRENT", secret_path("s")),
        json!({"version_id": "v1"}),
    )
    .await;
    let after_latest = app.get(&list("latest")).await;
    let ids: Vec<&str> = after_latest.body["version_metadatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["v2", "v3"]);
}
