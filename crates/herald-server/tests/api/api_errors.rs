use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

async fn wrong_or_missing_token_is_401_with_a_json_body() {
    let app = TestApp::spawn().await;
    let url = format!("{}/api/v1/apps", app.base);
    let resp = app.client.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
    assert!(body["message"].as_str().unwrap().len() > 3);

    let resp = app.client.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = app.client.get(&url).header("authorization", "Basic abc").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

async fn health_needs_no_token_and_checks_the_database() {
    let app = TestApp::spawn().await;
    let resp = app.client.get(format!("{}/health", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .post(format!("{}/api/v1/apps", app.base))
        .bearer_auth(crate::helpers::TOKEN)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "invalid_json");
}

async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .post(format!("{}/api/v1/apps", app.base))
        .bearer_auth(crate::helpers::TOKEN)
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn validation_errors_are_422_and_name_the_field() {
    let app = TestApp::spawn().await;
    let (status, body) = app.post("/api/v1/apps", json!({ "name": "" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "validation_error");
    assert!(body["message"].as_str().unwrap().starts_with("name"), "{body}");

    let (status, body) = app.post("/api/v1/apps", json!({ "nam": "x" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("nam"), "{body}");

    let app_id = app.create_app().await;
    let eps = format!("/api/v1/apps/{app_id}/endpoints");
    for (body, field) in [
        (json!({ "url": "ftp://x" }), "url"),
        (json!({ "url": "http://x", "event_types": [] }), "event_types"),
        (json!({ "url": "http://x", "event_types": ["bad name"] }), "event_types"),
        (json!({ "url": "http://x", "secret": "nope" }), "secret"),
        (json!({ "url": "http://x", "headers": { "webhook-id": "x" } }), "headers"),
        (json!({ "url": "http://x", "metadata": [1] }), "metadata"),
    ] {
        let (status, err) = app.post(&eps, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(err["message"].as_str().unwrap().starts_with(field), "{body} -> {err}");
    }

    let (status, err) = app.get("/api/v1/apps?limit=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, _) = app.get("/api/v1/apps?limit=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn unknown_things_are_404_and_wrong_methods_405() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/api/v1/apps/app_01ARZ3NDEKTSV4RRFFQ69G5FAV").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
    let app_id = app.create_app().await;
    let (status, _) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/not-an-id")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(&format!("/api/v1/apps/{app_id}/messages/msg_01ARZ3NDEKTSV4RRFFQ69G5FAV")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get("/api/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.request(reqwest::Method::PUT, "/api/v1/apps", Some(json!({}))).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["code"], "method_not_allowed");
}

async fn an_oversized_payload_is_413() {
    let app = TestApp::spawn_with(|c| c.server.max_body_bytes = 4096).await;
    let app_id = app.create_app().await;
    let big = "x".repeat(5000);
    let (status, body) = app
        .post(&format!("/api/v1/apps/{app_id}/messages"), json!({ "event_type": "a.b", "payload": { "big": big } }))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["code"], "payload_too_large");
    // Just under the limit is fine.
    let ok = "x".repeat(3000);
    let (status, _) = app
        .post(&format!("/api/v1/apps/{app_id}/messages"), json!({ "event_type": "a.b", "payload": { "ok": ok } }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

/// What the document calls valid is taken: an empty query value is an
/// absent one, an integer written `60.0` is an integer, an optional body may
/// be `null`; and what it calls invalid is refused: a body is an object.
async fn requests_the_document_calls_valid_are_accepted() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": "https://example.com/hook" })).await;
    let ep_id = ep["id"].as_str().unwrap();

    let (status, body) =
        app.get(&format!("/api/v1/apps/{app_id}/messages?limit=&iterator=&event_type=&status=&endpoint=")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.get(&format!("/api/v1/apps/{app_id}/dead-letters?endpoint=&iterator=")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let rotate = format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/secret/rotate");
    let (status, body) = app.post(&rotate, json!({ "grace_period_secs": 60.0 })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.post(&rotate, json!({ "grace_period_secs": 60.5 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a fraction is no integer: {body}");
    let (status, body) =
        app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "profile": { "timeout_ms": 5000.0 } })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["profile"]["timeout_ms"], 5000);
    // The caller's own JSON is stored as written.
    let (status, msg) = app
        .post(
            &format!("/api/v1/apps/{app_id}/messages"),
            json!({ "event_type": "a.b", "payload": { "x": 1.0 }, "ordering_key": "k", "event_id": "e" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{msg}");
    let stored = app.message(&app_id, msg["id"].as_str().unwrap()).await;
    assert_eq!(stored["payload"]["x"].as_f64(), Some(1.0));
    assert!(stored["payload"]["x"].is_f64(), "{stored}");

    for path in [format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/test"), format!("/api/v1/apps/{app_id}/portal-link")]
    {
        let resp = app
            .client
            .post(format!("{}{path}", app.base))
            .bearer_auth(crate::helpers::TOKEN)
            .header("content-type", "application/json")
            .body("null")
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
    }

    for (path, body) in [
        (format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/enable"), "[]"),
        (format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/enable"), "null"),
        ("/api/v1/apps".to_owned(), "[\"x\"]"),
    ] {
        let resp = app
            .client
            .post(format!("{}{path}", app.base))
            .bearer_auth(crate::helpers::TOKEN)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}");
        let err: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(err["message"], "the body must be a JSON object");
    }
    let (status, body) = app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "profile": [null, null] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "profile");
}

crate::both_stores!(
    requests_the_document_calls_valid_are_accepted,
    wrong_or_missing_token_is_401_with_a_json_body,
    health_needs_no_token_and_checks_the_database,
    malformed_json_is_400,
    a_body_that_is_not_json_is_415,
    validation_errors_are_422_and_name_the_field,
    unknown_things_are_404_and_wrong_methods_405,
    an_oversized_payload_is_413,
);
