use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

async fn a_repeated_event_id_returns_the_original_message() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": "http://127.0.0.1:9/never" })).await;
    let path = format!("/api/v1/apps/{app_id}/messages");
    let body = json!({ "event_type": "job_finished", "event_id": "job-42", "payload": { "job_id": 42 } });
    let (status, first) = app.post(&path, body.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, again) =
        app.post(&path, json!({ "event_type": "job_finished", "event_id": "job-42", "payload": { "other": 1 } })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["payload"], json!({ "job_id": 42 }), "the original payload, not the repeat's");

    let (_, list) = app.get(&path).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let msg = app.message(&app_id, first["id"].as_str().unwrap()).await;
    assert_eq!(msg["deliveries"].as_array().unwrap().len(), 1, "fanned out once");

    // The same event id in another application is a different event.
    let other = app.create_app().await;
    let (status, _) = app.post(&format!("/api/v1/apps/{other}/messages"), body).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

async fn a_payload_that_breaks_the_event_types_schema_is_422() {
    let app = TestApp::spawn().await;
    let schema = json!({
        "type": "object",
        "required": ["creator_id"],
        "properties": { "creator_id": { "type": "string" }, "updated_fields": { "type": "array" } }
    });
    let (status, _) = app.post("/api/v1/event-types", json!({ "name": "creator.updated", "schema": schema })).await;
    assert_eq!(status, StatusCode::CREATED);
    let app_id = app.create_app().await;
    let path = format!("/api/v1/apps/{app_id}/messages");

    let (status, err) =
        app.post(&path, json!({ "event_type": "creator.updated", "payload": { "updated_fields": "nope" } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["code"], "validation_error");
    let message = err["message"].as_str().unwrap();
    assert!(message.starts_with("payload"), "{message}");
    assert!(message.contains("creator_id"), "{message}");

    let (status, _) = app
        .post(
            &path,
            json!({ "event_type": "creator.updated", "payload": { "creator_id": "c1", "updated_fields": [] } }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // Types without a catalog entry are accepted as they are.
    let (status, _) = app.post(&path, json!({ "event_type": "uncatalogued.event", "payload": [1, 2] })).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

async fn publishing_checks_its_fields() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    let path = format!("/api/v1/apps/{app_id}/messages");
    let (status, err) = app.post(&path, json!({ "event_type": "has space", "payload": {} })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap().starts_with("event_type"));
    let (status, err) = app.post(&path, json!({ "event_type": "a.b", "payload": {}, "timestamp": "yesterday" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, _) = app.post(&path, json!({ "event_type": "a.b", "payload": {}, "event_id": "" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.post("/api/v1/apps/nobody/messages", json!({ "event_type": "a.b", "payload": {} })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = app
        .post("/api/v1/apps/app_01ARZ3NDEKTSV4RRFFQ69G5FAV/messages", json!({ "event_type": "a.b", "payload": {} }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    assert_eq!(err["code"], "not_found");

    let (status, msg) = app
        .post(&path, json!({ "event_type": "a.b", "payload": { "z": 1, "a": 2 }, "timestamp": "2024-01-15T10:30:00Z" }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(msg["timestamp"], "2024-01-15T10:30:00.000Z");
    assert_eq!(serde_json::to_string(&msg["payload"]).unwrap(), r#"{"z":1,"a":2}"#, "key order is kept");
}

crate::both_stores!(
    a_repeated_event_id_returns_the_original_message,
    a_payload_that_breaks_the_event_types_schema_is_422,
    publishing_checks_its_fields,
);
