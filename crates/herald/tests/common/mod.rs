//! Shared by the process tests: `herald serve` as a real child process.
#![allow(dead_code)]

pub mod cli;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

pub const TOKEN: &str = "process-test-token";

pub struct Node {
    pub child: Child,
    pub base: String,
}

impl Node {
    /// Starts `herald serve` in `dir` and waits for its "listening" line.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Self {
        Self::start_with_args(dir, &[], env).0
    }

    /// As [`Node::start`], with extra `serve` arguments; also returns the
    /// line that announced the address.
    pub fn start_with_args(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Self, String) {
        Self::start_logged(dir, args, env, None)
    }

    /// As [`Node::start_with_args`], writing the log (stderr) to `log`.
    pub fn start_logged(dir: &Path, args: &[&str], env: &[(&str, &str)], log: Option<std::fs::File>) -> (Self, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
        cmd.arg("serve")
            .args(args)
            .current_dir(dir)
            .env("HERALD_SERVER_LISTEN", "127.0.0.1:0")
            .env("HERALD_AUTH_ADMIN_TOKEN", TOKEN)
            // Receivers run on loopback, which deliveries may reach only
            // when it is opened.
            .env("HERALD_SECURITY_ALLOWED_CIDRS", "127.0.0.0/8,::1/128")
            .env("HERALD_METRICS_LISTEN", "127.0.0.1:0")
            // One main key for every node (PostgreSQL needs it set).
            .env("HERALD_SECURITY_MAIN_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
            .env("HERALD_WORKER_POLL_INTERVAL_MS", "50")
            .env("HERALD_LOG_LEVEL", "warn")
            .stdout(Stdio::piped())
            .stderr(log.map_or_else(Stdio::inherit, Stdio::from));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("herald starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let (base, announced) = loop {
            let line = lines.next().expect("herald printed its address").unwrap();
            if let Some(url) = line.strip_prefix("herald listening on ") {
                break (url.split_whitespace().next().unwrap_or_default().to_owned(), line.clone());
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        (Self { child, base }, announced)
    }

    /// SIGKILL: no cleanup runs (dropping a node does the same).
    pub fn kill9(self) {}

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = reqwest::Client::new().request(method, format!("{}{path}", self.base)).bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.call(reqwest::Method::POST, path, Some(body)).await;
        assert!((200..300).contains(&status), "{status}: {v}");
        v
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates an application with one endpoint at `url`; returns the app id.
pub async fn app_with_endpoint(node: &Node, url: &str) -> String {
    let app = node.post("/api/v1/apps", json!({ "name": "process test" })).await;
    let app_id = app["id"].as_str().unwrap().to_owned();
    node.post(&format!("/api/v1/apps/{app_id}/endpoints"), json!({ "url": url })).await;
    app_id
}

/// The PostgreSQL server for tests; `None` (test skipped) when it is down,
/// unless HERALD_TEST_REQUIRE_POSTGRES=1, where that is a failure.
pub fn postgres_server() -> Option<String> {
    let url = std::env::var("HERALD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let hostport = url.split('@').next_back().unwrap_or("").split('/').next().unwrap_or("").to_owned();
    let addr = if hostport.contains(':') { hostport } else { format!("{hostport}:5432") };
    if std::net::TcpStream::connect(addr).is_ok() {
        return Some(url);
    }
    if std::env::var("HERALD_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("PostgreSQL is required (HERALD_TEST_REQUIRE_POSTGRES=1) but unreachable at {url}");
    }
    eprintln!("SKIPPED: PostgreSQL unreachable at {url}");
    None
}

/// Waits (up to `secs`) until `rx` received every event id of `accepted`
/// (sent as the payload's `event` field on `/hook`); asserts it did.
pub async fn assert_all_delivered(
    rx: &herald_testkit::TestReceiver,
    accepted: &std::collections::BTreeSet<String>,
    secs: u64,
) {
    let mut delivered = std::collections::BTreeSet::new();
    for _ in 0..secs * 20 {
        delivered = rx
            .received_on("/hook")
            .iter()
            .filter_map(|r| r.json()["data"]["event"].as_str().map(str::to_owned))
            .collect();
        if accepted.is_subset(&delivered) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let missing: Vec<_> = accepted.difference(&delivered).take(5).collect();
    panic!(
        "{} of {} accepted events not delivered, e.g. {missing:?}",
        accepted.difference(&delivered).count(),
        accepted.len()
    );
}
