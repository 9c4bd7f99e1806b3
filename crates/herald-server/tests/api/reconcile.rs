//! Reconciliation: the message list filtered by event type, time, delivery
//! status and endpoint returns exactly the scripted sets; the NDJSON export
//! applies the same filters and streams 100,000 messages in bounded memory.

use std::collections::BTreeSet;
use std::time::Duration;

use herald_core::Clock;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{rss_kib, status_is, TestApp, TOKEN};
use herald_testkit::{Reply, TestReceiver};

struct Scripted {
    app: TestApp,
    app_id: String,
    ids: std::collections::HashMap<&'static str, String>,
    eps: std::collections::HashMap<&'static str, String>,
    /// Between the a-messages and the rest (RFC 3339).
    split: String,
}

/// Endpoints ending in each state: `ok` (a.*) and `ok2` (b.*) deliver,
/// `fail` (b.*) fails with no retry, `retry` (c.*) answers 500 and waits for
/// its retry, `hang` (d.*) is still in flight (pending).
async fn scripted() -> Scripted {
    let app = TestApp::spawn_with(|c| c.delivery.timeout_ms = 30_000).await;
    let rx = TestReceiver::start().await;
    let fail = TestReceiver::start().await;
    fail.set_default(Reply::Status(500));
    let retry = TestReceiver::start().await;
    retry.set_default(Reply::Status(500));
    let hang = TestReceiver::start().await;
    hang.set_default(Reply::Hang(Duration::from_secs(60)));
    let app_id = app.create_app().await;
    let mut eps = std::collections::HashMap::new();
    for (name, url, filter, profile) in [
        ("ok", rx.url("/ok"), "a.*", json!(null)),
        ("ok2", rx.url("/ok2"), "b.*", json!(null)),
        ("fail", fail.url("/fail"), "b.*", json!({ "retry": "none" })),
        ("retry", retry.url("/retry"), "c.*", json!(null)),
        ("hang", hang.url("/hang"), "d.*", json!(null)),
    ] {
        let ep = app.create_endpoint(&app_id, json!({ "url": url, "event_types": [filter], "profile": profile })).await;
        eps.insert(name, ep["id"].as_str().unwrap().to_owned());
    }
    let mut ids = std::collections::HashMap::new();
    ids.insert("a1", app.publish(&app_id, "a.x", json!({ "n": 1 })).await);
    app.advance(Duration::from_secs(1));
    ids.insert("a2", app.publish(&app_id, "a.x", json!({ "n": 2 })).await);
    app.advance(Duration::from_secs(1));
    let split = herald_core::Timestamp::from_millis(app.now_ms()).to_rfc3339();
    app.advance(Duration::from_secs(1));
    ids.insert("b1", app.publish(&app_id, "b.x", json!({ "n": 3 })).await);
    ids.insert("c1", app.publish(&app_id, "c.x", json!({ "n": 4 })).await);
    ids.insert("d1", app.publish(&app_id, "d.x", json!({ "n": 5 })).await);
    for (m, state) in [("a1", "delivered"), ("a2", "delivered"), ("c1", "retrying")] {
        app.wait_delivery(&app_id, &ids[m], |d| status_is(d, state)).await;
    }
    // b1 went to two endpoints: wait until one failed and one delivered.
    for _ in 0..500 {
        let m = app.message(&app_id, &ids["b1"]).await;
        let states: BTreeSet<&str> =
            m["deliveries"].as_array().unwrap().iter().map(|d| d["status"].as_str().unwrap()).collect();
        if states == BTreeSet::from(["delivered", "failed"]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    hang.wait_for("/hang", 1).await;
    Scripted { app, app_id, ids, eps, split }
}

impl Scripted {
    async fn find(&self, query: &str) -> BTreeSet<String> {
        let (status, body) = self.app.get(&format!("/api/v1/apps/{}/messages?{query}", self.app_id)).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        body["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect()
    }

    fn set(&self, names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| self.ids[n].clone()).collect()
    }
}

async fn reconciliation_filters_return_exactly_the_scripted_sets() {
    let s = scripted().await;
    let everything = s.set(&["a1", "a2", "b1", "c1", "d1"]);
    assert_eq!(s.find("").await, everything);
    assert_eq!(s.find("status=delivered").await, s.set(&["a1", "a2", "b1"]));
    assert_eq!(s.find("status=failed").await, s.set(&["b1"]));
    assert_eq!(s.find("status=retrying").await, s.set(&["c1"]));
    assert_eq!(s.find("status=pending").await, s.set(&["d1"]));
    assert_eq!(s.find(&format!("status=delivered&endpoint={}", s.eps["fail"])).await, s.set(&[]));
    assert_eq!(s.find(&format!("status=failed&endpoint={}", s.eps["fail"])).await, s.set(&["b1"]));
    assert_eq!(s.find(&format!("endpoint={}", s.eps["ok2"])).await, s.set(&["b1"]));
    assert_eq!(s.find("event_type=a.x").await, s.set(&["a1", "a2"]));
    assert_eq!(s.find("event_type=a.x&status=failed").await, s.set(&[]));
    let split = urlencode(&s.split);
    assert_eq!(s.find(&format!("since={split}")).await, s.set(&["b1", "c1", "d1"]));
    assert_eq!(s.find(&format!("until={split}")).await, s.set(&["a1", "a2"]));
    assert_eq!(s.find(&format!("until={split}&status=delivered&event_type=a.x")).await, s.set(&["a1", "a2"]));

    // Pages: newest first, one at a time, through the iterator.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let cursor = next.as_ref().map(|c| format!("&iterator={c}")).unwrap_or_default();
        let (_, page) =
            s.app.get(&format!("/api/v1/apps/{}/messages?status=delivered&limit=1{cursor}", s.app_id)).await;
        seen.extend(page["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()));
        if page["done"] == true {
            break;
        }
        next = page["iterator"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, vec![s.ids["b1"].clone(), s.ids["a2"].clone(), s.ids["a1"].clone()]);

    for (query, field) in [
        ("status=lost", "status"),
        ("endpoint=nope", "endpoint"),
        ("since=yesterday", "since"),
        ("iterator=42", "iterator"),
        ("colour=red", ""),
    ] {
        let (status, body) = s.app.get(&format!("/api/v1/apps/{}/messages?{query}", s.app_id)).await;
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(body["message"].as_str().unwrap().contains(field), "{query}: {body}");
    }
}

fn urlencode(s: &str) -> String {
    s.replace(':', "%3A").replace('+', "%2B")
}

async fn download(app: &TestApp, path: &str) -> reqwest::Response {
    let resp = app.client.get(format!("{}{path}", app.base)).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/x-ndjson");
    resp
}

async fn the_export_applies_the_filters_and_carries_the_deliveries() {
    let s = scripted().await;
    let path = format!("/api/v1/apps/{}/messages/export?status=failed", s.app_id);
    let text = download(&s.app, &path).await.text().await.unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{text}");
    let b1 = &lines[0];
    assert_eq!(b1["id"], s.ids["b1"].as_str());
    assert_eq!(b1["event_type"], "b.x");
    assert_eq!(b1["payload"], json!({ "n": 3 }));
    let by_endpoint: std::collections::HashMap<String, &Value> = b1["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["endpoint_id"].as_str().unwrap().to_owned(), d))
        .collect();
    assert_eq!(by_endpoint[&s.eps["fail"]]["status"], "failed");
    assert_eq!(by_endpoint[&s.eps["fail"]]["attempts"], 1);
    assert_eq!(by_endpoint[&s.eps["fail"]]["last_status_code"], 500);
    assert_eq!(by_endpoint[&s.eps["ok2"]]["status"], "delivered");

    let all = download(&s.app, &format!("/api/v1/apps/{}/messages/export", s.app_id)).await.text().await.unwrap();
    assert_eq!(all.lines().count(), 5);
    // The export has no paging: `limit` is not one of its parameters.
    let (status, body) = s.app.get(&format!("/api/v1/apps/{}/messages/export?limit=5", s.app_id)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("limit"), "{body}");
}

/// 100,000 messages of ~1 KiB: about 110 MB of NDJSON, streamed while the
/// process's memory stays far below that.
async fn an_export_of_100000_messages_streams_in_bounded_memory() {
    const N: usize = 100_000;
    let app = TestApp::spawn_with(|c| c.worker.enabled = false).await;
    let app_id = app.create_app().await;
    let id = herald_core::AppId::parse(&app_id).unwrap();
    let filler = "x".repeat(1000);
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..32 {
        let (store, id, clock, filler) = (app.store.clone(), id.clone(), app.clock.clone(), filler.clone());
        tasks.spawn(async move {
            for i in (worker..N).step_by(32) {
                let now = clock.now();
                let new = herald_store::NewMessage {
                    id: herald_core::MessageId::generate(now.as_millis()),
                    event_id: None,
                    event_type: herald_core::event_type::EventTypeName::parse("bulk.row").unwrap(),
                    payload: json!({ "i": i, "filler": filler }).to_string(),
                    timestamp: now,
                    only_endpoint: None,
                    ordering_key: None,
                };
                store.publish(&id, new, now, None).await.unwrap();
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }

    let before = rss_kib();
    let mut peak = before;
    let mut resp = download(&app, &format!("/api/v1/apps/{app_id}/messages/export")).await;
    let (mut bytes, mut lines, mut chunks) = (0usize, 0usize, 0usize);
    let mut first = Vec::new();
    while let Some(chunk) = resp.chunk().await.unwrap() {
        if first.len() < 2048 {
            first.extend_from_slice(&chunk[..chunk.len().min(2048)]);
        }
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        chunks += 1;
        if chunks % 64 == 0 {
            peak = peak.max(rss_kib());
        }
    }
    peak = peak.max(rss_kib());
    assert_eq!(lines, N);
    assert!(bytes > 100 * 1024 * 1024, "{bytes} bytes");
    let first_line = String::from_utf8_lossy(&first).lines().next().unwrap().to_owned();
    let v: Value = serde_json::from_str(&first_line).unwrap();
    assert_eq!(v["event_type"], "bulk.row");
    let grown = peak.saturating_sub(before);
    eprintln!("export: {bytes} bytes in {chunks} chunks, {lines} lines; RSS {before} KiB -> peak {peak} KiB");
    assert!(grown < 64 * 1024, "RSS grew by {grown} KiB while exporting {bytes} bytes");
}

crate::both_stores!(
    reconciliation_filters_return_exactly_the_scripted_sets,
    the_export_applies_the_filters_and_carries_the_deliveries,
    an_export_of_100000_messages_streams_in_bounded_memory,
);
