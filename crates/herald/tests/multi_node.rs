#![allow(clippy::unwrap_used)]
//! Several `herald serve` processes on one PostgreSQL database.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use common::{app_with_endpoint, postgres_server, Node};
use herald_store_postgres::PgStore;
use herald_testkit::{Reply, TestReceiver};
use serde_json::json;

/// A database of the test's own, dropped at the end.
struct Db {
    server: String,
    name: String,
    url: String,
}

impl Db {
    async fn create(server: String) -> Self {
        let name = format!("herald_mn_{}", ulid::Ulid::new().to_string().to_lowercase());
        let url = PgStore::create_database(&server, &name).await.unwrap();
        Self { server, name, url }
    }

    async fn drop_now(self) {
        PgStore::drop_database(&self.server, &self.name).await.unwrap();
    }
}

fn start_nodes(n: usize, db: &Db, extra: &[(&str, &str)]) -> (Vec<Node>, Vec<tempfile::TempDir>) {
    let mut env = vec![("HERALD_DATABASE_URL", db.url.as_str())];
    env.extend_from_slice(extra);
    let dirs: Vec<_> = (0..n).map(|_| tempfile::tempdir().unwrap()).collect();
    let nodes = dirs.iter().map(|d| Node::start(d.path(), &env)).collect();
    (nodes, dirs)
}

/// Publishes `count` events from 32 tasks, spread over the nodes' APIs;
/// returns the accepted message ids.
async fn publish_many(bases: Vec<String>, app_id: &str, count: usize) -> BTreeSet<String> {
    let client = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let (client, next, bases, app_id) = (client.clone(), next.clone(), bases.clone(), app_id.to_owned());
        tasks.spawn(async move {
            let mut ids = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= count {
                    return ids;
                }
                let base = &bases[n % bases.len()];
                let resp = client
                    .post(format!("{base}/api/v1/apps/{app_id}/messages"))
                    .bearer_auth(common::TOKEN)
                    .json(&json!({ "event_type": "load.test", "payload": { "n": n } }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 202);
                let v: serde_json::Value = resp.json().await.unwrap();
                ids.push(v["id"].as_str().unwrap().to_owned());
            }
        });
    }
    let mut all = BTreeSet::new();
    while let Some(r) = tasks.join_next().await {
        all.extend(r.unwrap());
    }
    all
}

fn arrivals(rx: &TestReceiver) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in rx.received() {
        *counts.entry(r.header("webhook-id").unwrap().to_owned()).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_deliver_ten_thousand_events_exactly_once() {
    let Some(server) = postgres_server() else { return };
    let db = Db::create(server).await;
    let rx = TestReceiver::start().await;
    let (nodes, _dirs) = start_nodes(3, &db, &[]);
    let app_id = app_with_endpoint(&nodes[0], &rx.url("/hook")).await;

    let bases = nodes.iter().map(|n| n.base.clone()).collect();
    let accepted = publish_many(bases, &app_id, 10_000).await;
    assert_eq!(accepted.len(), 10_000);
    rx.wait_for_within("/hook", 10_000, Duration::from_secs(180)).await;
    tokio::time::sleep(Duration::from_millis(500)).await; // any duplicate would show up by now

    let counts = arrivals(&rx);
    let twice: Vec<_> = counts.iter().filter(|(_, c)| **c > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(counts.keys().cloned().collect::<BTreeSet<_>>(), accepted);
    for n in nodes {
        n.kill9();
    }
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_leases_are_delivered_by_the_others() {
    let Some(server) = postgres_server() else { return };
    let db = Db::create(server).await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Hang(Duration::from_millis(100))); // keeps many requests in flight
    let env = [("HERALD_WORKER_LEASE_MS", "3000"), ("HERALD_DELIVERY_TIMEOUT_MS", "2000")];
    let (mut nodes, _dirs) = start_nodes(3, &db, &env);
    let app_id = app_with_endpoint(&nodes[1], &rx.url("/hook")).await;

    let accepted = publish_many(vec![nodes[1].base.clone(), nodes[2].base.clone()], &app_id, 1_000).await;
    while rx.count() < 100 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let victim = nodes.remove(0);
    victim.kill9();
    // Everything leased right now: the victim's leases stay for 3 s, so any
    // redelivery must come from this set.
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let leased: BTreeSet<String> = sqlx::query_scalar("SELECT msg_id FROM deliveries WHERE lease IS NOT NULL")
        .fetch_all(&pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert!(!leased.is_empty());

    rx.wait_for_within("/hook", accepted.len(), Duration::from_secs(120)).await;
    let mut unfinished = i64::MAX;
    for _ in 0..500 {
        unfinished = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE state <> 'delivered'")
            .fetch_one(&pool)
            .await
            .unwrap();
        if unfinished == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(unfinished, 0, "every delivery ends delivered");

    let counts = arrivals(&rx);
    assert_eq!(counts.keys().cloned().collect::<BTreeSet<_>>(), accepted, "the receiver saw every event");
    let duplicated: BTreeSet<String> = counts.iter().filter(|(_, c)| **c > 1).map(|(id, _)| id.clone()).collect();
    eprintln!(
        "killed node: {} deliveries leased at the kill (all nodes), {} delivered twice",
        leased.len(),
        duplicated.len()
    );
    assert!(duplicated.is_subset(&leased), "only deliveries leased at the kill may repeat: {duplicated:?}");
    pool.close().await;
    for n in nodes {
        n.kill9();
    }
    db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_event_id_published_through_two_nodes_at_once_is_stored_once() {
    let Some(server) = postgres_server() else { return };
    let db = Db::create(server).await;
    let rx = TestReceiver::start().await;
    let (nodes, _dirs) = start_nodes(2, &db, &[]);
    let app_id = app_with_endpoint(&nodes[0], &rx.url("/hook")).await;
    let client = reqwest::Client::new();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let url = format!("{}/api/v1/apps/{app_id}/messages", nodes[i % 2].base);
        let client = client.clone();
        tasks.spawn(async move {
            let resp = client
                .post(url)
                .bearer_auth(common::TOKEN)
                .json(&json!({ "event_type": "order.paid", "event_id": "order-7", "payload": { "try": i } }))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let v: serde_json::Value = resp.json().await.unwrap();
            (status, v["id"].as_str().unwrap().to_owned())
        });
    }
    let mut created = 0;
    let mut ids = BTreeSet::new();
    while let Some(r) = tasks.join_next().await {
        let (status, id) = r.unwrap();
        assert!(status == 202 || status == 200, "{status}");
        created += usize::from(status == 202);
        ids.insert(id);
    }
    assert_eq!(created, 1, "exactly one publish created the message");
    assert_eq!(ids.len(), 1, "every caller got the same message");
    rx.wait_for("/hook", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 1, "delivered once");
    for n in nodes {
        n.kill9();
    }
    db.drop_now().await;
}
