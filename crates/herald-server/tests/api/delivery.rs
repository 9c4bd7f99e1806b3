use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::helpers::{status_is, TestApp};
use herald_testkit::{Received, TestReceiver};

/// The receiver's side of Standard Webhooks, written from the spec: the key
/// is the base64 after `whsec_`; the signed content is `id.timestamp.body`.
fn verify(secret: &str, r: &Received) -> bool {
    let key = B64.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let id = r.header("webhook-id").unwrap();
    let ts = r.header("webhook-timestamp").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&r.body);
    let expected = B64.encode(mac.finalize().into_bytes());
    r.header("webhook-signature").unwrap().split(' ').any(|sig| sig.strip_prefix("v1,") == Some(expected.as_str()))
}

async fn events_fan_out_to_matching_endpoints_only() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let other_app = app.create_app().await;
    for (path, filter) in [
        ("/all", json!(null)),
        ("/exact", json!(["referral.converted"])),
        ("/wild", json!(["referral.*"])),
        ("/suffix", json!(["*.created"])),
        ("/other", json!(["coupon.created"])),
    ] {
        app.create_endpoint(&app_id, json!({ "url": rx.url(path), "event_types": filter })).await;
    }
    app.create_endpoint(&app_id, json!({ "url": rx.url("/disabled"), "disabled": true })).await;
    app.create_endpoint(&other_app, json!({ "url": rx.url("/other-app") })).await;

    let m1 = app.publish(&app_id, "referral.converted", json!({ "n": 1 })).await;
    let m2 = app.publish(&app_id, "user.created", json!({ "n": 2 })).await;
    let m3 = app.publish(&app_id, "referral.automoderation.complete", json!({ "n": 3 })).await;

    rx.wait_for("/all", 3).await;
    rx.wait_for("/wild", 2).await;
    rx.wait_for("/exact", 1).await;
    rx.wait_for("/suffix", 1).await;
    // Give stragglers a moment, then check nothing went where it should not.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let ids = |path: &str| -> Vec<String> {
        let mut v: Vec<_> = rx.received_on(path).iter().map(|r| r.header("webhook-id").unwrap().to_owned()).collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(ids("/all"), sorted(vec![m1.clone(), m2.clone(), m3.clone()]));
    assert_eq!(ids("/exact"), vec![m1.clone()]);
    assert_eq!(ids("/wild"), sorted(vec![m1.clone(), m3.clone()]));
    assert_eq!(ids("/suffix"), vec![m2.clone()]);
    assert!(ids("/other").is_empty());
    assert!(ids("/disabled").is_empty());
    assert!(ids("/other-app").is_empty());

    let msg = app.message(&app_id, &m1).await;
    let deliveries = msg["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|d| status_is(d, "delivered")), "{msg}");
}

async fn deliveries_are_signed_and_shaped_per_standard_webhooks() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    app.create_endpoint(
        &app_id,
        json!({ "url": rx.url("/hook"), "secret": secret, "headers": { "X-Team": "growth" } }),
    )
    .await;
    let (status, msg) = app
        .post(
            &format!("/api/v1/apps/{app_id}/messages"),
            json!({ "event_type": "creator.updated", "payload": { "creator_id": "123", "fields": ["a", "b"] },
                    "timestamp": "2024-01-15T10:30:00Z" }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::ACCEPTED);
    let msg_id = msg["id"].as_str().unwrap();
    let got = rx.wait_for("/hook", 1).await;
    let r = &got[0];

    assert!(verify(secret, r), "signature must verify: {:?}", r.headers);
    assert!(!verify("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", r), "and fail with another secret");
    assert_eq!(r.header("webhook-id"), Some(msg_id));
    let ts: i64 = r.header("webhook-timestamp").unwrap().parse().unwrap();
    assert!((ts - app.now_ms() / 1000).abs() <= 1, "timestamp is the send time in seconds");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("user-agent").unwrap().starts_with("Herald/"));
    assert_eq!(r.header("x-team"), Some("growth"));
    assert_eq!(
        r.body_text(),
        format!(
            r#"{{"id":"{msg_id}","type":"creator.updated","timestamp":"2024-01-15T10:30:00.000Z","data":{{"creator_id":"123","fields":["a","b"]}}}}"#
        )
    );
}

async fn an_endpoint_change_applies_to_pending_retries() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/old") })).await;
    rx.script([herald_testkit::Reply::Status(500)]);
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    app.wait_attempts(&app_id, &msg, 1).await;

    let ep_id = ep["id"].as_str().unwrap();
    let (status, _) =
        app.patch(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}"), json!({ "url": rx.url("/new") })).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    app.advance(std::time::Duration::from_secs(10));
    let d = app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert_eq!(d["attempts"], 2);
    assert_eq!(rx.received_on("/old").len(), 1);
    assert_eq!(rx.received_on("/new").len(), 1);
    let attempts = app.attempts(&app_id, &msg).await;
    assert_eq!(attempts[0]["url"], rx.url("/new"), "newest first");
    assert_eq!(attempts[1]["url"], rx.url("/old"));
}

async fn a_disabled_endpoint_fails_its_pending_deliveries_without_sending() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    rx.script([herald_testkit::Reply::Status(500)]);
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    app.wait_attempts(&app_id, &msg, 1).await;
    let ep_id = ep["id"].as_str().unwrap();
    app.patch(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}"), json!({ "disabled": true })).await;
    app.advance(std::time::Duration::from_secs(10));
    let d = app.wait_delivery(&app_id, &msg, |d| status_is(d, "failed")).await;
    assert_eq!(d["attempts"], 1);
    assert!(d["last_error"].as_str().unwrap().contains("disabled"));
    assert_eq!(rx.received().len(), 1);
}

crate::both_stores!(
    events_fan_out_to_matching_endpoints_only,
    deliveries_are_signed_and_shaped_per_standard_webhooks,
    an_endpoint_change_applies_to_pending_retries,
    a_disabled_endpoint_fails_its_pending_deliveries_without_sending,
    a_backlog_in_the_store_drains_without_waiting_for_the_poll,
);

/// A backlog of one endpoint in the store (published while no worker ran)
/// drains as fast as sends finish, not one share per poll interval: a freed
/// share of an endpoint the last claim filled calls for the next claim.
async fn a_backlog_in_the_store_drains_without_waiting_for_the_poll() {
    let api = TestApp::spawn_with(|c| c.worker.enabled = false).await;
    let rx = TestReceiver::start().await;
    let app_id = api.create_app().await;
    api.create_endpoint(&app_id, json!({ "url": rx.url("/backlog") })).await;
    for i in 0..300 {
        api.publish(&app_id, "user.created", json!({ "i": i })).await;
    }
    let started = std::time::Instant::now();
    let _worker = api
        .spawn_sibling(|c| {
            c.worker.poll_interval_ms = 60_000;
            c.worker.max_per_endpoint = 4;
        })
        .await;
    rx.wait_for_within("/backlog", 300, std::time::Duration::from_secs(20)).await;
    // 300 at 4 per claim would take 75 polls (75 minutes) without it.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
