//! The five provider contracts in ../shared/providers, each run through Herald
//! with its example profile, to a receiver written the way that provider
//! tells its customers to write one.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use herald_core::Timestamp;
use herald_testkit::{Received, Reply, TestReceiver};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{status_is, TestApp};

fn profile(name: &str) -> Value {
    let path = format!("{}/../../examples/profiles/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    serde_json::to_value(herald_server::config::load_profile_file(std::path::Path::new(&path)).unwrap()).unwrap()
}

/// Creates an application using `profile`, returns its id.
async fn app_with(app: &TestApp, body: Value) -> String {
    let (status, a) = app.post("/api/v1/apps", body).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

async fn publish_at(app: &TestApp, app_id: &str, event_type: &str, payload: Value, ts: &str) -> String {
    let (status, m) = app
        .post(
            &format!("/api/v1/apps/{app_id}/messages"),
            json!({ "event_type": event_type, "payload": payload, "timestamp": ts }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{m}");
    m["id"].as_str().unwrap().to_owned()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// Walks a retry schedule: after each failed attempt, checks the wait and
/// moves the clock past it. Returns the last delivery state seen.
async fn walk(app: &TestApp, app_id: &str, msg: &str, waits_secs: &[u64]) -> Value {
    for (i, secs) in waits_secs.iter().enumerate() {
        let d = app.wait_attempts(app_id, msg, i as u64 + 1).await;
        assert!(status_is(&d, "retrying"), "after attempt {}: {d}", i + 1);
        let next = Timestamp::parse_rfc3339(d["next_attempt_at"].as_str().unwrap()).unwrap().as_millis();
        let last = Timestamp::parse_rfc3339(d["last_attempt_at"].as_str().unwrap()).unwrap().as_millis();
        assert_eq!(next - last, *secs as i64 * 1000, "wait after attempt {}", i + 1);
        app.advance(Duration::from_secs(*secs));
    }
    app.wait_attempts(app_id, msg, waits_secs.len() as u64 + 1).await
}

/// Sideqik: JSON.parse the body; any 2xx acknowledges; redirects are
/// failures; retried once an hour for up to 3 days.
async fn sideqik_contract() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app_with(&app, json!({ "name": "Brand", "profile": profile("sideqik") })).await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/sideqik/webhook/url"), "event_types": ["influencer.*"] }))
        .await;
    rx.script([Reply::RedirectTo("/elsewhere"), Reply::Status(500)]);
    let entity = json!({ "id": 981, "name": "Sarah", "status": "approved" });
    let msg = publish_at(&app, &app_id, "influencer.updated", entity.clone(), "2016-01-01T16:42:00Z").await;

    let d = walk(&app, &app_id, &msg, &[3_600, 3_600]).await;
    assert!(status_is(&d, "delivered"), "{d}");
    let got = rx.received_on("/sideqik/webhook/url");
    assert_eq!(got.len(), 3);
    assert!(rx.received_on("/elsewhere").is_empty(), "redirects are not followed");
    let event = got[2].json();
    assert_eq!(keys(&event), ["type", "timestamp", "data"]);
    assert_eq!(event["type"], "influencer.updated");
    assert_eq!(event["timestamp"], "2016-01-01T16:42:00Z");
    assert_eq!(event["data"], entity);
    let attempts = app.attempts(&app_id, &msg).await;
    let codes: Vec<_> = attempts.iter().rev().map(|a| a["status_code"].as_u64().unwrap()).collect();
    assert_eq!(codes, [302, 500, 200], "View Events shows every attempt and its status code");
}

/// Influship: check X-Influship-Event, recompute the hex HMAC-SHA256 over
/// JSON.stringify(JSON.parse(body)) with the webhook secret; retries after
/// 1 min, 5 min, 15 min, 1 h and 4 h.
fn influship_signature_ok(secret: &str, r: &Received) -> bool {
    // JSON.stringify(req.body) after express.json(): parse, then serialise compactly in key order.
    let restringified = serde_json::to_string(&r.json()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(restringified.as_bytes());
    r.header("x-influship-signature") == Some(hex::encode(mac.finalize().into_bytes()).as_str())
}

async fn influship_contract() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app_with(&app, json!({ "name": "Agency", "profile": profile("influship") })).await;
    // The receiver's verification branch: echo the challenge of `webhook.verify`.
    rx.script([Reply::EchoJsonField("challenge")]);
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/webhooks/influship") })).await;
    assert_eq!(ep["verification"]["status"], "verified", "{ep}");
    let (_, secret) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{}/secret", ep["id"].as_str().unwrap())).await;
    let secret = secret["key"].as_str().unwrap().to_owned();
    let verify = &rx.received_on("/webhooks/influship")[0];
    assert_eq!(verify.header("x-influship-event"), Some("webhook.verify"));
    assert!(verify.json()["challenge"].as_str().is_some_and(|c| c.len() >= 16));
    assert!(influship_signature_ok(&secret, verify));

    let data = json!({
        "creator_id": "123e4567-e89b-12d3-a456-426614174000",
        "updated_fields": ["follower_count", "engagement_rate"],
        "platform": "instagram",
        "username": "sarahfitness"
    });
    let ok = publish_at(&app, &app_id, "creator.updated", data.clone(), "2024-01-15T10:30:00Z").await;
    let got = rx.wait_for("/webhooks/influship", 2).await;
    let r = &got[1];
    assert!(influship_signature_ok(&secret, r), "signature must verify: {:?}", r.headers);
    assert!(!influship_signature_ok("whsec_wrong", r));
    assert_eq!(r.header("x-influship-event"), Some("creator.updated"));
    assert_eq!(
        r.body_text(),
        format!(r#"{{"event":"creator.updated","timestamp":"2024-01-15T10:30:00Z","data":{}}}"#, data)
    );
    app.wait_delivery(&app_id, &ok, |d| status_is(d, "delivered")).await;

    // Errors (4xx or 5xx) are retried after 1 min, 5 min, 15 min, 1 h, 4 h.
    rx.set_default(Reply::Status(503));
    let failing = publish_at(
        &app,
        &app_id,
        "analysis.complete",
        json!({ "analysis_id": "analysis_123", "type": "brand_safety", "status": "completed" }),
        "2024-01-15T10:30:00Z",
    )
    .await;
    let d = walk(&app, &app_id, &failing, &[60, 300, 900, 3_600, 14_400]).await;
    assert!(status_is(&d, "failed"), "{d}");
    assert_eq!(app.attempts(&app_id, &failing).await.len(), 6);
}

/// An endpoint that does not echo the challenge receives nothing, the API
/// says why, and re-running the handshake once it answers lets events in.
async fn verification_gates_delivery() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app_with(&app, json!({ "name": "Agency", "profile": profile("influship") })).await;
    rx.script([Reply::Status(200)]); // answers, but without the challenge
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    assert_eq!(ep["verification"]["status"], "failed", "{ep}");
    assert!(ep["verification"]["error"].as_str().unwrap().contains("challenge"));
    let ep_id = ep["id"].as_str().unwrap();

    let msg = publish_at(&app, &app_id, "creator.updated", json!({ "creator_id": "c1" }), "2024-01-15T10:30:00Z").await;
    assert!(
        app.message(&app_id, &msg).await["deliveries"].as_array().unwrap().is_empty(),
        "an unverified endpoint gets nothing"
    );
    let (status, err) = app.post(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/test"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");

    rx.script([Reply::EchoJsonField("challenge")]);
    let (status, ep) = app.post(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/verify"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ep["verification"]["status"], "verified", "{ep}");
    let next =
        publish_at(&app, &app_id, "creator.updated", json!({ "creator_id": "c2" }), "2024-01-15T10:30:00Z").await;
    app.wait_delivery(&app_id, &next, |d| status_is(d, "delivered")).await;

    let plain = app.create_app().await;
    let other = app.create_endpoint(&plain, json!({ "url": rx.url("/plain") })).await;
    assert_eq!(other["verification"], Value::Null, "no handshake without a profile asking for one");
    let (status, _) =
        app.post(&format!("/api/v1/apps/{plain}/endpoints/{}/verify", other["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// Test events go to one endpoint only, with the catalog's example payload or
/// the built-in `test` event, and show in the delivery log.
async fn test_events_reach_one_endpoint() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id =
        app_with(&app, json!({ "name": "Tenant", "uid": "t1", "profile": profile("saasquatch"), "credential": "k" }))
            .await;
    let ep = app
        .create_endpoint(
            &app_id,
            json!({ "url": rx.url("/a"), "description": "Main hook", "event_types": ["coupon.created"] }),
        )
        .await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/b") })).await;
    let ep_id = ep["id"].as_str().unwrap();

    let resp = app
        .client
        .post(format!("{}/api/v1/apps/{app_id}/endpoints/{ep_id}/test", app.base))
        .bearer_auth(crate::helpers::TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let got = rx.wait_for("/a", 1).await;
    let event = got[0].json();
    assert_eq!(event["type"], "test", "sent despite the endpoint's filter");
    assert_eq!(event["data"], json!({ "endpointUrl": rx.url("/a"), "name": "Main hook" }));

    let example = json!({ "code": "MIKE10", "userId": "u1" });
    app.post("/api/v1/event-types", json!({ "name": "coupon.created", "example": example })).await;
    let (status, sent) = app
        .post(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/test"), json!({ "event_type": "coupon.created" }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let got = rx.wait_for("/a", 2).await;
    assert_eq!(got[1].json()["data"], example);
    let (status, _) =
        app.post(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/test"), json!({ "event_type": "no.example" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an event type the catalog does not have");

    let msg = sent["id"].as_str().unwrap();
    app.wait_delivery(&app_id, msg, |d| status_is(d, "delivered")).await;
    assert_eq!(app.attempts(&app_id, msg).await.len(), 1, "in the delivery log like any other");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(rx.received_on("/b").is_empty(), "other endpoints get nothing");
}

/// A `test` event (the profile's rule for that type) is attempted once and
/// then failed, while other types to the same failing endpoint are retried
/// on the profile's schedule; a rule set through the API applies too.
async fn retries_follow_the_event_type() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let app_id = app_with(&app, json!({ "name": "Brand", "profile": profile("sideqik") })).await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let ep_id = ep["id"].as_str().unwrap();
    let (status, sent) = app.post(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/test"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let test_msg = sent["id"].as_str().unwrap();
    let d = app.wait_attempts(&app_id, test_msg, 1).await;
    assert!(status_is(&d, "failed"), "a test event gets one attempt: {d}");

    let msg = app.publish(&app_id, "influencer.updated", json!({ "id": 1 })).await;
    let d = walk(&app, &app_id, &msg, &[3_600]).await;
    assert!(status_is(&d, "retrying"), "other types keep the hourly schedule: {d}");

    let rule = json!({ "profile": { "retry_by_event_type": { "influencer.*": { "schedule_secs": [7] } } } });
    let (status, body) = app.patch(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}"), rule).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let other = app.publish(&app_id, "influencer.updated", json!({ "id": 2 })).await;
    let d = walk(&app, &app_id, &other, &[7]).await;
    assert!(status_is(&d, "failed"), "the endpoint's rule: one retry after 7 s: {d}");
    let bad = json!({ "profile": { "retry_by_event_type": { "test": "twice" } } });
    let (status, err) = app.patch(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}"), bad).await;
    assert_eq!(status.as_u16(), 422, "{err}");
    assert!(err["message"].as_str().unwrap().contains("retry_by_event_type `test`"), "{err}");
}

/// A retry limit by age: no attempt later than `max_age_secs` after the
/// event was published, however many the schedule still has.
async fn retries_stop_at_the_maximum_age() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let profile = json!({ "retry": { "schedule_secs": [60, 60, 60, 60, 60], "max_age_secs": 150 } });
    let app_id = app_with(&app, json!({ "name": "Aged", "profile": profile })).await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    // Attempts at 0 s and 60 s; the next (120 s) is within 150 s; the one after (180 s) is not.
    let d = walk(&app, &app_id, &msg, &[60, 60]).await;
    assert!(status_is(&d, "failed"), "{d}");
    assert_eq!(d["attempts"], 3);
}

/// SocialData: {event, data}; a 200 is success; no repeated attempts.
async fn socialdata_contract() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app_with(&app, json!({ "name": "Customer", "profile": profile("socialdata") })).await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let (status, body) = app.post(&format!("/api/v1/apps/{app_id}/endpoints"), json!({ "url": rx.url("/two") })).await;
    assert_eq!(status.as_u16(), 422, "one URL per account: {body}");
    let data = json!({ "job_id": 42, "status": "success", "result": { "datafile_url": "https://s3.amazonaws.com/x" } });
    let ok = publish_at(&app, &app_id, "job_finished", data.clone(), "2024-01-15T10:30:00Z").await;
    let got = rx.wait_for("/hook", 1).await;
    assert_eq!(got[0].json(), json!({ "event": "job_finished", "data": data }));
    assert_eq!(keys(&got[0].json()), ["event", "data"]);
    app.wait_delivery(&app_id, &ok, |d| status_is(d, "delivered")).await;

    rx.set_default(Reply::Status(500));
    let failed =
        publish_at(&app, &app_id, "job_finished", json!({ "job_id": 43, "status": "error" }), "2024-01-15T10:30:00Z")
            .await;
    let d = app.wait_delivery(&app_id, &failed, |d| status_is(d, "failed")).await;
    assert_eq!(d["attempts"], 1);
    app.advance(Duration::from_secs(86_400));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.received().len(), 2, "no repeated attempts");
}

/// Sidecar CX: check the Authorization header against the value chosen at
/// application creation; read applicationID and webhookType; non-2xx retried.
async fn sidecar_cx_contract() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let auth = "Bearer sk_live_4f9a2c";
    let app_id = app_with(
        &app,
        json!({ "name": "Shop", "uid": "shop-17", "profile": profile("sidecar-cx"), "credential": auth }),
    )
    .await;
    let (_, shown) = app.get(&format!("/api/v1/apps/{app_id}")).await;
    assert_eq!(shown["has_credential"], true);
    assert!(!shown.to_string().contains("sk_live"), "the credential is never shown back");
    app.create_endpoint(&app_id, json!({ "url": rx.url("/sidecar") })).await;
    rx.script([Reply::Status(500)]);
    let payload = json!({ "chatId": "c_1", "message": "Hi there", "from": "customer" });
    let msg = publish_at(&app, &app_id, "message.received", payload.clone(), "2024-01-15T10:30:00Z").await;
    let d = walk(&app, &app_id, &msg, &[30]).await;
    assert!(status_is(&d, "delivered"), "{d}");
    for r in rx.received_on("/sidecar") {
        assert_eq!(r.header("authorization"), Some(auth), "the receiver's check passes");
        let event = r.json();
        assert_eq!(event["applicationID"], "shop-17");
        assert_eq!(event["webhookType"], "message.received");
        assert_eq!(event["payload"], payload);
    }
}

/// SaaSquatch: verify X-Hook-Signature (base64 HMAC-SHA1 of the body with the
/// tenant's API key); exactly the documented fields; `created` in epoch ms;
/// a URL subscribed twice is one subscription; hourly retries, 72 attempts.
async fn saasquatch_contract() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let api_key = "TEST_aohgcctyskc0p_KEY";
    let app_id = app_with(
        &app,
        json!({ "name": "Tenant", "uid": "aohgcctyskc0p", "live": true, "profile": profile("saasquatch"), "credential": api_key }),
    )
    .await;
    let first = app.create_endpoint(&app_id, json!({ "url": rx.url("/squatch") })).await;
    let (status, again) =
        app.post(&format!("/api/v1/apps/{app_id}/endpoints"), json!({ "url": rx.url("/squatch") })).await;
    assert_eq!(status, StatusCode::OK, "duplicate URLs result in one subscription");
    assert_eq!(again["id"], first["id"]);

    let user =
        json!({ "id": "sat09jsaet09setset", "accountId": "90w4etjsa4et", "email": "mike.keenerson@example.com" });
    let msg = publish_at(&app, &app_id, "user.created", user.clone(), "2016-06-28T23:10:36.449Z").await;
    let got = rx.wait_for("/squatch", 1).await;
    let r = &got[0];
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(api_key.as_bytes()).unwrap();
    mac.update(&r.body);
    assert_eq!(r.header("x-hook-signature"), Some(B64.encode(mac.finalize().into_bytes()).as_str()));
    let event = r.json();
    assert_eq!(keys(&event), ["id", "type", "tenantAlias", "live", "created", "data"]);
    assert_eq!(event["id"], msg.as_str());
    assert_eq!(event["type"], "user.created");
    assert_eq!(event["tenantAlias"], "aohgcctyskc0p");
    assert_eq!(event["live"], true);
    assert_eq!(event["created"], 1_467_155_436_449_i64);
    assert_eq!(event["data"], user);
    app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;

    // Only 200 is success: a 201 is a failed attempt, to be tried again.
    rx.set_default(Reply::Status(201));
    let created = publish_at(&app, &app_id, "user.created", user.clone(), "2016-06-28T23:10:36.449Z").await;
    let d = app.wait_attempts(&app_id, &created, 1).await;
    assert!(status_is(&d, "retrying"), "a 201 is not SaaSquatch's 200: {d}");
    assert!(d["last_error"].as_str().is_some_and(|e| e.contains("success_status")), "{d}");
    let bad = json!({ "profile": { "success_status": [302] } });
    let (status, err) = app.patch(&format!("/api/v1/apps/{app_id}"), bad).await;
    assert_eq!(status.as_u16(), 422, "only 2xx codes can count as success: {err}");
    assert!(err["message"].as_str().unwrap().contains("success_status"), "{err}");

    rx.set_default(Reply::Status(500));
    let failing =
        publish_at(&app, &app_id, "referral.converted", json!({ "id": "r1" }), "2016-06-28T23:10:36.449Z").await;
    let d = walk(&app, &app_id, &failing, &[3_600; 71]).await;
    assert!(status_is(&d, "failed"), "{d}");
    assert_eq!(d["attempts"], 72);
}

/// An endpoint shows the policy in force and where each part comes from:
/// the application's profile, its own, the server's settings.
async fn an_endpoint_shows_its_effective_policy() {
    let app = TestApp::spawn().await;
    let app_id = app_with(&app, json!({ "name": "Shop", "profile": profile("sidecar-cx") })).await;
    let own = json!({ "timeout_ms": 2000, "success_status": [200] });
    let ep = app.create_endpoint(&app_id, json!({ "url": "https://93.184.215.14/in", "profile": own })).await;
    let fetched = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{}", ep["id"].as_str().unwrap())).await.1;
    for view in [&ep, &fetched] {
        let p = &view["effective"];
        assert_eq!(p["retry_schedule_secs"], json!([30, 60, 120, 300, 600]), "{view}");
        assert_eq!(p["max_attempts"], 6);
        assert_eq!((p["timeout_ms"].as_u64(), &p["success_status"]), (Some(2000), &json!([200])));
        assert_eq!(p["signature"]["scheme"], "static-header", "{p}");
        assert_eq!(
            p["auto_disable"],
            json!({ "after_secs": 900, "min_failures": 5, "notice_secs": 600,
            "in_words": "after 15 min of failures with 5 deliveries out of retries, 10 min after a warning" })
        );
        assert_eq!(
            p["set_by"],
            json!({ "retry": "application", "timeout_ms": "endpoint", "success_status": "endpoint",
            "signature": "application", "auto_disable": "application" })
        );
    }
    // Nothing set: the server's schedule and rule, Standard Webhooks.
    let plain = app.create_app().await;
    let ep = app.create_endpoint(&plain, json!({ "url": "https://93.184.215.14/in" })).await;
    let p = &ep["effective"];
    assert_eq!(p["max_attempts"], 8, "{p}");
    assert!(p["success_status"].is_null() && p["set_by"]["retry"] == "server", "{p}");
    assert_eq!(p["signature"]["scheme"], "standard-webhooks", "{p}");
}

crate::both_stores!(
    an_endpoint_shows_its_effective_policy,
    sideqik_contract,
    influship_contract,
    verification_gates_delivery,
    test_events_reach_one_endpoint,
    retries_stop_at_the_maximum_age,
    retries_follow_the_event_type,
    socialdata_contract,
    sidecar_cx_contract,
    saasquatch_contract
);
