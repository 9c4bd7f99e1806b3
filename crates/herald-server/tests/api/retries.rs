use std::time::Duration;

use herald_core::Timestamp;
use serde_json::{json, Value};

use crate::helpers::{status_is, TestApp};
use herald_testkit::{Reply, TestReceiver};

fn ms(v: &Value) -> i64 {
    Timestamp::parse_rfc3339(v.as_str().unwrap()).unwrap().as_millis()
}

/// The wait between the last attempt and the next one, in ms.
fn scheduled_wait(d: &Value) -> i64 {
    ms(&d["next_attempt_at"]) - ms(&d["last_attempt_at"])
}

async fn setup(app: &TestApp, rx: &TestReceiver) -> (String, String) {
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let msg = app.publish(&app_id, "job_finished", json!({ "job_id": 42 })).await;
    (app_id, msg)
}

async fn a_500_is_retried_on_the_schedule_then_delivered() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.script([Reply::Status(500)]);
    let (app_id, msg) = setup(&app, &rx).await;

    let d = app.wait_attempts(&app_id, &msg, 1).await;
    assert!(status_is(&d, "retrying"), "{d}");
    assert_eq!(d["last_status_code"], 500);
    let wait = scheduled_wait(&d);
    assert!((4_000..=6_000).contains(&wait), "first retry after 5 s ± 20%, got {wait} ms");

    app.advance(Duration::from_secs(3));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.received().len(), 1, "not retried before its time");

    app.advance(Duration::from_secs(4));
    let d = app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert_eq!(d["attempts"], 2);
    assert_eq!(d["next_attempt_at"], Value::Null);

    let attempts = app.attempts(&app_id, &msg).await;
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[1]["status_code"], 500);
    assert_eq!(attempts[1]["status"], "failed");
    assert_eq!(attempts[1]["response_body"], "ok");
    assert_eq!(attempts[1]["attempt_number"], 1);
    assert_eq!(attempts[0]["status_code"], 200);
    assert_eq!(attempts[0]["status"], "success");
    assert!(attempts[0]["latency_ms"].as_u64().is_some());
    // Both attempts carried the same bytes.
    let got = rx.received();
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
}

async fn a_timeout_is_retried() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.script([Reply::Hang(Duration::from_secs(3))]);
    let (app_id, msg) = setup(&app, &rx).await;
    let d = app.wait_attempts(&app_id, &msg, 1).await;
    assert!(status_is(&d, "retrying"));
    assert_eq!(d["last_status_code"], Value::Null);
    assert!(d["last_error"].as_str().unwrap().contains("timed out"), "{d}");
    app.advance(Duration::from_secs(7));
    app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
}

async fn a_refused_connection_is_retried() {
    let app = TestApp::spawn().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": format!("http://127.0.0.1:{closed}/hook") })).await;
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    let d = app.wait_attempts(&app_id, &msg, 1).await;
    assert!(status_is(&d, "retrying"));
    assert!(d["last_error"].as_str().unwrap().contains("connection"), "{d}");
    let attempts = app.attempts(&app_id, &msg).await;
    assert_eq!(attempts[0]["status_code"], Value::Null);
}

async fn a_redirect_is_a_failure_and_is_not_followed() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.script([Reply::RedirectTo("/elsewhere")]);
    let (app_id, msg) = setup(&app, &rx).await;
    let d = app.wait_attempts(&app_id, &msg, 1).await;
    assert!(status_is(&d, "retrying"), "{d}");
    assert_eq!(d["last_status_code"], 302);
    assert!(d["last_error"].as_str().unwrap().contains("redirect"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(rx.received_on("/elsewhere").is_empty());
    app.advance(Duration::from_secs(7));
    app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert!(rx.received_on("/elsewhere").is_empty());
}

async fn retry_after_is_honoured_up_to_its_cap() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.script([
        Reply::WithHeaders(429, vec![("retry-after", "120".into())]),
        Reply::WithHeaders(503, vec![("retry-after", "999999".into())]),
    ]);
    let (app_id, msg) = setup(&app, &rx).await;
    let d = app.wait_attempts(&app_id, &msg, 1).await;
    assert_eq!(scheduled_wait(&d), 120_000, "exactly what the receiver asked, no jitter");

    app.advance(Duration::from_secs(119));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.received().len(), 1);
    app.advance(Duration::from_secs(2));
    let d = app.wait_attempts(&app_id, &msg, 2).await;
    assert_eq!(d["last_status_code"], 503);
    assert_eq!(scheduled_wait(&d), 3_600_000, "cut to delivery.max_retry_after_secs");
}

async fn an_endpoint_is_disabled_after_410() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.script([Reply::Status(410)]);
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    let d = app.wait_delivery(&app_id, &msg, |d| status_is(d, "failed")).await;
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_status_code"], 410);

    let ep_id = ep["id"].as_str().unwrap();
    let (_, ep) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}")).await;
    assert_eq!(ep["disabled"], true);
    assert!(ep["disabled_reason"].as_str().unwrap().contains("410"));

    let next = app.publish(&app_id, "a.b", json!({})).await;
    assert!(app.message(&app_id, &next).await["deliveries"].as_array().unwrap().is_empty());

    // Enabling it again clears the reason and it receives new events.
    let (_, ep) = app.patch(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}"), json!({ "disabled": false })).await;
    assert_eq!(ep["disabled_reason"], Value::Null);
    let third = app.publish(&app_id, "a.b", json!({})).await;
    app.wait_delivery(&app_id, &third, |d| status_is(d, "delivered")).await;
}

async fn a_delivery_fails_after_its_last_attempt_and_is_kept() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let (app_id, msg) = setup(&app, &rx).await;
    let expected_secs = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
    for (i, secs) in expected_secs.iter().enumerate() {
        let d = app.wait_attempts(&app_id, &msg, i as u64 + 1).await;
        assert!(status_is(&d, "retrying"), "{d}");
        let wait = scheduled_wait(&d);
        let nominal = secs * 1000;
        assert!((nominal * 8 / 10..=nominal * 12 / 10).contains(&wait), "retry {}: {wait} ms", i + 1);
        app.advance(Duration::from_millis(wait as u64 + 1));
    }
    let d = app.wait_delivery(&app_id, &msg, |d| status_is(d, "failed")).await;
    assert_eq!(d["attempts"], 8);
    assert_eq!(d["next_attempt_at"], Value::Null);
    assert_eq!(app.attempts(&app_id, &msg).await.len(), 8);

    app.advance(Duration::from_secs(86_400));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.received().len(), 8, "no ninth attempt");
    let m = app.message(&app_id, &msg).await;
    assert_eq!(m["payload"]["job_id"], 42, "the failed message is kept");
}

crate::both_stores!(
    a_500_is_retried_on_the_schedule_then_delivered,
    a_timeout_is_retried,
    a_refused_connection_is_retried,
    a_redirect_is_a_failure_and_is_not_followed,
    retry_after_is_honoured_up_to_its_cap,
    an_endpoint_is_disabled_after_410,
    a_delivery_fails_after_its_last_attempt_and_is_kept,
);
