//! Grants, agencies, users, the secrets checker, function templates, and the routing of
//! literal paths that collide with names and ids.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PROJECT, TestApp, assert_csms_error, csms_path, secret_path, secrets_path};

fn grant(resource: &str, grantee: &str) -> Value {
    json!({"resource_id": resource, "type": "SECRET", "grantee_type": "0", "grantee_target_id": grantee})
}

#[tokio::test]
async fn grants_round_trip() {
    let app = TestApp::new();
    let created = app
        .post(&csms_path("grants"), grant("res-1", "user-a"))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.raw);
    assert_eq!(created.body["data"]["resourceId"], "res-1");
    assert_eq!(created.body["data"]["granteeUser"], "user-a");
    app.post(&csms_path("grants"), grant("res-1", "user-b"))
        .await;
    let list = app
        .get(&format!("{}?resource_id=res-1", csms_path("grants")))
        .await;
    let users: Vec<&str> = list.body["data"]["grantee_user"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["user-a", "user-b"]);

    let mut update = grant("res-1", "user-a");
    update["validity_time"] = json!("1900000000000");
    let updated = app
        .put(
            &format!("{}?resource_id=res-1", csms_path("grants")),
            update,
        )
        .await;
    assert_eq!(updated.body["data"]["validityTime"], 1_900_000_000_000_i64);
    assert_eq!(updated.body["data"]["uuid"], created.body["data"]["uuid"]);

    let deleted = app
        .delete(&format!(
            "{}?resource_id=res-1&grantee_user=user-a",
            csms_path("grants")
        ))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let list = app
        .get(&format!("{}?resource_id=res-1", csms_path("grants")))
        .await;
    assert_eq!(
        list.body["data"]["grantee_user"].as_array().unwrap().len(),
        1
    );
    app.delete(&format!("{}?resource_id=res-1", csms_path("grants")))
        .await;
    let list = app
        .get(&format!("{}?resource_id=res-1", csms_path("grants")))
        .await;
    assert_eq!(list.body["data"]["grantee_user"], json!([]));

    assert_csms_error(
        &app.delete(&format!("{}?resource_id=res-1", csms_path("grants")))
            .await,
        404,
        "CSMS.0005",
    );
    assert_csms_error(
        &app.put(
            &format!("{}?resource_id=res-1", csms_path("grants")),
            grant("res-1", "x"),
        )
        .await,
        404,
        "CSMS.0005",
    );
    assert_csms_error(&app.get(&csms_path("grants")).await, 400, "CSMS.0002");
    let mut bad = grant("res", "u");
    bad["type"] = json!("FILE");
    assert_csms_error(&app.post(&csms_path("grants"), bad).await, 400, "CSMS.0002");
}

#[tokio::test]
async fn agencies_users_and_templates_answer_with_their_shapes() {
    let app = TestApp::new();
    let before = app.get("/v1/csms/agencies?secret_type=RDS-FG").await;
    assert_eq!(before.body, json!({"agency_granted": "false"}));
    let created = app
        .post("/v1/csms/agencies", json!({"secret_type": "RDS-FG"}))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.raw);
    assert!(created.body["agencies"][0]["agency_name"].is_string());
    let after = app.get("/v1/csms/agencies?secret_type=RDS-FG").await;
    assert_eq!(after.body, json!({"agency_granted": "true"}));
    assert_csms_error(
        &app.post("/v1/csms/agencies", json!({"secret_type": "COMMON"}))
            .await,
        400,
        "CSMS.0002",
    );

    let users = app.get("/v1/csms/users?offset=0&limit=10").await;
    assert_eq!(users.body["total"], 1);
    let user_id = users.body["users"][0]["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = app.get(&format!("/v1/csms/users/{user_id}")).await;
    assert_eq!(detail.body["user_id"], user_id.as_str());
    assert_csms_error(&app.get("/v1/csms/users/nobody").await, 404, "CSMS.0005");
    assert_csms_error(
        &app.get("/v1/csms/users?offset=0&limit=5").await,
        400,
        "CSMS.0002",
    );
    assert_csms_error(&app.get("/v1/csms/users?limit=10").await, 400, "CSMS.0002");
    let wrong = app
        .post(
            "/v1/csms/users/change-password",
            json!({"password": "n", "old_password": "bad"}),
        )
        .await;
    assert_csms_error(&wrong, 400, "CSMS.0002");
    let changed = app
        .post(
            "/v1/csms/users/change-password",
            json!({"password": "n3w", "old_password": "csms-emulator"}),
        )
        .await;
    assert_eq!(changed.body["user_id"], user_id.as_str());
    let again = app
        .post(
            "/v1/csms/users/change-password",
            json!({"password": "x", "old_password": "n3w"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);

    let template = app
        .get("/v1/csms/function-templates?secret_type=RDS-FG&secret_sub_type=MultiUser&engine=postgresql")
        .await;
    assert!(
        template.body["function_templates"]
            .as_str()
            .unwrap()
            .contains("postgresql")
    );
    for bad in [
        "secret_type=RDS-FG&secret_sub_type=MultiUser",
        "secret_type=COMMON&secret_sub_type=MultiUser&engine=mysql",
        "secret_type=GaussDB-FG&secret_sub_type=Both",
    ] {
        assert_csms_error(
            &app.get(&format!("/v1/csms/function-templates?{bad}")).await,
            400,
            "CSMS.0002",
        );
    }
}

#[tokio::test]
async fn the_checker_config_round_trips_and_check_echoes_its_input() {
    let app = TestApp::new();
    let config = format!("{}/checker/config", secrets_path());
    assert_eq!(
        app.get(&config).await.body,
        json!({"checking_secret_strength": false})
    );
    let set = app
        .post(&config, json!({"checking_secret_strength": true}))
        .await;
    assert_eq!(set.body, json!({"checking_secret_strength": true}));
    assert_eq!(
        app.get(&config).await.body,
        json!({"checking_secret_strength": true})
    );
    assert_csms_error(&app.post(&config, json!({})).await, 400, "CSMS.0002");
    let check = app
        .post(
            &format!("{}/checker/check", secrets_path()),
            json!({"type": "weak", "data": {"k": 1}}),
        )
        .await;
    assert_eq!(check.body, json!({"type": "weak", "data": {"k": 1}}));
    assert_csms_error(
        &app.post(
            &format!("{}/checker/check", secrets_path()),
            json!({"data": {}}),
        )
        .await,
        400,
        "CSMS.0002",
    );
    // only the literal `checker` has these routes
    assert_csms_error(
        &app.get(&format!("{}/other/config", secrets_path())).await,
        404,
        "APIGW.0101",
    );
}

#[tokio::test]
async fn literal_paths_never_hide_secrets_events_or_tags_with_the_same_names() {
    let app = TestApp::new();
    app.create_secret("checker", "c").await;
    app.create_secret("tags", "t").await;
    app.create_version("checker", json!({"secret_string": "c2"}))
        .await;
    let v = app
        .get(&format!("{}/versions/latest", secret_path("checker")))
        .await;
    assert_eq!(v.body["version"]["secret_string"], "c2");
    assert_eq!(
        app.put(&secret_path("checker"), json!({"description": "d"}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.delete(&secret_path("tags")).await.status,
        StatusCode::OK
    );

    // an event may be named like a literal of its parent path
    for name in ["tags", "action", "events"] {
        let answer = app
            .post(
                &csms_path("events"),
                json!({"name": name, "event_types": ["SECRET_DELETED"], "state": "ENABLED",
                       "notification": {"target_type": "SMN", "target_id": "urn", "target_name": "t"}}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{name}");
        let shown = app.get(&csms_path(&format!("events/{name}"))).await;
        assert_eq!(shown.body["event"]["name"], name);
    }
    // a tag key may be `action`
    let id = app.create_secret("tagged", "x").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &csms_path(&format!("{id}/tags")),
        json!({"tag": {"key": "action", "value": "v"}}),
    )
    .await;
    assert_eq!(
        app.delete(&csms_path(&format!("{id}/tags/action")))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    // a project may be named like the global prefix
    let csms_project = app
        .post(
            "/v1/csms/secrets",
            json!({"name": "in-csms", "secret_string": "x"}),
        )
        .await;
    assert_eq!(csms_project.status, StatusCode::OK, "{}", csms_project.raw);
    assert_eq!(
        app.get("/v1/csms/secrets/in-csms").await.status,
        StatusCode::OK
    );
    assert_eq!(PROJECT.len(), 32);
}

#[tokio::test]
async fn grant_validity_takes_the_date_the_sdks_send_and_answers_milliseconds() {
    let app = TestApp::new();
    let mut dated = grant("res-d", "user-a");
    dated["validity_time"] = json!("2030-01-01");
    let created = app.post(&csms_path("grants"), dated).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.raw);
    // 2030-01-01T00:00:00Z
    assert_eq!(created.body["data"]["validityTime"], 1_893_456_000_000_i64);
    let list = app
        .get(&format!("{}?resource_id=res-d", csms_path("grants")))
        .await;
    assert_eq!(
        list.body["data"]["grantee_user"][0]["validity_time"],
        1_893_456_000_000_i64
    );
    let mut updated = grant("res-d", "user-a");
    updated["validity_time"] = json!("2031-06-30");
    let answer = app
        .put(
            &format!("{}?resource_id=res-d", csms_path("grants")),
            updated,
        )
        .await;
    assert_eq!(answer.body["data"]["validityTime"], 1_940_544_000_000_i64);
    for bad in ["2030-02-30", "30-01-01", "tomorrow", "-5"] {
        let mut refused = grant("res-d", "user-a");
        refused["validity_time"] = json!(bad);
        assert_csms_error(
            &app.post(&csms_path("grants"), refused).await,
            400,
            "CSMS.0002",
        );
    }
}

#[tokio::test]
async fn grant_edges_follow_the_definitions() {
    let app = TestApp::new();
    app.post(&csms_path("grants"), grant("res-1", "user-a"))
        .await;
    // the body's resource_id must be the query's
    let answer = app
        .put(
            &format!("{}?resource_id=res-1", csms_path("grants")),
            grant("res-2", "user-a"),
        )
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let mut without = grant("res-1", "user-a");
    without.as_object_mut().unwrap().remove("resource_id");
    let answer = app
        .put(
            &format!("{}?resource_id=res-1", csms_path("grants")),
            without,
        )
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    // grantee_user has at most 64 characters
    let long = "u".repeat(65);
    let answer = app
        .delete(&format!(
            "{}?resource_id=res-1&grantee_user={long}",
            csms_path("grants")
        ))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
}

#[tokio::test]
async fn check_secrets_needs_an_object_as_data() {
    let app = TestApp::new();
    let path = format!("{}/checker/check", secrets_path());
    for bad in [
        json!({"type": "t", "data": "notanobject"}),
        json!({"type": "t", "data": [1]}),
        json!({"type": "t"}),
        json!({"data": {}}),
    ] {
        assert_csms_error(&app.post(&path, bad).await, 400, "CSMS.0002");
    }
    let ok = app
        .post(&path, json!({"type": "t", "data": {"k": 1}}))
        .await;
    assert_eq!(ok.body, json!({"type": "t", "data": {"k": 1}}));
}

/// The fields of the SDK's `UsersDetailsResult` (a list item).
const LIST_ITEM_FIELDS: [&str; 15] = [
    "created_at",
    "disabled",
    "email",
    "extension",
    "grade",
    "locked",
    "mobile",
    "name",
    "org_id",
    "pwd_change_at",
    "pwd_must_modify",
    "updated_at",
    "user_id",
    "user_name",
    "user_org_relation_list",
];

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn users_answer_field_for_field_as_the_sdk_models_type_them() {
    let app = TestApp::new();
    let list = app.get("/v1/csms/users?offset=0&limit=10").await;
    let item = &list.body["users"][0];
    assert_eq!(keys(item), LIST_ITEM_FIELDS.map(str::to_owned));
    assert_eq!(item["disabled"], "false");
    assert_eq!(item["grade"], "1");
    assert_eq!(item["extension"], "{}");
    assert_eq!(item["created_at"], "2024-01-01 00:00:00.000");
    assert_eq!(item["pwd_change_at"], "2024-01-01 00:00:00.000");

    let user_id = item["user_id"].as_str().unwrap();
    let detail = app.get(&format!("/v1/csms/users/{user_id}")).await;
    let mut detail_fields = LIST_ITEM_FIELDS.map(str::to_owned).to_vec();
    detail_fields.push("domain_id".to_owned());
    detail_fields.sort();
    assert_eq!(keys(&detail.body), detail_fields);
    assert_eq!(detail.body["disabled"], false);
    assert_eq!(detail.body["grade"], 1);
    assert_eq!(detail.body["extension"], json!({}));
    assert_eq!(
        detail.body["user_org_relation_list"][0]["org_id"],
        detail.body["org_id"]
    );

    let changed = app
        .post(
            "/v1/csms/users/change-password",
            json!({"password": "n3w", "old_password": "csms-emulator"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.raw);
    let after = app.get(&format!("/v1/csms/users/{user_id}")).await;
    // the test clock stands at 2023-11-14T22:13:20Z
    assert_eq!(after.body["pwd_change_at"], "2023-11-14 22:13:20.000");
    assert_eq!(after.body["created_at"], "2024-01-01 00:00:00.000");
}

#[tokio::test]
async fn a_body_is_validated_before_what_it_addresses_is_looked_up() {
    let app = TestApp::new();
    // update-grant: a bad `type` on a grant that does not exist is a 400, not a 404
    let mut bad = grant("res-9", "nobody");
    bad["type"] = json!("FOLDER");
    let answer = app
        .put(&format!("{}?resource_id=res-9", csms_path("grants")), bad)
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    // the same body, well formed, reaches the lookup
    let answer = app
        .put(
            &format!("{}?resource_id=res-9", csms_path("grants")),
            grant("res-9", "nobody"),
        )
        .await;
    assert_csms_error(&answer, 404, "CSMS.0005");
    // create-secret-version: a bad stage on a secret that does not exist is a 400
    let answer = app
        .post(
            &format!("{}/versions", secret_path("ghost")),
            json!({"secret_string": "v", "version_stages": ["bad stage"]}),
        )
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    // scheduled deletion: a recovery window out of 7–30 on a secret that does not exist
    let schedule = format!("{}/scheduled-deleted-tasks/create", secret_path("ghost"));
    let answer = app
        .post(&schedule, json!({"recovery_window_in_days": 3}))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let answer = app
        .post(&schedule, json!({"recovery_window_in_days": 7}))
        .await;
    assert_csms_error(&answer, 404, "CSMS.0005");
    // delete-tag: a key no tag could have, on a secret id that does not exist
    let ghost_id = "00000000-0000-4000-8000-000000000000";
    let answer = app
        .delete(&csms_path(&format!("{ghost_id}/tags/_sys_key")))
        .await;
    assert_csms_error(&answer, 400, "CSMS.0002");
    let answer = app
        .delete(&csms_path(&format!("{ghost_id}/tags/key")))
        .await;
    assert_csms_error(&answer, 404, "CSMS.0005");
}
