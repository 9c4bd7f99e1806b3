//! API tokens: shown once, stored hashed, listable and revocable; an
//! application-scoped token reaches its own application only (another's
//! resources are 404 on every route) and none of the admin's routes (403);
//! every token has a rate limit.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, BACKEND};
use crate::openapi::{document, operations};

async fn new_token(app: &TestApp, body: Value) -> (String, Value) {
    let (status, created) = app.post("/api/v1/tokens", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (created["token"].as_str().unwrap().to_owned(), created)
}

async fn tokens_are_shown_once_stored_hashed_listed_and_revocable() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    let (value, created) =
        new_token(&app, json!({ "name": "acme portal", "scope": "application", "app": app_id })).await;
    assert!(value.starts_with("hrld_") && value.len() == 53, "{value}");
    assert_eq!(created["prefix"], value[..13]);
    assert_eq!(created["scope"], "application");
    assert_eq!(created["app_id"], app_id.as_str());
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("tok_"));

    let (status, _, list) =
        app.request_as(&value, Method::GET, &format!("/api/v1/apps/{app_id}/endpoints"), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");

    // The record never shows the value again; last use is recorded.
    let mut record = Value::Null;
    for _ in 0..100 {
        record = app.get(&format!("/api/v1/tokens/{id}")).await.1;
        if !record["last_used_at"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(record.get("token").is_none() && !record["last_used_at"].is_null(), "{record}");
    let (_, listed) = app.get("/api/v1/tokens").await;
    assert_eq!(listed["data"][0]["id"], id.as_str());
    assert!(!listed.to_string().contains(&value), "the list shows no value");

    // Stored as a hash: the value is nowhere in the database.
    if BACKEND.try_with(|b| *b) == Ok(Backend::Sqlite) {
        let file = app.db.url.strip_prefix("sqlite://").unwrap().to_owned();
        let mut bytes = std::fs::read(&file).unwrap();
        bytes.extend(std::fs::read(format!("{file}-wal")).unwrap_or_default());
        assert!(!bytes.windows(value.len()).any(|w| w == value.as_bytes()), "token value found in the database file");
    }
    let stored = app.store.get_token(&herald_core::TokenId::parse(&id).unwrap()).await.unwrap();
    assert_ne!(stored.hash, value);
    assert_eq!(stored.hash.len(), 64);

    // Revoked: the value no longer works.
    assert_eq!(app.delete(&format!("/api/v1/tokens/{id}")).await.0, StatusCode::NO_CONTENT);
    let (status, _, body) = app.request_as(&value, Method::GET, &format!("/api/v1/apps/{app_id}"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(app.delete(&format!("/api/v1/tokens/{id}")).await.0, StatusCode::NOT_FOUND);

    // Expiry, on the server's clock.
    let at = herald_core::Timestamp::from_millis(app.now_ms() + 60_000).to_rfc3339();
    let (soon, _) = new_token(&app, json!({ "name": "short", "scope": "admin", "expires_at": at })).await;
    assert_eq!(app.request_as(&soon, Method::GET, "/api/v1/apps", None).await.0, StatusCode::OK);
    app.advance(Duration::from_secs(61));
    let (status, _, body) = app.request_as(&soon, Method::GET, "/api/v1/apps", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "this token has expired");

    // Bad requests.
    for (body, field) in [
        (json!({ "name": "x", "scope": "application" }), "app"),
        (json!({ "name": "x", "scope": "admin", "app": app_id }), "app"),
        (json!({ "name": "x", "scope": "root" }), "scope"),
        (json!({ "name": "x", "scope": "admin", "expires_at": "2001-01-01T00:00:00Z" }), "expires_at"),
        (json!({ "name": "x", "scope": "admin", "expires_at": "soon" }), "expires_at"),
    ] {
        let (status, err) = app.post("/api/v1/tokens", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert!(err["message"].as_str().unwrap().starts_with(field), "{body}: {err}");
    }
    // An application that does not exist is not found, as in a path.
    let (status, err) =
        app.post("/api/v1/tokens", json!({ "name": "x", "scope": "application", "app": "app_nope" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    // Deleting an application takes its tokens with it.
    let (scoped, _) = new_token(&app, json!({ "name": "gone", "scope": "application", "app": app_id })).await;
    assert_eq!(app.delete(&format!("/api/v1/apps/{app_id}")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.request_as(&scoped, Method::GET, "/api/v1/event-types", None).await.0, StatusCode::UNAUTHORIZED);
}

/// The resources of one application: an endpoint and a delivered message.
struct Tenant {
    app: String,
    uid: String,
    endpoint: String,
    message: String,
}

async fn tenant(app: &TestApp, rx: &herald_testkit::TestReceiver, uid: &str) -> Tenant {
    let (_, a) = app.post("/api/v1/apps", json!({ "name": uid, "uid": uid })).await;
    let id = a["id"].as_str().unwrap().to_owned();
    let ep = app.create_endpoint(&id, json!({ "url": rx.url(&format!("/{uid}")) })).await;
    let message = app.publish(&id, "user.created", json!({ "who": uid })).await;
    rx.wait_for(&format!("/{uid}"), 1).await;
    Tenant { app: id, uid: uid.to_owned(), endpoint: ep["id"].as_str().unwrap().to_owned(), message }
}

fn fill(path: &str, t: &Tenant, app_segment: &str) -> String {
    path.replace("{app}", app_segment)
        .replace("{endpoint}", &t.endpoint)
        .replace("{message}", &t.message)
        .replace("{name}", "user.created")
        .replace("{token}", "tok_01JAAAAAAAAAAAAAAAAAAAAAAA")
        .replace("{recovery}", "rcv_01JAAAAAAAAAAAAAAAAAAAAAAA")
        .replace("{attempt}", "att_01JAAAAAAAAAAAAAAAAAAAAAAA")
}

/// A body that would pass validation, so a 404 is not a 422 in disguise.
fn body_for(method: &str, path: &str) -> Option<Value> {
    match (method, path) {
        ("POST", "/apps/{app}/endpoints") => Some(json!({ "url": "https://93.184.215.14/x" })),
        ("PATCH", "/apps/{app}/endpoints/{endpoint}") => Some(json!({ "description": "taken over" })),
        ("POST", "/apps/{app}/messages") => Some(json!({ "event_type": "user.created", "payload": {} })),
        ("PATCH", "/apps/{app}") => Some(json!({ "name": "taken over" })),
        ("POST", "/apps") => Some(json!({ "name": "new" })),
        ("POST", "/event-types") => Some(json!({ "name": "evil.type" })),
        ("PATCH", "/event-types/{name}") => Some(json!({ "description": "x" })),
        ("POST", "/tokens") => Some(json!({ "name": "x", "scope": "admin" })),
        ("POST", _) | ("PATCH", _) => Some(json!({})),
        _ => None,
    }
}

/// Routes an application token may not use even in its own application.
fn admin_only(method: &str, path: &str) -> bool {
    matches!(
        (method, path),
        ("PATCH" | "DELETE", "/apps/{app}")
            | ("POST", "/apps/{app}/messages" | "/apps/{app}/portal-link")
            | ("PUT", "/apps/{app}/portal-theme")
    ) || !(path.starts_with("/apps/{app}") || method == "GET" && path.starts_with("/event-types"))
}

async fn a_scoped_token_sees_nothing_of_another_application_on_any_route() {
    // Every route twice and more: past the token's rate, which has a test of its own.
    let app = TestApp::spawn_with(|c| c.limits.app_token_requests_per_second = 0).await;
    let rx = herald_testkit::TestReceiver::start().await;
    app.post("/api/v1/event-types", json!({ "name": "user.created" })).await;
    let a = tenant(&app, &rx, "tenant-a").await;
    let b = tenant(&app, &rx, "tenant-b").await;
    let (token_a, _) = new_token(&app, json!({ "name": "a", "scope": "application", "app": a.app })).await;
    let doc = document(&app).await;
    let ops = operations(&doc);
    assert!(ops.len() >= 29, "{}", ops.len());

    let mut checked = 0;
    for (method, path) in &ops {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        if path.starts_with("/apps/{app}") {
            // B's resources, by id and by uid: 404, no data.
            for segment in [&b.app, &b.uid] {
                let url = format!("/api/v1{}", fill(path, &b, segment));
                let (status, _, body) = app.request_as(&token_a, m.clone(), &url, body_for(method, path)).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{method} {url}: {body}");
                assert_eq!(body, json!({ "code": "not_found", "message": "application not found" }), "{method} {url}");
                checked += 1;
            }
        }
        // A's own resources: allowed, or 403 where only an admin may act.
        let url = format!("/api/v1{}", fill(path, &a, &a.app));
        if method == "DELETE" && !admin_only(method, path) {
            continue; // deleting A's endpoint would spoil the later rows; covered below
        }
        let (status, _, body) = app.request_as(&token_a, m, &url, body_for(method, path)).await;
        if admin_only(method, path) {
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {url}: {body}");
            assert_eq!(body["code"], "forbidden");
        } else {
            assert!(
                status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                "{method} {url}: {status} {body}"
            );
        }
    }
    assert!(checked >= 2 * 18, "{checked}");

    // B is untouched: its endpoint, message and name are as they were.
    let (status, ep) = app.get(&format!("/api/v1/apps/{}/endpoints/{}", b.app, b.endpoint)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ep["description"] != "taken over");
    assert_eq!(app.get(&format!("/api/v1/apps/{}", b.app)).await.1["name"], "tenant-b");
    let (_, eps) = app.get(&format!("/api/v1/apps/{}/endpoints", b.app)).await;
    assert_eq!(eps["data"].as_array().unwrap().len(), 1, "no endpoint was added to B");
    assert_eq!(app.get("/api/v1/event-types/evil.type").await.0, StatusCode::NOT_FOUND);
    // And A's token can delete A's own endpoint.
    let url = format!("/api/v1/apps/{}/endpoints/{}", a.app, a.endpoint);
    assert_eq!(app.request_as(&token_a, Method::DELETE, &url, None).await.0, StatusCode::NO_CONTENT);
}

async fn every_token_has_a_rate_limit() {
    let app = TestApp::spawn_with(|c| c.limits.app_token_requests_per_second = 5).await;
    let app_id = app.create_app().await;
    let (token, _) = new_token(&app, json!({ "name": "a", "scope": "application", "app": app_id })).await;
    let (other, _) = new_token(&app, json!({ "name": "b", "scope": "application", "app": app_id })).await;
    let path = format!("/api/v1/apps/{app_id}/endpoints");
    // The server's clock stands still: a burst of twice the rate, then 429.
    for i in 0..10 {
        assert_eq!(app.request_as(&token, Method::GET, &path, None).await.0, StatusCode::OK, "request {i}");
    }
    let (status, headers, body) = app.request_as(&token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(headers["retry-after"], "1");
    // Another token has its own allowance; the admin token is unlimited by default.
    assert_eq!(app.request_as(&other, Method::GET, &path, None).await.0, StatusCode::OK);
    for _ in 0..30 {
        assert_eq!(app.get(&path).await.0, StatusCode::OK);
    }
    app.advance(Duration::from_millis(200));
    assert_eq!(app.request_as(&token, Method::GET, &path, None).await.0, StatusCode::OK, "refilled at 5/s");
    assert_eq!(app.request_as(&token, Method::GET, &path, None).await.0, StatusCode::TOO_MANY_REQUESTS);
}

crate::both_stores!(
    tokens_are_shown_once_stored_hashed_listed_and_revocable,
    a_scoped_token_sees_nothing_of_another_application_on_any_route,
    every_token_has_a_rate_limit,
);
