//! Bulk recovery under live traffic: `--recovery-events` failed deliveries
//! (their endpoint refused connections, no retry) are recovered once the
//! endpoint is fixed, while another application publishes at `--rate`;
//! the live end-to-end latency is measured during the recovery, beside the
//! time the recovery took.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use serde_json::json;

use crate::load::{closed_loop, open_loop, quantile_ms};
use crate::node::Cluster;
use crate::receiver::BenchReceiver;
use crate::{event_body, progress, BenchOptions, Usage};

#[derive(Serialize)]
pub struct RecoveryRun {
    pub failed: u64,
    pub recovered: usize,
    pub recovery_secs: f64,
    pub live_events: usize,
    pub live_p50_ms: f64,
    pub live_p99_ms: f64,
    pub live_max_ms: f64,
}

pub async fn under_live_traffic(opts: &BenchOptions, usage: &mut Usage) -> anyhow::Result<RecoveryRun> {
    let n = opts.recovery_events;
    progress(opts, &format!("recovery: {n} failed deliveries recovered while live traffic runs at {}/s", opts.rate));
    let recovered_rx = BenchReceiver::start().await?;
    let live_rx = BenchReceiver::start().await?;
    let cluster = Cluster::start(opts.database_url.as_deref(), opts.nodes).await?;
    let node = &cluster.nodes[0];
    // Nothing listens on this port: each delivery fails at once, no retry.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let app = node.post("/api/v1/apps", &json!({ "name": "to recover" })).await?;
    let app_id = app["id"].as_str().context("app id")?.to_owned();
    let ep = node
        .post(
            &format!("/api/v1/apps/{app_id}/endpoints"),
            &json!({ "url": format!("http://127.0.0.1:{closed}/hook"), "profile": { "retry": "none" } }),
        )
        .await?;
    let ep_id = ep["id"].as_str().context("endpoint id")?.to_owned();
    let urls = Arc::new(vec![format!("{}/api/v1/apps/{app_id}/messages", node.base)]);
    let (_, errors) = closed_loop(cluster.client(), urls, event_body(opts.payload_bytes), 32, None, Some(n)).await;
    anyhow::ensure!(errors == 0, "{errors} publishes failed");
    let end = Instant::now() + Duration::from_secs(600);
    let failed = loop {
        let stats = node.get(&format!("/api/v1/apps/{app_id}/stats?window=hour")).await?;
        let failed = stats["failed"].as_u64().unwrap_or(0);
        if failed >= n as u64 || Instant::now() > end {
            break failed;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // The endpoint is fixed; live traffic starts, then the recovery.
    let path = format!("/api/v1/apps/{app_id}/endpoints/{ep_id}");
    let resp = node
        .client
        .patch(format!("{}{path}", node.base))
        .bearer_auth(crate::node::TOKEN)
        .header("content-type", "application/json")
        .body(json!({ "url": recovered_rx.url() }).to_string())
        .send()
        .await?;
    anyhow::ensure!(resp.status().is_success(), "fixing the endpoint: {}", resp.status());
    let live_urls = Arc::new(cluster.setup(1, &live_rx.url()).await?);
    let started = Instant::now();
    let job =
        node.post(&format!("/api/v1/apps/{app_id}/recoveries"), &json!({ "since": "2000-01-01T00:00:00Z" })).await?;
    let job_id = job["id"].as_str().context("job id")?.to_owned();
    // Live traffic for most of the recovery (1,000 re-queued per second by
    // default): the latency measured is the latency during the recovery.
    #[allow(clippy::cast_precision_loss)]
    let live_for = Duration::from_secs_f64((n as f64 / 1_000.0 * 0.9).max(5.0));
    let (samples, live_errors) =
        open_loop(cluster.client(), live_urls, event_body(opts.payload_bytes), opts.rate, live_for).await;
    anyhow::ensure!(live_errors == 0, "{live_errors} live publishes failed");
    let end = Instant::now() + Duration::from_secs(1_800);
    while recovered_rx.count() < n && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovery_secs = started.elapsed().as_secs_f64();
    // The job notes it is done at its next batch, after the last pause.
    let mut state = serde_json::Value::Null;
    for _ in 0..100 {
        state = node.get(&format!("/api/v1/apps/{app_id}/recoveries/{job_id}")).await?;
        if state["status"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(state["status"] == "done", "the recovery ended {state}");
    let end = Instant::now() + Duration::from_secs(60);
    while live_rx.count() < samples.len() && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let arrivals: HashMap<String, Instant> = live_rx.take().into_iter().collect();
    let mut lat: Vec<Duration> = samples
        .iter()
        .filter_map(|(id, sent, _)| arrivals.get(id).map(|at| at.saturating_duration_since(*sent)))
        .collect();
    lat.sort();
    usage.add(&cluster);
    cluster.stop().await?;
    Ok(RecoveryRun {
        failed,
        recovered: recovered_rx.count(),
        recovery_secs,
        live_events: lat.len(),
        live_p50_ms: quantile_ms(&lat, 0.5),
        live_p99_ms: quantile_ms(&lat, 0.99),
        live_max_ms: lat.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
    })
}
