#![allow(clippy::unwrap_used)]
//! A full disk: publishing answers 503 with the API's JSON error, nothing
//! accepted before is lost, and once space comes back Herald goes on without
//! a restart. Herald (the real binary) runs on SQLite on a small tmpfs.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{app_with_endpoint, assert_all_delivered, Node};
use herald_testkit::disk::or_skip;
use herald_testkit::{SmallDisk, TestReceiver};
use serde_json::json;

async fn publish(node: &Node, app: &str, id: &str) -> (u16, serde_json::Value) {
    let body = json!({ "event_type": "a.b", "event_id": id, "payload": { "event": id, "pad": "x".repeat(2000) } });
    node.call(reqwest::Method::POST, &format!("/api/v1/apps/{app}/messages"), Some(body)).await
}

async fn publish_at(base: &str, app: &str, id: &str) -> (u16, serde_json::Value) {
    let body = json!({ "event_type": "a.b", "event_id": id, "payload": { "event": id, "pad": "x".repeat(2000) } });
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/v1/apps/{app}/messages"))
        .bearer_auth(common::TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_loses_nothing_and_recovers_without_a_restart() {
    let Some(disk) = or_skip(SmallDisk::create(8 << 20)) else { return };
    let rx = TestReceiver::start().await;
    let node = Node::start(disk.path(), &[("HERALD_DATABASE_CHECKPOINT_INTERVAL_MS", "20")]);
    let app = app_with_endpoint(&node, &rx.url("/hook")).await;

    let mut accepted = BTreeSet::new();
    for n in 0..50 {
        let id = format!("before-{n}");
        assert_eq!(publish(&node, &app, &id).await.0, 202);
        accepted.insert(id);
    }
    disk.fill("filler");

    // Publish, 8 at a time, until the disk refuses; what is accepted
    // meanwhile counts. Never a 500 (a write connection reused inside a
    // transaction the full disk ended answered 500 before).
    let mut refused = None;
    'filling: for round in 0..2_500 {
        let mut sends = tokio::task::JoinSet::new();
        for n in 0..8 {
            let (base, app, id) = (node.base.clone(), app.clone(), format!("filling-{round}-{n}"));
            sends.spawn(async move { (publish_at(&base, &app, &id).await, id) });
        }
        while let Some(done) = sends.join_next().await {
            let ((status, body), id) = done.unwrap();
            match status {
                202 => {
                    accepted.insert(id);
                }
                503 => refused = Some(body),
                other => panic!("publishing on a full disk answered {other}: {body}"),
            }
        }
        if refused.is_some() {
            break 'filling;
        }
    }
    let refused = refused.expect("the disk never filled up");
    assert_eq!(refused["code"], "database_unavailable", "{refused}");
    assert!(refused["message"].as_str().is_some_and(|m| !m.is_empty()), "{refused}");
    // It keeps refusing while the disk is full, says so on the readiness
    // check (a load balancer sends traffic elsewhere), and stays alive.
    let (status, body) = publish(&node, &app, "while-full").await;
    assert_eq!(status, 503, "{body}");
    for path in ["/health/ready", "/health"] {
        let (status, body) = node.call(reqwest::Method::GET, path, None).await;
        assert_eq!((status, body["code"].as_str()), (503, Some("database_unavailable")), "{path}: {body}");
    }
    let (status, _) = node.call(reqwest::Method::GET, "/health/live", None).await;
    assert_eq!(status, 200);

    // Space comes back: publishing works again, same process.
    std::fs::remove_file(disk.path().join("filler")).unwrap();
    let mut recovered = false;
    for n in 0..100 {
        let id = format!("after-{n}");
        if publish(&node, &app, &id).await.0 == 202 {
            accepted.insert(id);
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "publishing did not recover once space came back");
    let (status, body) = node.call(reqwest::Method::GET, "/health/ready", None).await;
    assert_eq!(status, 200, "ready again: {body}");
    for n in 0..20 {
        let id = format!("later-{n}");
        assert_eq!(publish(&node, &app, &id).await.0, 202);
        accepted.insert(id);
    }

    // Every accepted event is stored and delivered.
    assert_all_delivered(&rx, &accepted, 30).await;
    node.kill9();
}
