#![allow(clippy::unwrap_used)]
//! The real binary, killed with SIGKILL: nothing it accepted is lost.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use herald_testkit::{Reply, TestReceiver};
use serde_json::{json, Value};

const TOKEN: &str = "process-test-token";

struct Node {
    child: Child,
    base: String,
}

impl Node {
    /// Starts `herald serve` in `dir` and waits for its "listening" line.
    fn start(dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
        cmd.arg("serve")
            .current_dir(dir)
            .env("HERALD_SERVER_LISTEN", "127.0.0.1:0")
            .env("HERALD_AUTH_ADMIN_TOKEN", TOKEN)
            .env("HERALD_WORKER_POLL_INTERVAL_MS", "50")
            .env("HERALD_LOG_LEVEL", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("herald starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().expect("herald printed its address").unwrap();
            if let Some(url) = line.strip_prefix("herald listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, base }
    }

    fn kill9(mut self) {
        self.child.kill().unwrap(); // SIGKILL on Unix: no cleanup runs.
        self.child.wait().unwrap();
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = reqwest::Client::new().request(method, format!("{}{path}", self.base)).bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.call(reqwest::Method::POST, path, Some(body)).await;
        assert!((200..300).contains(&status), "{status}: {v}");
        v
    }
}

async fn app_with_endpoint(node: &Node, url: &str) -> String {
    let app = node.post("/api/v1/apps", json!({ "name": "kill test" })).await;
    let app_id = app["id"].as_str().unwrap().to_owned();
    node.post(&format!("/api/v1/apps/{app_id}/endpoints"), json!({ "url": url })).await;
    app_id
}

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
