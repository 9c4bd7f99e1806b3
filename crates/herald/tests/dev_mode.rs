//! `herald serve --dev` opens loopback for deliveries and says so; without
//! it (and with nothing in security.allowed_cidrs) loopback is refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::Node;
use herald_testkit::TestReceiver;
use serde_json::json;

#[tokio::test]
async fn dev_mode_opens_loopback_and_says_so() {
    let rx = TestReceiver::start().await;
    let closed = [("HERALD_SECURITY_ALLOWED_CIDRS", "")];

    let dir = tempfile::tempdir().unwrap();
    let (node, line) = Node::start_with_args(dir.path(), &[], &closed);
    assert!(!line.contains("dev mode"), "{line}");
    let app = node.post("/api/v1/apps", json!({ "name": "dev" })).await;
    let path = format!("/api/v1/apps/{}/endpoints", app["id"].as_str().unwrap());
    let (status, body) = node.call(reqwest::Method::POST, &path, Some(json!({ "url": rx.url("/hook") }))).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("--dev"), "{body}");
    drop(node);

    let dir = tempfile::tempdir().unwrap();
    let (node, line) = Node::start_with_args(dir.path(), &["--dev"], &closed);
    assert!(line.contains("dev mode: deliveries may reach loopback"), "{line}");
    let app_id = common::app_with_endpoint(&node, &rx.url("/hook")).await;
    node.post(&format!("/api/v1/apps/{app_id}/messages"), json!({ "event_type": "user.created", "payload": {} })).await;
    rx.wait_for("/hook", 1).await;
}
