//! Fault scenarios: what a bad receiver, a client that goes away, a
//! `kill -9` and a long run do to everyone else's deliveries.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::task::JoinSet;

use crate::load::{closed_loop, open_loop, quantile_ms};
use crate::node::{Cluster, Node, TOKEN};
use crate::receiver::{BenchReceiver, HangingReceiver};
use crate::{event_body, progress, BenchOptions, Usage};

/// Healthy endpoints' end-to-end latency with and without a hanging one.
#[derive(Serialize)]
pub struct HeadOfLine {
    pub without_hanging: HealthyRun,
    pub with_hanging: HealthyRun,
}

#[derive(Serialize)]
pub struct HealthyRun {
    pub expected: usize,
    pub delivered: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// When the deliveries slower than [`SLOW`] were published: (second of
    /// the run, how many, how many of them whose publish itself was answered
    /// slower than [`SLOW`]), to tell a periodic stall and where it sits.
    pub slow_by_second: Vec<(u64, usize, usize)>,
    /// The host's CPU steal while the run published.
    pub steal: crate::steal::StealSeen,
}

/// A healthy delivery slower than this end to end is counted as slow.
pub const SLOW: Duration = Duration::from_millis(10);

/// 5 healthy endpoints at 50 events/s each, for `--fault-secs`; with
/// `hanging`, first 5,000 deliveries queued for an endpoint that never
/// answers.
pub async fn head_of_line(opts: &BenchOptions, usage: &mut Usage) -> anyhow::Result<HeadOfLine> {
    Ok(HeadOfLine {
        without_hanging: healthy_run(opts, false, usage).await?,
        with_hanging: healthy_run(opts, true, usage).await?,
    })
}

async fn healthy_run(opts: &BenchOptions, hanging: bool, usage: &mut Usage) -> anyhow::Result<HealthyRun> {
    let what = if hanging { "with a hanging endpoint and 5,000 queued for it" } else { "alone" };
    progress(opts, &format!("head of line: 5 healthy endpoints at 50 events/s each, {what}"));
    let rx = BenchReceiver::start().await?;
    let hang = HangingReceiver::start().await?;
    let cluster = Cluster::start(opts.database_url.as_deref(), opts.nodes).await?;
    if hanging {
        let urls = Arc::new(cluster.setup(1, &hang.url()).await?);
        let (_, errors) =
            closed_loop(cluster.client(), urls, event_body(opts.payload_bytes), 32, None, Some(5_000)).await;
        anyhow::ensure!(errors == 0, "{errors} publishes to the hanging endpoint failed");
    }
    let run = healthy_latency(opts, &cluster, &rx, 5, 50).await?;
    usage.add(&cluster);
    cluster.stop().await?;
    Ok(run)
}

/// One application with `endpoints` endpoints at `rx`, `per_sec` events a
/// second to it (each fanned out to all of them) for `--fault-secs`: each
/// delivery's end-to-end latency, publish sent to arrival.
pub async fn healthy_latency(
    opts: &BenchOptions,
    cluster: &Cluster,
    rx: &BenchReceiver,
    endpoints: usize,
    per_sec: u32,
) -> anyhow::Result<HealthyRun> {
    let urls = Arc::new(cluster.setup(endpoints, &rx.url()).await?);
    let duration = Duration::from_secs(opts.fault_secs);
    let steal = crate::steal::Steal::start();
    let (samples, _) = open_loop(cluster.client(), urls, event_body(opts.payload_bytes), per_sec, duration).await;
    let steal = steal.finish().await;
    let expected = samples.len() * endpoints;
    let end = Instant::now() + Duration::from_secs(60);
    while rx.count() < expected && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent: HashMap<&str, (Instant, Duration)> =
        samples.iter().map(|(id, at, api)| (id.as_str(), (*at, *api))).collect();
    let first = samples.iter().map(|(_, at, _)| *at).min();
    let mut slow: std::collections::BTreeMap<u64, (usize, usize)> = std::collections::BTreeMap::new();
    let mut lat: Vec<Duration> = rx
        .take()
        .iter()
        .filter_map(|(id, at)| {
            let (sent_at, api) = sent.get(id.as_str())?;
            let took = at.saturating_duration_since(*sent_at);
            if took > SLOW {
                let second = first.map_or(0, |f| sent_at.saturating_duration_since(f).as_secs());
                let e = slow.entry(second).or_default();
                e.0 += 1;
                e.1 += usize::from(*api > SLOW);
            }
            Some(took)
        })
        .collect();
    lat.sort();
    Ok(HealthyRun {
        expected,
        delivered: lat.len(),
        p50_ms: quantile_ms(&lat, 0.5),
        p99_ms: quantile_ms(&lat, 0.99),
        max_ms: lat.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
        slow_by_second: slow.into_iter().map(|(s, (n, api))| (s, n, api)).collect(),
        steal,
    })
}

/// Publishes whose client dropped the connection right after sending.
#[derive(Serialize)]
pub struct Cancelled {
    pub sent: usize,
    pub committed: usize,
    pub delivered: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub later_than_1s: usize,
}

/// 2,000 publishes over raw connections, each dropped as soon as the
/// request is written; then what was committed is found through the API
/// (by event id) and each one's delay from send to arrival measured.
pub async fn cancelled(opts: &BenchOptions, usage: &mut Usage) -> anyhow::Result<Cancelled> {
    const SENDS: usize = 2_000;
    progress(opts, "cancelled publishes: 2,000 requests whose client drops the connection at once");
    let rx = BenchReceiver::start().await?;
    let cluster = Cluster::start(opts.database_url.as_deref(), 1).await?;
    let node = &cluster.nodes[0];
    let app = node.setup(1, &rx.url()).await?;
    let addr = node.base.trim_start_matches("http://").to_owned();
    let filler = "x".repeat(opts.payload_bytes.saturating_sub(40));
    let mut tasks = JoinSet::new();
    for worker in 0..32 {
        let (addr, app, filler) = (addr.clone(), app.clone(), filler.clone());
        tasks.spawn(async move {
            let mut sent = Vec::new();
            for i in (worker..SENDS).step_by(32) {
                let body = serde_json::json!({ "event_type": "bench.event", "event_id": format!("c-{i}"),
                                               "payload": { "data": filler } })
                .to_string();
                let request = format!(
                    "POST /api/v1/apps/{app}/messages HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {TOKEN}\r\n\
                     content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let Ok(mut conn) = tokio::net::TcpStream::connect(&addr).await else { continue };
                let at = Instant::now();
                if conn.write_all(request.as_bytes()).await.is_ok() {
                    sent.push((format!("c-{i}"), at));
                }
                drop(conn);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            sent
        });
    }
    let mut sent_at = HashMap::new();
    while let Some(Ok(s)) = tasks.join_next().await {
        sent_at.extend(s);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    // What was committed anyway, by event id.
    let mut committed: HashMap<String, Instant> = HashMap::new();
    let mut cursor = String::new();
    loop {
        let page = node.get(&format!("/api/v1/apps/{app}/messages?limit=250&iterator={cursor}")).await?;
        for m in page["data"].as_array().context("messages")? {
            if let (Some(id), Some(ev)) = (m["id"].as_str(), m["event_id"].as_str()) {
                if let Some(at) = sent_at.get(ev) {
                    committed.insert(id.to_owned(), *at);
                }
            }
        }
        match page["iterator"].as_str() {
            Some(next) if !page["done"].as_bool().unwrap_or(true) => cursor = next.to_owned(),
            _ => break,
        }
    }
    let end = Instant::now() + Duration::from_secs(90);
    while rx.count() < committed.len() && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut lat: Vec<Duration> =
        rx.take().iter().filter_map(|(id, at)| committed.get(id).map(|s| at.saturating_duration_since(*s))).collect();
    lat.sort();
    usage.add(&cluster);
    cluster.stop().await?;
    Ok(Cancelled {
        sent: sent_at.len(),
        committed: committed.len(),
        delivered: lat.len(),
        p50_ms: quantile_ms(&lat, 0.5),
        p99_ms: quantile_ms(&lat, 0.99),
        max_ms: lat.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
        later_than_1s: lat.iter().filter(|d| **d > Duration::from_secs(1)).count(),
    })
}

/// `kill -9` with deliveries in flight, then a restart on the same database.
#[derive(Serialize)]
pub struct Restart {
    pub events: usize,
    pub in_flight_at_kill: usize,
    pub duplicates: usize,
    /// From the restart to the last re-sent in-flight delivery.
    pub resent_within_ms: f64,
    /// From the restart to the last delivery of all.
    pub all_delivered_within_ms: f64,
    pub delivered_distinct: usize,
}

/// 1,000 events to a receiver that answers after 1 s; once 100 have
/// arrived the node is killed and restarted on the same database (and
/// port, so a PostgreSQL node keeps its default node name).
pub async fn restart(opts: &BenchOptions) -> anyhow::Result<Restart> {
    const EVENTS: usize = 1_000;
    progress(opts, "restart: kill -9 with deliveries in flight, start again on the same database");
    let rx = BenchReceiver::start_answering_after(Duration::from_secs(1)).await?;
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}", dir.path().join("restart.db").display());
    let cluster = Cluster::start(Some(opts.database_url.as_deref().unwrap_or(&sqlite)), 1).await?;
    let db = cluster.database_url().context("database url")?.to_owned();
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let listen = [("HERALD_SERVER_LISTEN".to_owned(), format!("127.0.0.1:{port}"))];
    let mut cluster = cluster;
    let first = cluster.nodes.remove(0);
    first.stop().await;
    let node = Node::start(Some(&db), &listen)?;
    let urls = Arc::new(vec![format!("{}/api/v1/apps/{}/messages", node.base, node.setup(1, &rx.url()).await?)]);
    let (samples, errors) = closed_loop(node.client.clone(), urls, event_body(256), 32, None, Some(EVENTS)).await;
    anyhow::ensure!(errors == 0, "{errors} publishes failed");
    while rx.count() < 100 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    node.kill();
    let before: Vec<(String, Instant)> = rx.take();
    // Arrived but not answered (the receiver waits 1 s): in flight at the kill.
    let killed_at = Instant::now();
    let in_flight: HashSet<String> = before
        .iter()
        .filter(|(_, at)| killed_at.duration_since(*at) < Duration::from_secs(1))
        .map(|(id, _)| id.clone())
        .collect();
    let restarted = Node::start(Some(&db), &listen)?;
    let restarted_at = Instant::now();
    let mut seen: HashSet<String> = before.iter().map(|(id, _)| id.clone()).collect();
    let mut after = Vec::new();
    let end = Instant::now() + Duration::from_secs(120);
    while seen.len() < samples.len() && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(20)).await;
        for (id, at) in rx.take() {
            seen.insert(id.clone());
            after.push((id, at));
        }
    }
    let since = |at: &Instant| at.saturating_duration_since(restarted_at).as_secs_f64() * 1000.0;
    let all_before: HashSet<&String> = before.iter().map(|(id, _)| id).collect();
    let duplicates = after.iter().filter(|(id, _)| all_before.contains(id)).count();
    let resent = after.iter().filter(|(id, _)| in_flight.contains(id)).map(|(_, at)| since(at)).fold(0.0, f64::max);
    let last = after.iter().map(|(_, at)| since(at)).fold(0.0, f64::max);
    restarted.stop().await;
    cluster.stop().await?;
    Ok(Restart {
        events: samples.len(),
        in_flight_at_kill: in_flight.len(),
        duplicates,
        resent_within_ms: resent,
        all_delivered_within_ms: last,
        delivered_distinct: seen.len(),
    })
}

/// A long steady run on SQLite, watching the write-ahead log.
#[derive(Serialize)]
pub struct Soak {
    pub secs: u64,
    pub rate: u32,
    pub expected: usize,
    pub delivered: usize,
    pub largest_wal_mb: f64,
    pub final_wal_mb: f64,
    pub database_mb: f64,
    pub peak_rss_mb: f64,
    /// End-to-end (publish sent to arrival, every delivery) and API latency:
    /// a writer stalled by the log's upkeep shows here.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub api_p99_ms: f64,
    pub api_max_ms: f64,
}

/// 200 events/s to 5 endpoints for `--soak-secs`, sampling the WAL's size.
pub async fn soak(opts: &BenchOptions, usage: &mut Usage) -> anyhow::Result<Soak> {
    progress(opts, &format!("soak: 200 events/s to 5 endpoints for {} s, watching the WAL", opts.soak_secs));
    let rx = BenchReceiver::start().await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("soak.db");
    let cluster = Cluster::start(Some(&format!("sqlite://{}", file.display())), 1).await?;
    let urls = Arc::new(cluster.setup(5, &rx.url()).await?);
    let wal = dir.path().join("soak.db-wal");
    let size_mb = |p: &std::path::Path| std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / (1024.0 * 1024.0));
    let watching = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let (wal, watching) = (wal.clone(), watching.clone());
        tokio::spawn(async move {
            let mut largest: f64 = 0.0;
            while watching.load(std::sync::atomic::Ordering::Relaxed) {
                largest = largest.max(size_mb(&wal));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            largest
        })
    };
    let (samples, _) =
        open_loop(cluster.client(), urls, event_body(opts.payload_bytes), 200, Duration::from_secs(opts.soak_secs))
            .await;
    let expected = samples.len() * 5;
    let end = Instant::now() + Duration::from_secs(60);
    while rx.count() < expected && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    watching.store(false, std::sync::atomic::Ordering::Relaxed);
    let largest = watcher.await?;
    let (rss, _) = cluster.usage();
    let sent: HashMap<&str, Instant> = samples.iter().map(|(id, at, _)| (id.as_str(), *at)).collect();
    let arrivals = rx.take();
    let mut lat: Vec<Duration> = arrivals
        .iter()
        .filter_map(|(id, at)| sent.get(id.as_str()).map(|s| at.saturating_duration_since(*s)))
        .collect();
    lat.sort();
    let mut api: Vec<Duration> = samples.iter().map(|s| s.2).collect();
    api.sort();
    let last_ms = |v: &[Duration]| v.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
    let report = Soak {
        secs: opts.soak_secs,
        rate: 200,
        expected,
        delivered: arrivals.len(),
        largest_wal_mb: largest,
        final_wal_mb: size_mb(&wal),
        database_mb: size_mb(&file),
        peak_rss_mb: rss as f64 / (1024.0 * 1024.0),
        p50_ms: quantile_ms(&lat, 0.5),
        p99_ms: quantile_ms(&lat, 0.99),
        p999_ms: quantile_ms(&lat, 0.999),
        max_ms: last_ms(&lat),
        api_p99_ms: quantile_ms(&api, 0.99),
        api_max_ms: last_ms(&api),
    };
    usage.add(&cluster);
    cluster.stop().await?;
    Ok(report)
}
