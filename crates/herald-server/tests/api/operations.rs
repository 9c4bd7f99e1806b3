//! Operating Herald: endpoint health and auto-disable, operational webhooks
//! to the operator URL, email to the application's contact address.

use std::time::Duration;

use herald_testkit::{Received, Reply, TestReceiver, TestSmtp};
use serde_json::{json, Value};

use crate::helpers::{status_is, TestApp};

pub const OPERATOR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A node sending operational webhooks to `op` (and email to `smtp`).
pub async fn operated(op: &TestReceiver, smtp: Option<&str>) -> TestApp {
    let url = op.url("/ops");
    let smtp = smtp.map(str::to_owned);
    TestApp::spawn_with(move |c| {
        c.notify.webhook_url = url;
        c.notify.webhook_secret = OPERATOR_SECRET.to_owned();
        c.notify.poll_interval_ms = 20;
        c.notify.retry_schedule_secs = vec![1; 5];
        if let Some(s) = smtp {
            c.notify.smtp_url = s;
        }
    })
    .await
}

/// The operational events received, checked for a valid signature.
fn events(received: &[Received]) -> Vec<Value> {
    let secret = herald_core::endpoint::EndpointSecret::parse(OPERATOR_SECRET).unwrap();
    received
        .iter()
        .map(|r| {
            let id = r.header("webhook-id").unwrap();
            let ts: i64 = r.header("webhook-timestamp").unwrap().parse().unwrap();
            let expected = herald_core::signing::sign(secret.key(), id, ts, &r.body);
            assert_eq!(r.header("webhook-signature"), Some(expected.as_str()), "signed with the operator secret");
            r.json()
        })
        .collect()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

async fn failed(app: &TestApp, app_id: &str, msg: &str) {
    app.wait_delivery(app_id, msg, |d| status_is(d, "failed")).await;
}

async fn endpoint(app: &TestApp, app_id: &str, ep: &str) -> Value {
    let (status, v) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{ep}")).await;
    assert_eq!(status.as_u16(), 200, "{v}");
    v
}

async fn failing_exhausted_and_recovered_arrive_in_order() {
    let op = TestReceiver::start().await;
    let app = operated(&op, None).await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": { "retry": "none" } })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();

    for n in 0..5 {
        let msg = app.publish(&app_id, "a.b", json!({ "n": n })).await;
        failed(&app, &app_id, &msg).await;
    }
    let view = endpoint(&app, &app_id, &ep).await;
    let h = &view["health"];
    assert_eq!(h["consecutive_failures"], 5, "{view}");
    assert_eq!(h["exhausted_deliveries"], 5, "{view}");
    assert!(h["failing_since"].is_string() && h["last_success_at"].is_null(), "{view}");
    assert_eq!(h["last_error"], "HTTP 500");
    assert_eq!(view["disabled"], false, "5 days have not passed");

    rx.set_default(Reply::Status(200));
    let healed = app.publish(&app_id, "a.b", json!({ "n": 5 })).await;
    app.wait_delivery(&app_id, &healed, |d| status_is(d, "delivered")).await;

    let got = events(&op.wait_for("/ops", 8).await);
    assert_eq!(
        types(&got),
        vec![
            "endpoint.created",
            "message.attempt.exhausted",
            "message.attempt.exhausted",
            "message.attempt.exhausted",
            "message.attempt.failing",
            "message.attempt.exhausted",
            "message.attempt.exhausted",
            "message.attempt.recovered",
        ],
        "{got:#?}"
    );
    let failing = &got[4]["data"];
    assert_eq!(failing["endpoint_id"], ep.as_str());
    assert_eq!(failing["consecutive_failures"], 4);
    assert_eq!(failing["last_attempt"]["status_code"], 500);
    let recovered = &got[7]["data"];
    assert_eq!(recovered["msg_id"], healed.as_str());
    assert_eq!(recovered["after_failures"], 5);
    assert!(got[0]["timestamp"].is_string());

    let view = endpoint(&app, &app_id, &ep).await;
    assert_eq!(view["health"]["consecutive_failures"], 0, "a success resets the streak: {view}");
    assert!(view["health"]["failing_since"].is_null() && view["health"]["last_success_at"].is_string());
}

async fn the_rule_disables_an_endpoint_with_a_webhook_and_two_emails_then_enable_recovers() {
    let op = TestReceiver::start().await;
    let smtp = TestSmtp::start().await;
    let app = operated(&op, Some(&smtp.url())).await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let (status, created) =
        app.post("/api/v1/apps", json!({ "name": "Shop", "contact_email": "owner@shop.example" })).await;
    assert_eq!(status.as_u16(), 201, "{created}");
    assert_eq!(created["contact_email"], "owner@shop.example");
    let app_id = created["id"].as_str().unwrap().to_owned();
    let profile = json!({ "retry": "none", "auto_disable": { "after_secs": 60, "min_failures": 4 } });
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": profile })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();

    let mut msgs = Vec::new();
    for (n, wait) in [(0, 31), (1, 30), (2, 0), (3, 0)] {
        let msg = app.publish(&app_id, "order.paid", json!({ "n": n })).await;
        failed(&app, &app_id, &msg).await;
        msgs.push(msg);
        if n == 1 {
            // Half the time and half the deliveries: the owner is warned.
            let warned = smtp.wait_for(1).await;
            assert!(warned[0].header("Subject").unwrap().contains("is failing"), "{warned:?}");
            assert_eq!(endpoint(&app, &app_id, &ep).await["disabled"], false);
        }
        app.advance(Duration::from_secs(wait));
    }
    let view = endpoint(&app, &app_id, &ep).await;
    assert_eq!(view["disabled"], true, "{view}");
    let reason = view["disabled_reason"].as_str().unwrap();
    assert!(reason.starts_with("every delivery failed for 1 min 1 s (4 deliveries out of retries)"), "{reason}");
    assert!(reason.contains("the rule disables an endpoint after 1 min of failures"), "{reason}");
    assert!(view["disabled_at"].is_string(), "{view}");

    let mails = smtp.wait_for(2).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    for m in &mails {
        assert_eq!(m.to, vec!["owner@shop.example".to_owned()]);
    }
    assert!(mails[1].header("Subject").unwrap().contains("has been disabled"), "{:?}", mails[1]);
    let body = mails[1].text();
    assert!(body.contains(&ep) && body.contains("HTTP 500") && body.contains("/enable"), "{body}");
    assert!(body.contains(&rx.url("/hook")), "{body}");

    let got = events(&op.wait_for("/ops", 7).await);
    let disabled: Vec<&Value> = got.iter().filter(|e| e["type"] == "endpoint.disabled").collect();
    assert_eq!(disabled.len(), 1, "{got:#?}");
    assert_eq!(disabled[0]["data"]["endpoint_id"], ep.as_str());
    assert_eq!(disabled[0]["data"]["reason"], reason);

    // Disabled: new events are not queued for it.
    let (_, published) = app
        .post(&format!("/api/v1/apps/{app_id}/messages"), json!({ "event_type": "order.paid", "payload": {} }))
        .await;
    assert!(app.message(&app_id, published["id"].as_str().unwrap()).await["deliveries"].as_array().unwrap().is_empty());

    // Fixed and enabled again, with what failed re-sent.
    rx.set_default(Reply::Status(200));
    let (status, enabled) =
        app.post(&format!("/api/v1/apps/{app_id}/endpoints/{ep}/enable"), json!({ "recover": true })).await;
    assert_eq!(status.as_u16(), 200, "{enabled}");
    assert_eq!(enabled["endpoint"]["disabled"], false);
    assert!(enabled["endpoint"]["disabled_reason"].is_null() && enabled["endpoint"]["health"].is_null());
    assert!(enabled["recovery"]["id"].is_string(), "{enabled}");
    rx.wait_for("/hook", 8).await;
    for msg in &msgs {
        app.wait_delivery(&app_id, msg, |d| status_is(d, "delivered")).await;
    }
}

async fn emails_wait_for_a_down_smtp_server_and_go_out_once_across_nodes() {
    let op = TestReceiver::start().await;
    let port = TestSmtp::free_port().await;
    let url = format!("smtp://127.0.0.1:{port}");
    let app = operated(&op, Some(&url)).await;
    let sibling = app
        .spawn_sibling(|c| {
            c.notify.smtp_url = url.clone();
            c.notify.poll_interval_ms = 20;
            c.notify.retry_schedule_secs = vec![1; 5];
        })
        .await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let (_, created) = app.post("/api/v1/apps", json!({ "name": "Shop", "contact_email": "ops@shop.example" })).await;
    let app_id = created["id"].as_str().unwrap().to_owned();
    let profile = json!({ "retry": "none", "auto_disable": { "after_secs": 0, "min_failures": 1 } });
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": profile })).await;
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    failed(&app, &app_id, &msg).await;
    assert_eq!(endpoint(&app, &app_id, ep["id"].as_str().unwrap()).await["disabled"], true);

    // The SMTP server is down: the first try fails; it comes up, and the
    // retry (1 s later on the clock) delivers both, in order, once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let smtp = TestSmtp::start_on(port).await;
    app.advance(Duration::from_secs(2));
    let mails = smtp.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.advance(Duration::from_secs(2));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails_later = smtp.mails();
    assert_eq!(mails_later.len(), 2, "each email once, with two nodes: {mails_later:?}");
    assert!(mails[0].header("Subject").unwrap().contains("is failing"));
    assert!(mails[1].header("Subject").unwrap().contains("has been disabled"));
    sibling.stop().await;
}

async fn a_bad_contact_email_or_rule_is_refused() {
    let app = TestApp::spawn().await;
    let (status, body) = app.post("/api/v1/apps", json!({ "name": "x", "contact_email": "not an address" })).await;
    assert_eq!(status.as_u16(), 422, "{body}");
    assert_eq!(body["code"], "validation_error", "{body}");
    let app_id = app.create_app().await;
    let (status, body) = app
        .post(
            &format!("/api/v1/apps/{app_id}/endpoints"),
            json!({ "url": "https://example.com/h", "profile": { "auto_disable": { "after_secs": 1, "min_failures": 0 } } }),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    let (status, body) = app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "contact_email": "a@b.example" })).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(body["contact_email"], "a@b.example");
    let (_, body) = app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "contact_email": null })).await;
    assert!(body["contact_email"].is_null(), "{body}");
}

/// Every change an endpoint goes through reaches the operator once, in
/// order, queued by the change's own transaction; a refused change
/// announces nothing.
async fn endpoint_changes_are_announced_once_in_order() {
    let op = TestReceiver::start().await;
    let app = operated(&op, None).await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": "https://example.com/h" })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/apps/{app_id}/endpoints/{ep}");
    let (status, body) = app.patch(&path, json!({ "description": "billing" })).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let (status, body) = app.patch(&path, json!({ "disabled": true })).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let (status, body) = app.post(&format!("{path}/enable"), json!({})).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let (status, body) = app.post(&format!("{path}/secret/rotate"), json!({})).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let (status, body) = app.patch(&path, json!({ "url": "ftp://example.com/h" })).await;
    assert_eq!(status.as_u16(), 422, "refused, so not announced: {body}");
    let (status, body) = app.delete(&path).await;
    assert_eq!(status.as_u16(), 204, "{body}");
    let (status, body) = app.delete(&path).await;
    assert_eq!(status.as_u16(), 404, "{body}");

    let got = events(&op.wait_for("/ops", 7).await);
    assert_eq!(
        types(&got),
        vec![
            "endpoint.created",
            "endpoint.updated",
            "endpoint.updated",
            "endpoint.disabled",
            "endpoint.enabled",
            "endpoint.secret.rotated",
            "endpoint.deleted",
        ],
        "{got:#?}"
    );
    assert!(got.iter().all(|e| e["data"]["endpoint_id"] == ep.as_str() && e["data"]["app_id"] == app_id.as_str()));
    assert_eq!(got[3]["data"]["disabled"], true);
    assert_eq!(got[4]["data"]["disabled"], false);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        op.received_on("/ops").len(),
        7,
        "nothing more: the refused change and the second delete announce nothing"
    );
}

/// Sidecar CX's promise: the owner is emailed first, and the endpoint is
/// disabled only after the rule's notice, even where retries outlast the
/// rule so that the rule is met the moment the warning is due.
async fn the_owner_is_warned_then_given_the_whole_notice_before_the_disable() {
    let op = TestReceiver::start().await;
    let smtp = TestSmtp::start().await;
    let app = operated(&op, Some(&smtp.url())).await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let (_, created) = app.post("/api/v1/apps", json!({ "name": "Shop", "contact_email": "owner@shop.example" })).await;
    let app_id = created["id"].as_str().unwrap().to_owned();
    let rule = json!({ "after_secs": 60, "min_failures": 2, "notice_secs": 300 });
    let ep = app
        .create_endpoint(
            &app_id,
            json!({ "url": rx.url("/hook"), "profile": { "retry": "none", "auto_disable": rule } }),
        )
        .await;
    let ep = ep["id"].as_str().unwrap().to_owned();
    let fail_one = |n: u32| {
        let app = &app;
        let app_id = app_id.clone();
        async move {
            let msg = app.publish(&app_id, "order.paid", json!({ "n": n })).await;
            failed(app, &app_id, &msg).await;
        }
    };

    fail_one(0).await;
    app.advance(Duration::from_secs(61));
    // The rule is met now (61 s, 2 out of retries): warned, not disabled.
    fail_one(1).await;
    let warning = smtp.wait_for(1).await;
    assert!(warning[0].header("Subject").unwrap().contains("is failing"), "{warning:?}");
    let text = warning[0].text();
    assert!(text.contains("no earlier than") && text.contains("5 min after a warning"), "{text}");
    assert_eq!(endpoint(&app, &app_id, &ep).await["disabled"], false, "a notice first");

    // Traffic during the notice does not cut it short.
    app.advance(Duration::from_secs(200));
    fail_one(2).await;
    assert_eq!(endpoint(&app, &app_id, &ep).await["disabled"], false, "200 s into a 300 s notice");
    assert_eq!(smtp.mails().len(), 1, "no second email yet");

    app.advance(Duration::from_secs(100));
    fail_one(3).await;
    let view = endpoint(&app, &app_id, &ep).await;
    assert_eq!(view["disabled"], true, "{view}");
    let reason = view["disabled_reason"].as_str().unwrap();
    assert!(reason.contains("warned 5 min before"), "{reason}");
    let mails = smtp.wait_for(2).await;
    assert!(mails[1].header("Subject").unwrap().contains("has been disabled"), "{mails:?}");
    assert!(mails[1].text().contains("warned 5 min before"), "{}", mails[1].text());
}

crate::both_stores!(
    the_owner_is_warned_then_given_the_whole_notice_before_the_disable,
    endpoint_changes_are_announced_once_in_order,
    failing_exhausted_and_recovered_arrive_in_order,
    the_rule_disables_an_endpoint_with_a_webhook_and_two_emails_then_enable_recovers,
    emails_wait_for_a_down_smtp_server_and_go_out_once_across_nodes,
    a_bad_contact_email_or_rule_is_refused,
);
