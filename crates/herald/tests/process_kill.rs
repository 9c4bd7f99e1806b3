#![allow(clippy::unwrap_used)]
//! The real binary, killed with SIGKILL: nothing it accepted is lost.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{app_with_endpoint, Node};

use herald_testkit::{Reply, TestReceiver};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_in_flight_when_the_process_is_killed_is_delivered_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let rx = TestReceiver::start().await;
    rx.script([Reply::Hang(Duration::from_secs(60))]);
    let env = [("HERALD_WORKER_LEASE_MS", "3000"), ("HERALD_DELIVERY_TIMEOUT_MS", "2000")];

    let node = Node::start(dir.path(), &env);
    let app_id = app_with_endpoint(&node, &rx.url("/hook")).await;
    let msg = node
        .post(&format!("/api/v1/apps/{app_id}/messages"), json!({ "event_type": "a.b", "payload": { "n": 1 } }))
        .await;
    let msg_id = msg["id"].as_str().unwrap().to_owned();
    rx.wait_for("/hook", 1).await; // the request is in flight...
    node.kill9(); // ...and the process dies mid-request.

    let node = Node::start(dir.path(), &env);
    let got = rx.wait_for("/hook", 2).await;
    assert_eq!(got[1].header("webhook-id"), Some(msg_id.as_str()));
    assert_eq!(got[0].body, got[1].body);

    let mut status = Value::Null;
    for _ in 0..200 {
        let (_, m) = node.call(reqwest::Method::GET, &format!("/api/v1/apps/{app_id}/messages/{msg_id}"), None).await;
        status = m["deliveries"][0]["status"].clone();
        if status == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, "delivered");
    node.kill9();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_accepted_right_before_a_kill_are_all_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let rx = TestReceiver::start().await;

    // First life: API only, so every accepted event is still queued at the kill.
    let node = Node::start(dir.path(), &[("HERALD_WORKER_ENABLED", "false")]);
    let app_id = app_with_endpoint(&node, &rx.url("/hook")).await;
    let mut accepted = BTreeSet::new();
    for n in 0..100 {
        let msg = node
            .post(&format!("/api/v1/apps/{app_id}/messages"), json!({ "event_type": "a.b", "payload": { "n": n } }))
            .await;
        accepted.insert(msg["id"].as_str().unwrap().to_owned());
    }
    node.kill9();
    assert!(rx.received().is_empty());

    let node = Node::start(dir.path(), &[]);
    let got = rx.wait_for("/hook", 100).await;
    let delivered: BTreeSet<String> = got.iter().map(|r| r.header("webhook-id").unwrap().to_owned()).collect();
    assert_eq!(delivered, accepted);
    node.kill9();
}
