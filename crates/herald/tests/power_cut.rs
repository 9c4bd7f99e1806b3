#![allow(clippy::unwrap_used)]
//! Power cuts under publishing load. Herald runs on SQLite on an ext4 file
//! system in a loop-mounted image file kept on tmpfs. To cut the power,
//! Herald is frozen (SIGSTOP) and the image file is copied: the copy holds
//! what the file system had written to its "disk", not what was still in the
//! page cache, which is what a power cut leaves. Herald is then killed and
//! started again on the copy (ext4 replays its journal on mount): every event
//! that was answered 2xx must be there, and be delivered.
//!
//! Needs root (mount, loop devices). Without them the tests are skipped,
//! unless HERALD_TEST_REQUIRE_MOUNT=1 (as in CI), where that fails.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{app_with_endpoint, assert_all_delivered, Node, TOKEN};
use herald_testkit::disk::{or_skip, run};
use herald_testkit::{PowerCutDisk, TestReceiver};
use serde_json::{json, Value};

/// Concurrent publishing clients.
const CLIENTS: usize = 8;

fn signal(node: &Node, sig: &str) {
    run("kill", &[sig, &node.child.id().to_string()]).unwrap();
}

/// Publishes from `CLIENTS` clients until aborted; each event id answered
/// 2xx goes into `accepted`.
fn publish_load(
    base: &str,
    app: &str,
    cut: usize,
    accepted: &Arc<Mutex<BTreeSet<String>>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    (0..CLIENTS)
        .map(|c| {
            let (client, accepted) = (client.clone(), accepted.clone());
            let url = format!("{base}/api/v1/apps/{app}/messages");
            tokio::spawn(async move {
                for n in 0.. {
                    let id = format!("cut{cut}-c{c}-{n}");
                    let body = json!({ "event_type": "a.b", "event_id": id, "payload": { "event": id } });
                    let Ok(resp) = client.post(&url).bearer_auth(TOKEN).json(&body).send().await else { return };
                    if resp.status().is_success() {
                        accepted.lock().unwrap().insert(id);
                    }
                }
            })
        })
        .collect()
}

/// The event ids of every message the node holds.
async fn stored_event_ids(node: &Node, app: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/apps/{app}/messages?limit=250&iterator={cursor}");
        let (status, page) = node.call(reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{page}");
        for m in page["data"].as_array().unwrap() {
            if let Some(e) = m["event_id"].as_str() {
                out.insert(e.to_owned());
            }
        }
        match page["iterator"].as_str() {
            Some(next) if page["done"] == Value::Bool(false) => cursor = next.to_owned(),
            _ => return out,
        }
    }
}

/// Three power cuts at random moments under load; returns how many events
/// that had been answered 2xx were gone after each restart.
async fn cut_the_power_three_times(disk: &PowerCutDisk, fsync: &str) -> Vec<usize> {
    let rx = TestReceiver::start().await;
    let db = format!("sqlite://{}/herald.db", disk.path().display());
    let env = [("HERALD_DATABASE_URL", db.as_str()), ("HERALD_DATABASE_FSYNC_EVERY_COMMIT", fsync)];
    let mut node = Node::start(disk.path(), &env);
    let app = app_with_endpoint(&node, &rx.url("/hook")).await;
    let accepted = Arc::new(Mutex::new(BTreeSet::new()));
    let mut lost = Vec::new();
    for cut in 0..3 {
        let load = publish_load(&node.base, &app, cut, &accepted);
        tokio::time::sleep(Duration::from_millis(rand_between(800, 2500))).await;
        signal(&node, "-STOP");
        // Answers already on the wire still arrive; nothing new is answered.
        tokio::time::sleep(Duration::from_millis(300)).await;
        for task in load {
            task.abort();
        }
        disk.cut_power().unwrap();
        node.kill9();
        disk.power_on().unwrap();
        node = Node::start(disk.path(), &env);
        let stored = stored_event_ids(&node, &app).await;
        let accepted_now = accepted.lock().unwrap().clone();
        let gone: Vec<&String> = accepted_now.difference(&stored).collect();
        eprintln!("cut {cut}: {} accepted so far, {} gone after the restart", accepted_now.len(), gone.len());
        lost.push(gone.len());
        // What was lost is forgotten, so each cut is counted on its own.
        accepted.lock().unwrap().retain(|e| stored.contains(e));
    }
    // Every accepted event that survived is delivered.
    let accepted = accepted.lock().unwrap().clone();
    assert!(accepted.len() > 1000, "too little load to mean anything: {}", accepted.len());
    assert_all_delivered(&rx, &accepted, 60).await;
    node.kill9();
    lost
}

fn rand_between(lo: u64, hi: u64) -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    lo + u64::from(nanos) % (hi - lo)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_accepted_event_is_lost_to_a_power_cut() {
    let Some(disk) = or_skip(PowerCutDisk::create(256)) else { return };
    let lost = cut_the_power_three_times(&disk, "true").await;
    assert_eq!(lost, vec![0, 0, 0], "accepted events lost to power cuts");
}

/// The same with fsync off, to show the test bites: it should lose the
/// last commits before each cut. Not a property Herald promises, so not
/// run by default: `cargo nextest run --run-ignored only power_cut`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn without_fsync_a_power_cut_loses_accepted_events() {
    let Some(disk) = or_skip(PowerCutDisk::create(256)) else { return };
    let lost = cut_the_power_three_times(&disk, "false").await;
    eprintln!("lost with fsync_every_commit = false: {lost:?}");
    assert!(lost.iter().sum::<usize>() > 0, "no loss without fsync: the cut does not bite");
}
