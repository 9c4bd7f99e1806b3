//! Dead letters: failed deliveries (retries exhausted), listed and filtered.

use serde_json::{json, Value};

use crate::helpers::{status_is, TestApp};

/// Waits until the message's delivery to `endpoint` has failed.
async fn failed_at(app: &TestApp, app_id: &str, msg: &str, endpoint: &str) {
    let mut last = Value::Null;
    for _ in 0..200 {
        let m = app.message(app_id, msg).await;
        if let Some(d) = m["deliveries"].as_array().and_then(|ds| ds.iter().find(|d| d["endpoint_id"] == endpoint)) {
            if status_is(d, "failed") {
                return;
            }
            last = d.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the delivery to {endpoint} never failed: {last}");
}
use herald_testkit::{Reply, TestReceiver};

async fn failed_deliveries_are_listed_as_dead_letters_and_filtered() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let app_id = app.create_app().await;
    let no_retry = json!({ "retry": "none" });
    let broken = app.create_endpoint(&app_id, json!({ "url": rx.url("/broken"), "profile": no_retry })).await;
    let broken = broken["id"].as_str().unwrap().to_owned();
    let (healthy_rx, healthy_url) = {
        let ok = TestReceiver::start().await;
        let url = ok.url("/ok");
        (ok, url)
    };
    let healthy = app.create_endpoint(&app_id, json!({ "url": healthy_url, "profile": no_retry })).await;
    let healthy = healthy["id"].as_str().unwrap().to_owned();

    let mut msgs = Vec::new();
    for (t, n) in [("a.b", 1), ("a.b", 2), ("c.d", 3)] {
        let msg = app.publish(&app_id, t, json!({ "n": n })).await;
        failed_at(&app, &app_id, &msg, &broken).await;
        msgs.push(msg);
        app.advance(std::time::Duration::from_secs(60));
    }
    healthy_rx.wait_for("/ok", 3).await;

    let list = |q: &str| format!("/api/v1/apps/{app_id}/dead-letters{q}");
    let (status, page) = app.get(&list("")).await;
    assert_eq!(status.as_u16(), 200, "{page}");
    let data = page["data"].as_array().unwrap();
    let ids: Vec<&str> = data.iter().map(|d| d["message"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![msgs[2].as_str(), msgs[1].as_str(), msgs[0].as_str()], "newest first, only the failed");
    for d in data {
        assert_eq!(d["endpoint_id"], broken.as_str());
        assert_eq!(d["status"], "failed");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["last_status_code"], 500);
        assert!(d["last_attempt_at"].is_string(), "{d}");
    }
    assert_eq!(data[2]["message"]["payload"], json!({ "n": 1 }));
    assert_eq!(page["done"], true);

    let count = |v: &Value| v["data"].as_array().unwrap().len();
    assert_eq!(count(&app.get(&list("?event_type=c.d")).await.1), 1);
    assert_eq!(count(&app.get(&list(&format!("?endpoint={broken}"))).await.1), 3);
    assert_eq!(count(&app.get(&list(&format!("?endpoint={healthy}"))).await.1), 0);
    let last = data[0]["last_attempt_at"].as_str().unwrap().to_owned();
    assert_eq!(count(&app.get(&list(&format!("?since={last}"))).await.1), 1);
    assert_eq!(count(&app.get(&list(&format!("?until={last}"))).await.1), 2);

    let (_, first) = app.get(&list("?limit=2")).await;
    assert_eq!(count(&first), 2);
    assert_eq!(first["done"], false);
    let cursor = first["iterator"].as_str().unwrap();
    let (_, second) = app.get(&list(&format!("?limit=2&iterator={cursor}"))).await;
    assert_eq!(second["data"][0]["message"]["id"], msgs[0].as_str());
    assert_eq!(second["done"], true);

    for bad in ["?iterator=abc", "?since=yesterday", "?endpoint=nope", "?limit=0"] {
        let (status, err) = app.get(&list(bad)).await;
        assert_eq!(status.as_u16(), 422, "{bad}: {err}");
        assert_eq!(err["code"], "validation_error");
    }
    let (status, _) = app.get("/api/v1/apps/no-such-app/dead-letters").await;
    assert_eq!(status.as_u16(), 404);
    app.stop().await;
}

/// The delivery of `msg` to `endpoint`, as the message shows it.
async fn delivery(app: &TestApp, app_id: &str, msg: &str, endpoint: &str) -> Value {
    let m = app.message(app_id, msg).await;
    m["deliveries"].as_array().unwrap().iter().find(|d| d["endpoint_id"] == endpoint).cloned().unwrap()
}

async fn a_dead_letter_is_replayed_by_hand_and_delivered() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": { "retry": "none" } })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();
    let msg = app.publish(&app_id, "a.b", json!({ "n": 1 })).await;
    failed_at(&app, &app_id, &msg, &ep).await;
    let replay = format!("/api/v1/apps/{app_id}/messages/{msg}/endpoints/{ep}/replay");

    // Still failing: the attempt is logged as manual, the delivery stays dead.
    let (status, attempt) = app.post(&replay, json!({})).await;
    assert_eq!(status.as_u16(), 200, "{attempt}");
    assert_eq!((attempt["status"].as_str(), attempt["manual"].as_bool()), (Some("failed"), Some(true)), "{attempt}");
    let d = delivery(&app, &app_id, &msg, &ep).await;
    assert_eq!((d["status"].as_str(), d["attempts"].as_u64()), (Some("failed"), Some(2)), "{d}");

    // The receiver is fixed: the replay delivers it and it leaves the dead letters.
    rx.set_default(Reply::Status(200));
    let (status, attempt) = app.post(&replay, json!({})).await;
    assert_eq!(status.as_u16(), 200, "{attempt}");
    assert_eq!(attempt["status"], "success");
    assert_eq!(attempt["status_code"], 200);
    assert_eq!(delivery(&app, &app_id, &msg, &ep).await["status"], "delivered");
    let (_, dead) = app.get(&format!("/api/v1/apps/{app_id}/dead-letters")).await;
    assert_eq!(dead["data"].as_array().unwrap().len(), 0, "{dead}");

    // A delivered message can be sent again too; a failure then leaves it delivered.
    rx.set_default(Reply::Status(503));
    let (status, attempt) = app.post(&replay, json!({})).await;
    assert_eq!((status.as_u16(), attempt["status"].as_str()), (200, Some("failed")), "{attempt}");
    assert_eq!(delivery(&app, &app_id, &msg, &ep).await["status"], "delivered");
    let (_, log) = app.get(&format!("/api/v1/apps/{app_id}/messages/{msg}/attempts")).await;
    let manual: Vec<bool> = log["data"].as_array().unwrap().iter().map(|a| a["manual"].as_bool().unwrap()).collect();
    assert_eq!(manual.len(), 4, "{log}");
    assert_eq!(manual.iter().filter(|m| **m).count(), 3, "three replays beside the scheduled attempt: {manual:?}");
    assert_eq!(rx.received_on("/hook").len(), 4);
    // The same webhook-id each time: a receiver that deduplicates sees one event.
    let ids: std::collections::BTreeSet<String> =
        rx.received_on("/hook").iter().map(|r| r.header("webhook-id").unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 1);

    // A delivery still on its retry schedule is not replayed; unknown ones are 404.
    let retrying = app.create_endpoint(&app_id, json!({ "url": rx.url("/retrying") })).await;
    let retrying = retrying["id"].as_str().unwrap().to_owned();
    let msg2 = app.publish(&app_id, "a.b", json!({ "n": 2 })).await;
    rx.wait_for("/retrying", 1).await;
    for _ in 0..100 {
        if delivery(&app, &app_id, &msg2, &retrying).await["status"] == "retrying" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (status, err) =
        app.post(&format!("/api/v1/apps/{app_id}/messages/{msg2}/endpoints/{retrying}/replay"), json!({})).await;
    assert_eq!((status.as_u16(), err["code"].as_str()), (409, Some("conflict")), "{err}");
    let (status, _) =
        app.post(&format!("/api/v1/apps/{app_id}/messages/{msg}/endpoints/{retrying}/replay"), json!({})).await;
    assert_eq!(status.as_u16(), 404, "never fanned out to that endpoint");
    let (status, _) =
        app.post(&format!("/api/v1/apps/{app_id}/messages/{msg}/endpoints/ep_nope/replay"), json!({})).await;
    assert_eq!(status.as_u16(), 404);
    app.stop().await;
}

crate::both_stores!(
    failed_deliveries_are_listed_as_dead_letters_and_filtered,
    a_dead_letter_is_replayed_by_hand_and_delivered
);
