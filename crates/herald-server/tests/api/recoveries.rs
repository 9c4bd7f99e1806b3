//! Bulk recovery: a background job in the database re-queues failed
//! deliveries in batches, reports progress, survives a restart midway, runs
//! on one node of two, and can be cancelled.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use herald_testkit::{Reply, TestReceiver};

fn paced(batch: u32, pause_ms: u64) -> impl FnOnce(&mut herald_server::Config) {
    move |c| {
        c.recovery.batch_size = batch;
        c.recovery.pause_ms = pause_ms;
        c.recovery.poll_interval_ms = 20;
    }
}

/// `n` messages to one endpoint that fails them all with no retry; returns
/// the message ids once every delivery has failed.
async fn failed(app: &TestApp, rx: &TestReceiver, n: usize) -> (String, BTreeSet<String>) {
    rx.set_default(Reply::Status(500));
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": { "retry": "none" } })).await;
    let mut ids = BTreeSet::new();
    for i in 0..n {
        ids.insert(app.publish(&app_id, "order.failed", json!({ "i": i })).await);
    }
    for _ in 0..1000 {
        let (_, page) = app.get(&format!("/api/v1/apps/{app_id}/messages?status=pending&limit=1")).await;
        let (_, retrying) = app.get(&format!("/api/v1/apps/{app_id}/messages?status=retrying&limit=1")).await;
        if rx.count() >= n && page["data"] == json!([]) && retrying["data"] == json!([]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (app_id, ids)
}

async fn job(app: &TestApp, app_id: &str, id: &str) -> Value {
    let (status, job) = app.get(&format!("/api/v1/apps/{app_id}/recoveries/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    job
}

/// The message ids of the successful requests the receiver answered.
fn delivered_ids(rx: &TestReceiver, from: usize) -> Vec<String> {
    rx.received()[from..].iter().map(|r| r.json()["id"].as_str().unwrap().to_owned()).collect()
}

async fn a_recovery_requeues_every_failed_delivery_and_survives_a_restart() {
    let app = TestApp::spawn_with(paced(50, 100)).await;
    let rx = TestReceiver::start().await;
    let (app_id, ids) = failed(&app, &rx, 1_000).await;
    let failures = rx.count();
    assert_eq!(failures, 1_000);
    rx.set_default(Reply::Status(200));

    let (status, created) =
        app.post(&format!("/api/v1/apps/{app_id}/recoveries"), json!({ "since": "2000-01-01T00:00:00Z" })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{created}");
    assert_eq!(created["total"], 1_000);
    assert_eq!(created["status"], "queued");
    let id = created["id"].as_str().unwrap().to_owned();

    // Midway (50 per 100 ms: about 2 s in all), stop the node.
    let mut midway = Value::Null;
    for _ in 0..500 {
        midway = job(&app, &app_id, &id).await;
        if midway["done"].as_u64().unwrap() >= 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(midway["status"], "running", "{midway}");
    assert!(midway["runner"].is_string());
    let db = app.db.clone();
    app.stop().await;
    let stopped_at = db_job(&db, &id).await;
    let done_at_stop = stopped_at["done"].as_u64().unwrap();
    assert!((200..1_000).contains(&done_at_stop), "{stopped_at}");

    // A new node on the same database takes the job over once the old
    // node's lease has run out, and resumes at its cursor.
    let again = TestApp::spawn_on_db(db, paced(50, 100)).await;
    again.advance(Duration::from_secs(6));
    let mut end = Value::Null;
    for _ in 0..1_000 {
        end = job(&again, &app_id, &id).await;
        if end["status"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(end["status"], "done", "{end}");
    assert_eq!(end["done"], 1_000, "{end}");
    assert!(!end["finished_at"].is_null());

    // Every message was delivered once more, none twice.
    rx.wait_for_within("/hook", failures + 1_000, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = delivered_ids(&rx, failures);
    assert_eq!(after.len(), 1_000, "each re-queued delivery sent once");
    assert_eq!(after.iter().cloned().collect::<BTreeSet<_>>(), ids);
    let (_, dead) = again.get(&format!("/api/v1/apps/{app_id}/dead-letters")).await;
    assert_eq!(dead["data"], json!([]), "nothing left failed");
}

/// The job as the database holds it, read by a node with no workers.
async fn db_job(db: &std::sync::Arc<crate::helpers::TestDb>, id: &str) -> Value {
    let reader = TestApp::spawn_on_db(db.clone(), |c| c.worker.enabled = false).await;
    let app_id = {
        let (_, apps) = reader.get("/api/v1/apps").await;
        apps["data"][0]["id"].as_str().unwrap().to_owned()
    };
    let found = job(&reader, &app_id, id).await;
    reader.stop().await;
    found
}

async fn one_node_of_two_runs_a_recovery() {
    let a = TestApp::spawn_with(paced(20, 50)).await;
    let b = a.spawn_sibling(paced(20, 50)).await;
    let rx = TestReceiver::start().await;
    let (app_id, ids) = failed(&a, &rx, 200).await;
    rx.set_default(Reply::Status(200));
    let (_, created) =
        b.post(&format!("/api/v1/apps/{app_id}/recoveries"), json!({ "since": "2000-01-01T00:00:00Z" })).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let mut runners = BTreeSet::new();
    let mut end = Value::Null;
    for _ in 0..1_000 {
        end = job(&a, &app_id, &id).await;
        if let Some(r) = end["runner"].as_str() {
            runners.insert(r.to_owned());
        }
        if end["status"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(end["status"], "done", "{end}");
    assert_eq!(runners.len(), 1, "one node ran it: {runners:?}");
    assert_eq!((end["total"].as_u64(), end["done"].as_u64()), (Some(200), Some(200)));
    rx.wait_for_within("/hook", 400, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = delivered_ids(&rx, 200);
    assert_eq!(after.len(), 200);
    assert_eq!(after.into_iter().collect::<BTreeSet<_>>(), ids);
}

async fn a_recovery_can_be_cancelled_and_checks_its_input() {
    let app = TestApp::spawn_with(paced(10, 60_000)).await;
    let rx = TestReceiver::start().await;
    let (app_id, _) = failed(&app, &rx, 30).await;
    let path = format!("/api/v1/apps/{app_id}/recoveries");
    let (_, created) =
        app.post(&path, json!({ "since": "2000-01-01T00:00:00Z", "event_types": ["order.failed"] })).await;
    assert_eq!(created["total"], 30);
    let id = created["id"].as_str().unwrap().to_owned();
    for _ in 0..500 {
        if job(&app, &app_id, &id).await["done"] == 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, cancelled) = app.post(&format!("{path}/{id}/cancel"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["done"], 10, "one batch, then the long pause");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(job(&app, &app_id, &id).await["done"], 10);
    let (_, list) = app.get(&path).await;
    assert_eq!(list["data"][0]["id"], id.as_str());

    // Filters that match nothing make an empty job.
    let (_, none) = app.post(&path, json!({ "since": "2000-01-01T00:00:00Z", "event_types": ["other.type"] })).await;
    assert_eq!(none["total"], 0);
    for (body, field) in [
        (json!({}), "since"),
        (json!({ "since": "yesterday" }), "since"),
        (json!({ "since": "2020-01-01T00:00:00Z", "endpoint": "nope" }), "endpoint"),
        (json!({ "since": "2020-01-01T00:00:00Z", "event_types": [] }), "event_types"),
    ] {
        let (status, err) = app.post(&path, body.clone()).await;
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST, "{body}: {err}");
        assert!(err["message"].as_str().unwrap().contains(field), "{body}: {err}");
    }
    // An endpoint that does not exist is not found, as in a path.
    let missing = json!({ "since": "2020-01-01T00:00:00Z", "endpoint": "ep_01JAAAAAAAAAAAAAAAAAAAAAAA" });
    let (status, err) = app.post(&path, missing).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    assert!(err["message"].as_str().unwrap().contains("endpoint"), "{err}");
    // A window that ends before it starts re-queues nothing.
    let (status, job) =
        app.post(&path, json!({ "since": "2020-01-02T00:00:00Z", "until": "2020-01-01T00:00:00Z" })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["total"], 0);
    assert_eq!(app.get(&format!("{path}/rcv_01JAAAAAAAAAAAAAAAAAAAAAAA")).await.0, StatusCode::NOT_FOUND);
}

/// One numbering per delivery: the attempt a bulk recovery makes follows
/// the earlier ones (it restarts the retry schedule, not the count), and a
/// replay after it follows that; the delivery counts them all.
async fn attempts_after_a_recovery_go_on_being_numbered() {
    let app = TestApp::spawn_with(paced(10, 10)).await;
    let rx = TestReceiver::start().await;
    let (app_id, ids) = failed(&app, &rx, 1).await;
    let msg = ids.into_iter().next().unwrap();
    let numbers = |attempts: Vec<Value>| {
        let mut n: Vec<u64> = attempts.iter().map(|a| a["attempt_number"].as_u64().unwrap()).collect();
        n.sort_unstable();
        n
    };
    app.wait_delivery(&app_id, &msg, |d| crate::helpers::status_is(d, "failed")).await;

    let (status, created) =
        app.post(&format!("/api/v1/apps/{app_id}/recoveries"), json!({ "since": "2000-01-01T00:00:00Z" })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{created}");
    rx.wait_for("/hook", 2).await;
    let d = app.wait_delivery(&app_id, &msg, |d| crate::helpers::status_is(d, "failed") && d["attempts"] == 2).await;
    assert_eq!(d["attempts"], 2, "{d}");
    assert_eq!(numbers(app.attempts(&app_id, &msg).await), [1, 2]);

    let ep = d["endpoint_id"].as_str().unwrap();
    let (status, replayed) =
        app.post(&format!("/api/v1/apps/{app_id}/messages/{msg}/endpoints/{ep}/replay"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(replayed["attempt_number"], 3, "{replayed}");
    assert_eq!(numbers(app.attempts(&app_id, &msg).await), [1, 2, 3]);
    assert_eq!(app.message(&app_id, &msg).await["deliveries"][0]["attempts"], 3);
}

crate::both_stores!(
    attempts_after_a_recovery_go_on_being_numbered,
    a_recovery_requeues_every_failed_delivery_and_survives_a_restart,
    one_node_of_two_runs_a_recovery,
    a_recovery_can_be_cancelled_and_checks_its_input,
);
