use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

async fn applications_are_created_listed_updated_and_deleted() {
    let app = TestApp::spawn().await;
    let (status, a) = app
        .post("/api/v1/apps", json!({ "name": "Acme", "uid": "acme", "live": false, "metadata": { "plan": "pro" } }))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(a["id"].as_str().unwrap().starts_with("app_"));
    assert_eq!(a["live"], false);

    let (status, by_uid) = app.get("/api/v1/apps/acme").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_uid["id"], a["id"]);

    let (status, _) = app.post("/api/v1/apps", json!({ "name": "Other", "uid": "acme" })).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, patched) = app.patch("/api/v1/apps/acme", json!({ "name": "Acme Inc", "uid": null })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(patched["name"], "Acme Inc");
    assert_eq!(patched["uid"], serde_json::Value::Null);
    assert_eq!(patched["metadata"]["plan"], "pro");

    let id = a["id"].as_str().unwrap();
    let (status, _) = app.delete(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn lists_are_newest_first_with_a_cursor() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(app.create_app().await);
        app.advance(std::time::Duration::from_millis(2));
    }
    let (_, first) = app.get("/api/v1/apps?limit=2").await;
    let got: Vec<_> = first["data"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(got, vec![ids[4].clone(), ids[3].clone()]);
    assert_eq!(first["done"], false);
    let cursor = first["iterator"].as_str().unwrap();
    let (_, second) = app.get(&format!("/api/v1/apps?limit=2&iterator={cursor}")).await;
    let got: Vec<_> = second["data"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(got, vec![ids[2].clone(), ids[1].clone()]);
    let cursor = second["iterator"].as_str().unwrap();
    let (_, third) = app.get(&format!("/api/v1/apps?limit=2&iterator={cursor}")).await;
    assert_eq!(third["data"].as_array().unwrap().len(), 1);
    assert_eq!(third["done"], true);
}

async fn event_types_keep_a_schema_and_an_example() {
    let app = TestApp::spawn().await;
    let schema = json!({ "type": "object", "required": ["code"], "properties": { "code": { "type": "string" } } });
    let (status, et) = app
        .post(
            "/api/v1/event-types",
            json!({ "name": "coupon.created", "description": "A code was made", "schema": schema, "example": { "code": "X" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{et}");
    assert_eq!(et["name"], "coupon.created");

    let (status, _) = app.post("/api/v1/event-types", json!({ "name": "coupon.created" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, err) = app
        .post("/api/v1/event-types", json!({ "name": "bad.example", "schema": schema, "example": { "code": 1 } }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap().starts_with("example"), "{err}");
    let (status, err) =
        app.post("/api/v1/event-types", json!({ "name": "bad.schema", "schema": { "type": 12 } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap().starts_with("schema"), "{err}");
    // `false` is a JSON Schema, but not one a catalog can publish as a contract.
    let (status, err) = app.post("/api/v1/event-types", json!({ "name": "bad.schema", "schema": false })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap().starts_with("schema"), "{err}");

    let (status, patched) =
        app.patch("/api/v1/event-types/coupon.created", json!({ "archived": true, "schema": null })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(patched["archived"], true);
    assert_eq!(patched["schema"], serde_json::Value::Null);
    assert_eq!(patched["example"]["code"], "X");

    let (status, list) = app.get("/api/v1/event-types").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let (status, _) = app.delete("/api/v1/event-types/coupon.created").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get("/api/v1/event-types/coupon.created").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn endpoints_hide_their_secret_except_on_its_own_route() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    let ep = app
        .create_endpoint(
            &app_id,
            json!({ "url": "https://example.com/hook", "event_types": ["referral.*"], "headers": { "X-Team": "growth" } }),
        )
        .await;
    assert!(ep.get("secret").is_none());
    assert_eq!(ep["headers"]["x-team"], "growth");
    assert_eq!(ep["event_types"], json!(["referral.*"]));
    let id = ep["id"].as_str().unwrap();
    let (status, secret) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{id}/secret")).await;
    assert_eq!(status, StatusCode::OK);
    let key = secret["key"].as_str().unwrap();
    assert!(key.starts_with("whsec_"));

    let given = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let ep2 = app.create_endpoint(&app_id, json!({ "url": "https://example.com/2", "secret": given })).await;
    let (_, secret2) =
        app.get(&format!("/api/v1/apps/{app_id}/endpoints/{}/secret", ep2["id"].as_str().unwrap())).await;
    assert_eq!(secret2["key"], given);

    let (status, patched) = app
        .patch(&format!("/api/v1/apps/{app_id}/endpoints/{id}"), json!({ "event_types": null, "disabled": true }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(patched["event_types"], serde_json::Value::Null);
    assert_eq!(patched["disabled"], true);

    let (_, list) = app.get(&format!("/api/v1/apps/{app_id}/endpoints")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let (status, _) = app.delete(&format!("/api/v1/apps/{app_id}/endpoints/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = app.get(&format!("/api/v1/apps/{app_id}/endpoints")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

crate::both_stores!(
    temporary_endpoints_expire,
    applications_are_created_listed_updated_and_deleted,
    lists_are_newest_first_with_a_cursor,
    event_types_keep_a_schema_and_an_example,
    endpoints_hide_their_secret_except_on_its_own_route,
);

/// An endpoint created with `expires_in_secs` deletes itself when that
/// time has passed (an update moves it, unannounced); one without stays.
async fn temporary_endpoints_expire() {
    let op = herald_testkit::TestReceiver::start().await;
    let app = crate::operations::operated(&op, None).await;
    let app_id = app.create_app().await;
    let rx = herald_testkit::TestReceiver::start().await;
    let temp = app.create_endpoint(&app_id, serde_json::json!({ "url": rx.url("/t"), "expires_in_secs": 30 })).await;
    assert!(temp["expires_at"].is_string(), "{temp}");
    app.create_endpoint(&app_id, serde_json::json!({ "url": rx.url("/kept") })).await;
    let path = format!("/api/v1/apps/{app_id}/endpoints/{}", temp["id"].as_str().unwrap());
    app.advance(std::time::Duration::from_secs(20));
    let (status, moved) = app.patch(&path, serde_json::json!({ "expires_in_secs": 30 })).await;
    assert_eq!(status.as_u16(), 200, "{moved}");
    app.advance(std::time::Duration::from_secs(20));
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(app.get(&path).await.0.as_u16(), 200, "extended, so still there");
    app.advance(std::time::Duration::from_secs(15));
    let mut gone = false;
    for _ in 0..50 {
        if app.get(&path).await.0.as_u16() == 404 {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(gone, "expired endpoints are deleted");
    let (_, list) = app.get(&format!("/api/v1/apps/{app_id}/endpoints")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "the other one stays");
    let told: Vec<String> =
        op.wait_for("/ops", 3).await.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        told,
        ["endpoint.created", "endpoint.created", "endpoint.deleted"],
        "no endpoint.updated for an extension"
    );
    let (status, err) = app
        .post(
            &format!("/api/v1/apps/{app_id}/endpoints"),
            serde_json::json!({ "url": rx.url("/x"), "expires_in_secs": 0 }),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "{err}");
}
