#![allow(clippy::unwrap_used)]
//! Operations that tell the truth, on the real binary: during a PostgreSQL
//! outage the readiness check says so at every poll and publishes are
//! answered 503 at once; two nodes start on one host with only
//! `server.listen` changed.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{postgres_server, TOKEN};
use herald_store_postgres::PgStore;
use herald_testkit::TcpProxy;
use serde_json::json;

async fn get(base: &str, path: &str) -> (u16, serde_json::Value, Duration) {
    let started = Instant::now();
    let resp = reqwest::Client::new().get(format!("{base}{path}")).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or_default(), started.elapsed())
}

async fn publish(base: &str, app: &str) -> (u16, Option<String>, Duration) {
    let started = Instant::now();
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/v1/apps/{app}/messages"))
        .bearer_auth(TOKEN)
        .json(&json!({ "event_type": "a.b", "payload": {} }))
        .send()
        .await
        .unwrap();
    let retry_after = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (resp.status().as_u16(), retry_after, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_and_publishes_tell_the_truth_during_a_postgres_outage() {
    let Some(server) = postgres_server() else { return };
    let name = format!("herald_out_{}", ulid::Ulid::new().to_string().to_lowercase());
    let url = PgStore::create_database(&server, &name).await.unwrap();
    let proxy = TcpProxy::start("127.0.0.1:5432").await;
    let through = url.replace("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port));
    let dir = tempfile::tempdir().unwrap();
    // database.unavailable_after_ms stays at its default (3 s).
    let node = common::Node::start(dir.path(), &[("HERALD_DATABASE_URL", &through)]);
    let app = node.post("/api/v1/apps", json!({ "name": "outage" })).await;
    let app = app["id"].as_str().unwrap().to_owned();
    assert_eq!(publish(&node.base, &app).await.0, 202);
    assert_eq!(get(&node.base, "/health/ready").await.0, 200);

    proxy.cut();
    // Polled as a load balancer would: once it says 503, it says so at
    // every poll until the database is back, and never takes long to say it.
    let cut = Instant::now();
    let mut polls = Vec::new();
    while cut.elapsed() < Duration::from_secs(6) {
        let (status, body, took) = get(&node.base, "/health/ready").await;
        polls.push((status, took));
        if status == 503 {
            assert_eq!(body["code"], "database_unavailable", "{body}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = polls.iter().position(|(s, _)| *s == 503).expect("readiness never reported the outage");
    assert!(first <= 2, "the first polls after the cut should report it: {polls:?}");
    assert!(polls[first..].iter().all(|(s, _)| *s == 503), "every later poll reports it: {polls:?}");
    assert!(polls.iter().all(|(_, took)| *took < Duration::from_millis(1500)), "answered within ~1 s: {polls:?}");
    let (status, _, took) = get(&node.base, "/health/live").await;
    assert_eq!(status, 200, "alive throughout ({took:?})");

    // Known down: a publish is answered 503 with Retry-After at once.
    let (status, retry_after, took) = publish(&node.base, &app).await;
    assert_eq!(status, 503);
    assert!(retry_after.is_some(), "Retry-After is set");
    assert!(took < Duration::from_millis(1000), "answered at once, not after the pool's wait: {took:?}");

    proxy.restore();
    let back = Instant::now();
    let mut ready_after = None;
    while back.elapsed() < Duration::from_secs(10) {
        if get(&node.base, "/health/ready").await.0 == 200 {
            ready_after = Some(back.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ready_after = ready_after.expect("readiness did not recover once the database was back");
    eprintln!("ready again {} ms after the database came back", ready_after.as_millis());
    assert_eq!(publish(&node.base, &app).await.0, 202, "publishing works again");
    node.kill9();
    PgStore::drop_database(&server, &name).await.unwrap();
}

/// A child process killed when dropped, so a failing test leaves none behind.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `herald serve` with the default metrics address; the lines it printed
/// up to "herald listening on".
fn serve_on_default_metrics(dir: &std::path::Path) -> (Killed, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("serve")
        .current_dir(dir)
        .env("HERALD_SERVER_LISTEN", "127.0.0.1:0")
        .env("HERALD_AUTH_ADMIN_TOKEN", TOKEN)
        .env("HERALD_LOG_LEVEL", "warn")
        .env_remove("HERALD_METRICS_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.starts_with("herald listening on");
        printed.push(line);
        if done {
            return (Killed(child), printed);
        }
    }
    let _ = child.wait();
    panic!("herald exited before listening: {printed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_start_on_one_host_with_only_the_listen_address_changed() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_a, printed_a) = serve_on_default_metrics(one.path());
    let (_b, printed_b) = serve_on_default_metrics(two.path());
    let metrics_of = |printed: &[String]| {
        printed.iter().find_map(|l| l.strip_prefix("metrics at ").map(str::to_owned)).expect("the metrics address")
    };
    let (ma, mb) = (metrics_of(&printed_a), metrics_of(&printed_b));
    assert_ne!(ma, mb, "{printed_a:?} {printed_b:?}");
    for at in [&ma, &mb] {
        let body = reqwest::get(at).await.unwrap().text().await.unwrap();
        assert!(body.contains("# TYPE"), "{at}: {body}");
    }
}
