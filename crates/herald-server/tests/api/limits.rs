//! Abuse limits: header rules, the endpoint cap, and receivers that answer
//! with an endless or dripping body.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{rss_kib, status_is, TestApp};
use herald_testkit::streaming::{Body, StreamingReceiver};
use herald_testkit::TestReceiver;

async fn custom_headers_follow_the_rules_and_endpoints_are_capped() {
    let app = TestApp::spawn_with(|c| c.limits.endpoints_per_app = 3).await;
    let app_id = app.create_app().await;
    let path = format!("/api/v1/apps/{app_id}/endpoints");
    let url = "https://93.184.215.14/hook";
    for name in [
        "webhook-signature",
        "Webhook-Id",
        "webhook-custom",
        "svix-signature",
        "Host",
        "Transfer-Encoding",
        "content-length",
        "connection",
        "te",
        "upgrade",
        "proxy-authorization",
        "x-forwarded-for",
    ] {
        let (status, body) = app.post(&path, json!({ "url": url, "headers": { name: "x" } })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        assert!(body["message"].as_str().unwrap().starts_with("headers: "), "{body}");
    }
    let long = "v".repeat(4097);
    let (status, _) = app.post(&path, json!({ "url": url, "headers": { "x-long": long } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let many: serde_json::Map<_, _> = (0..33).map(|i| (format!("x-h{i}"), json!("v"))).collect();
    let (status, _) = app.post(&path, json!({ "url": url, "headers": many })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = app.post(&path, json!({ "url": url, "headers": { "Authorization": "Bearer t" } })).await;
    assert_eq!(status, StatusCode::CREATED, "an ordinary header is fine: {body}");

    for _ in 0..2 {
        app.create_endpoint(&app_id, json!({ "url": url })).await;
    }
    let (status, body) = app.post(&path, json!({ "url": url })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("limits.endpoints_per_app"), "{body}");
    // Another application has its own allowance.
    let other = app.create_app().await;
    app.create_endpoint(&other, json!({ "url": url })).await;
}

/// A profile caps one application's endpoints below the server's cap
/// (SocialData: one URL per account); other applications keep theirs.
async fn an_applications_profile_caps_its_endpoints() {
    let app = TestApp::spawn().await;
    let (status, one) = app.post("/api/v1/apps", json!({ "name": "One URL", "profile": { "max_endpoints": 1 } })).await;
    assert_eq!(status, StatusCode::CREATED, "{one}");
    let one = one["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/apps/{one}/endpoints");
    app.create_endpoint(&one, json!({ "url": "https://93.184.215.14/a" })).await;
    let (status, body) = app.post(&path, json!({ "url": "https://93.184.215.14/b" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("already has 1 endpoint,"), "{body}");
    assert!(body["message"].as_str().unwrap().contains("max_endpoints"), "{body}");
    let other = app.create_app().await;
    for n in 0..2 {
        app.create_endpoint(&other, json!({ "url": format!("https://93.184.215.14/{n}") })).await;
    }
    let (status, body) = app.post("/api/v1/apps", json!({ "name": "x", "profile": { "max_endpoints": 0 } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

/// A receiver that streams an endless body: Herald keeps the first
/// `response_body_limit_bytes`, records the 200, and hangs up, so neither
/// memory nor the send slot grows with what the receiver sends.
async fn an_endless_response_body_is_cut_at_the_snippet_limit() {
    let app = TestApp::spawn().await;
    let rx = StreamingReceiver::start(Body::Endless).await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/endless") })).await;
    let before = rss_kib();
    let mut msgs = Vec::new();
    for i in 0..20 {
        msgs.push(app.publish(&app_id, "user.created", json!({ "i": i })).await);
    }
    for m in &msgs {
        app.wait_delivery(&app_id, m, |d| status_is(d, "delivered")).await;
    }
    let attempts = app.attempts(&app_id, &msgs[0]).await;
    assert_eq!(attempts[0]["status_code"], 200);
    let snippet = attempts[0]["response_body"].as_str().unwrap();
    assert!(!snippet.is_empty() && snippet.len() <= 4096, "{}", snippet.len());
    assert!(attempts[0]["latency_ms"].as_u64().unwrap() < 1_000, "did not wait for the end: {}", attempts[0]);
    let end = Instant::now() + Duration::from_secs(5);
    while rx.open_connections() > 0 {
        assert!(Instant::now() < end, "Herald still holds {} streaming connections", rx.open_connections());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let grown = rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "RSS grew by {grown} KiB for 20 endless bodies");
    assert_eq!(rx.requests(), 20);
    // What the receiver managed to push is what socket buffers hold, not 20 endless streams.
    assert!(rx.bytes_sent() < 20 * 16 * 1024 * 1024, "{} bytes", rx.bytes_sent());
}

/// A receiver that drips one byte every 100 ms holds its send slot only
/// until the delivery timeout; with a single slot, another endpoint's
/// delivery goes out right after.
async fn a_dripping_body_frees_its_send_slot_at_the_timeout() {
    let app = TestApp::spawn_with(|c| {
        c.worker.concurrency = 1;
        c.delivery.timeout_ms = 1_000;
    })
    .await;
    let drip = StreamingReceiver::start(Body::Drip(Duration::from_millis(100))).await;
    let healthy = TestReceiver::start().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": drip.url("/drip"), "event_types": ["slow.*"] })).await;
    app.create_endpoint(&app_id, json!({ "url": healthy.url("/ok"), "event_types": ["fast.*"] })).await;
    let slow = app.publish(&app_id, "slow.one", json!({})).await;
    let started = Instant::now();
    app.publish(&app_id, "fast.one", json!({})).await;
    healthy.wait_for_within("/ok", 1, Duration::from_secs(5)).await;
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    app.wait_delivery(&app_id, &slow, |d| status_is(d, "retrying")).await;
    let attempt = &app.attempts(&app_id, &slow).await[0];
    assert_eq!(attempt["error"], "timed out after 1000 ms", "{attempt}");
    let end = Instant::now() + Duration::from_secs(5);
    while drip.open_connections() > 0 {
        assert!(Instant::now() < end, "the dripping connection is still open");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

crate::both_stores!(
    an_applications_profile_caps_its_endpoints,
    custom_headers_follow_the_rules_and_endpoints_are_capped,
    an_endless_response_body_is_cut_at_the_snippet_limit,
    a_dripping_body_frees_its_send_slot_at_the_timeout,
);
