//! Ordered delivery: `--fifo-events` events to one endpoint with
//! `ordering = "fifo"`, spread over 1, 10 and 1,000 ordering keys. With one
//! key every delivery waits for the one before it to be recorded; with many
//! keys the heads of the keys go out side by side.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use serde_json::json;
use tokio::task::JoinSet;

use crate::node::Cluster;
use crate::receiver::BenchReceiver;
use crate::{progress, wait_arrivals, BenchOptions, Usage};

#[derive(Serialize)]
pub struct OrderedRun {
    pub keys: usize,
    pub events: usize,
    pub deliveries_per_sec: f64,
}

/// The key counts measured.
const KEYS: [usize; 3] = [1, 10, 1000];

pub async fn fifo(opts: &BenchOptions, usage: &mut Usage) -> anyhow::Result<Vec<OrderedRun>> {
    let mut runs = Vec::new();
    for keys in KEYS {
        runs.push(one(opts, keys, usage).await?);
    }
    Ok(runs)
}

async fn one(opts: &BenchOptions, keys: usize, usage: &mut Usage) -> anyhow::Result<OrderedRun> {
    let n = opts.fifo_events;
    progress(opts, &format!("ordered delivery: {n} events over {keys} key(s) to one FIFO endpoint"));
    let rx = BenchReceiver::start().await?;
    let cluster = Cluster::start(opts.database_url.as_deref(), opts.nodes).await?;
    let node = &cluster.nodes[0];
    let app = node.post("/api/v1/apps", &json!({ "name": "ordered" })).await?;
    let app_id = app["id"].as_str().context("app id")?.to_owned();
    node.post(
        &format!("/api/v1/apps/{app_id}/endpoints"),
        &json!({ "url": rx.url(), "profile": { "ordering": "fifo" } }),
    )
    .await?;
    let urls: Arc<Vec<String>> =
        Arc::new(cluster.nodes.iter().map(|n| format!("{}/api/v1/apps/{app_id}/messages", n.base)).collect());
    let started = Instant::now();
    let issued = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..opts.concurrency {
        let (client, urls, issued) = (cluster.client(), urls.clone(), issued.clone());
        tasks.spawn(async move {
            loop {
                let i = issued.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<(), anyhow::Error>(());
                }
                let body = json!({ "event_type": "bench.event", "payload": { "i": i }, "ordering_key": format!("k{}", i % keys) });
                let resp = client
                    .post(&urls[i % urls.len()])
                    .bearer_auth(crate::node::TOKEN)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                    .context("publishing")?;
                anyhow::ensure!(resp.status().is_success(), "publish answered {}", resp.status());
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    wait_arrivals(&rx, n, Duration::from_secs(600)).await.context("waiting for the ordered deliveries")?;
    let last = rx.take().iter().map(|a| a.1).max().unwrap_or_else(Instant::now);
    usage.add(&cluster);
    cluster.stop().await?;
    Ok(OrderedRun { keys, events: n, deliveries_per_sec: n as f64 / last.duration_since(started).as_secs_f64() })
}
