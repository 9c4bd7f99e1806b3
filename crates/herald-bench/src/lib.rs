//! `herald bench`: starts Herald on a fresh database with a built-in
//! receiver, drives it through the API, and reports what it measured.

mod fairness;
mod faults;
mod load;
mod node;
mod ordered;
mod receiver;
mod recovery;
mod steal;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde::Serialize;
use serde_json::json;

use crate::load::{closed_loop, open_loop, quantile_ms, raw_posts};
use crate::node::Cluster;
use crate::receiver::BenchReceiver;

#[derive(clap::Args, Clone, Debug)]
pub struct BenchOptions {
    /// Store under test: a PostgreSQL URL, or a fresh SQLite file when absent.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Herald nodes sharing the database (PostgreSQL only); the load is
    /// spread over their APIs.
    #[arg(long, default_value_t = 1)]
    pub nodes: usize,
    /// Publishing requests in flight (ingest, delivery, ceiling).
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Size of each event's payload in bytes.
    #[arg(long, default_value_t = 1024)]
    pub payload_bytes: usize,
    /// How long the ingest and ceiling runs last, in seconds.
    #[arg(long, default_value_t = 10)]
    pub duration_secs: u64,
    /// Events published in each delivery-throughput run.
    #[arg(long, default_value_t = 20_000)]
    pub events: usize,
    /// Events per second in the end-to-end latency run.
    #[arg(long, default_value_t = 500)]
    pub rate: u32,
    /// Length of the end-to-end latency run, in seconds.
    #[arg(long, default_value_t = 20)]
    pub latency_secs: u64,
    /// Scenarios to run, comma-separated: ceiling,ingest,delivery,fanout,latency,
    /// and the fault scenarios hol (a hanging endpoint with a backlog beside
    /// healthy ones), cancel (clients that drop publishes mid-request),
    /// restart (kill -9 with deliveries in flight), soak (SQLite WAL size),
    /// recovery (a bulk recovery under live traffic), fifo (ordered delivery over 1, 10 and 1,000 keys),
    /// fair (20 healthy endpoints beside a hanging one and a slow tenant, each with a backlog).
    #[arg(long, default_value = "ceiling,ingest,delivery,fanout,latency", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Length of the head-of-line runs, in seconds.
    #[arg(long, default_value_t = 30)]
    pub fault_secs: u64,
    /// Events the ordered-delivery scenario (fifo) publishes per key count.
    #[arg(long, default_value_t = 2000)]
    pub fifo_events: usize,
    /// Deliveries queued for the hanging endpoint, and for the slow tenant, in the fairness scenario.
    #[arg(long, default_value_t = 100_000)]
    pub fair_backlog: usize,
    /// Failed deliveries the recovery scenario recovers.
    #[arg(long, default_value_t = 100_000)]
    pub recovery_events: usize,
    /// Length of the soak run, in seconds.
    #[arg(long, default_value_t = 60)]
    pub soak_secs: u64,
    /// The herald executable to measure (default: this one), e.g. an older build.
    #[arg(long)]
    pub herald_bin: Option<std::path::PathBuf>,
    /// The nodes' log level. Above `warn` their log goes to a file in the
    /// node's scratch directory (not the terminal), as a server's would, so
    /// the cost of writing it (one line per attempt at `info`) is measured.
    #[arg(long, default_value = "warn")]
    pub node_log_level: String,
    /// Keep the nodes' logs in this directory (`node-N.log`, N counting the
    /// nodes started) instead of each node's scratch directory.
    #[arg(long)]
    pub node_log_dir: Option<std::path::PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize, Default)]
pub struct Report {
    cores: usize,
    store: String,
    nodes: usize,
    payload_bytes: usize,
    concurrency: usize,
    ceiling_posts_per_sec: Option<f64>,
    ingest: Option<Ingest>,
    delivery_1_endpoint: Option<Throughput>,
    delivery_10_endpoints: Option<Throughput>,
    latency: Option<Latency>,
    head_of_line: Option<faults::HeadOfLine>,
    cancelled_publishes: Option<faults::Cancelled>,
    restart: Option<faults::Restart>,
    soak: Option<faults::Soak>,
    recovery: Option<recovery::RecoveryRun>,
    fifo: Option<Vec<ordered::OrderedRun>>,
    fairness: Option<fairness::Fairness>,
    herald_peak_rss_mb: f64,
    herald_cpu_secs: f64,
}

#[derive(Serialize)]
struct Ingest {
    accepted_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
    delivered_during_run: usize,
}

#[derive(Serialize)]
struct Throughput {
    events: usize,
    deliveries: usize,
    deliveries_per_sec: f64,
    publish_secs: f64,
    errors: usize,
}

#[derive(Serialize)]
struct Latency {
    rate: u32,
    events: usize,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    api_p50_ms: f64,
    api_p99_ms: f64,
    errors: usize,
}

fn event_body(payload_bytes: usize) -> Arc<String> {
    let overhead = r#"{"data":""}"#.len();
    let filler = "x".repeat(payload_bytes.saturating_sub(overhead));
    Arc::new(json!({ "event_type": "bench.event", "payload": { "data": filler } }).to_string())
}

struct Usage {
    rss: u64,
    cpu: f64,
}

impl Usage {
    fn add(&mut self, cluster: &Cluster) {
        let (rss, cpu) = cluster.usage();
        self.rss = self.rss.max(rss);
        self.cpu += cpu;
    }
}

pub async fn run(opts: BenchOptions) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let store = match &opts.database_url {
        Some(u) if u.starts_with("postgres") => "postgresql".to_owned(),
        Some(_) => "sqlite (given url)".to_owned(),
        None => "sqlite (fresh file)".to_owned(),
    };
    let mut report = Report {
        cores,
        store,
        nodes: opts.nodes,
        payload_bytes: opts.payload_bytes,
        concurrency: opts.concurrency,
        ..Report::default()
    };
    let mut usage = Usage { rss: 0, cpu: 0.0 };
    let wants = |s: &str| opts.only.iter().any(|o| o == s);
    if let Some(bin) = &opts.herald_bin {
        let _ = node::HERALD_BIN.set(bin.clone());
    }
    let _ = node::LOG_LEVEL.set(opts.node_log_level.clone());
    if let Some(dir) = &opts.node_log_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let _ = node::LOG_DIR.set(dir.clone());
    }
    if !opts.json {
        eprintln!(
            "herald bench: {cores} cores, store {}, {} node(s), payload {} B, concurrency {}",
            report.store, opts.nodes, opts.payload_bytes, opts.concurrency
        );
    }
    if wants("ceiling") {
        report.ceiling_posts_per_sec = Some(ceiling(&opts).await?);
    }
    if wants("ingest") {
        report.ingest = Some(ingest(&opts, &mut usage).await?);
    }
    if wants("delivery") {
        report.delivery_1_endpoint = Some(delivery(&opts, 1, &mut usage).await?);
    }
    if wants("fanout") {
        report.delivery_10_endpoints = Some(delivery(&opts, 10, &mut usage).await?);
    }
    if wants("latency") {
        report.latency = Some(latency(&opts, &mut usage).await?);
    }
    if wants("hol") {
        report.head_of_line = Some(faults::head_of_line(&opts, &mut usage).await?);
    }
    if wants("cancel") {
        report.cancelled_publishes = Some(faults::cancelled(&opts, &mut usage).await?);
    }
    if wants("restart") {
        report.restart = Some(faults::restart(&opts).await?);
    }
    if wants("soak") {
        report.soak = Some(faults::soak(&opts, &mut usage).await?);
    }
    if wants("recovery") {
        report.recovery = Some(recovery::under_live_traffic(&opts, &mut usage).await?);
    }
    if wants("fifo") {
        report.fifo = Some(ordered::fifo(&opts, &mut usage).await?);
    }
    if wants("fair") {
        report.fairness = Some(fairness::at_scale(&opts, &mut usage).await?);
    }
    report.herald_peak_rss_mb = usage.rss as f64 / (1024.0 * 1024.0);
    report.herald_cpu_secs = usage.cpu;
    if opts.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

fn progress(opts: &BenchOptions, what: &str) {
    if !opts.json {
        eprintln!("  running {what}...");
    }
}

async fn ceiling(opts: &BenchOptions) -> anyhow::Result<f64> {
    progress(opts, "ceiling (plain client -> receiver)");
    let rx = BenchReceiver::start().await?;
    let client = reqwest::Client::builder().tcp_nodelay(true).build()?;
    let d = Duration::from_secs(opts.duration_secs);
    let n = raw_posts(client, rx.url(), event_body(opts.payload_bytes), opts.concurrency, d).await;
    Ok(n as f64 / d.as_secs_f64())
}

async fn ingest(opts: &BenchOptions, usage: &mut Usage) -> anyhow::Result<Ingest> {
    progress(opts, "ingest");
    let rx = BenchReceiver::start().await?;
    let cluster = Cluster::start(opts.database_url.as_deref(), opts.nodes).await?;
    let urls = Arc::new(cluster.setup(1, &rx.url()).await?);
    let d = Duration::from_secs(opts.duration_secs);
    let started = Instant::now();
    let (samples, errors) =
        closed_loop(cluster.client(), urls, event_body(opts.payload_bytes), opts.concurrency, Some(started + d), None)
            .await;
    let elapsed = started.elapsed();
    let mut lat: Vec<Duration> = samples.iter().map(|s| s.2).collect();
    lat.sort();
    let delivered = rx.count();
    usage.add(&cluster);
    cluster.stop().await?;
    Ok(Ingest {
        accepted_per_sec: samples.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: quantile_ms(&lat, 0.5),
        p99_ms: quantile_ms(&lat, 0.99),
        errors,
        delivered_during_run: delivered,
    })
}

/// Waits until `n` arrivals (bounded by `limit`).
async fn wait_arrivals(rx: &BenchReceiver, n: usize, limit: Duration) -> anyhow::Result<()> {
    let end = Instant::now() + limit;
    while rx.count() < n {
        if Instant::now() > end {
            bail!("only {} of {n} deliveries arrived within {} s", rx.count(), limit.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

async fn delivery(opts: &BenchOptions, endpoints: usize, usage: &mut Usage) -> anyhow::Result<Throughput> {
    progress(opts, &format!("delivery to {endpoints} endpoint(s), {} events", opts.events));
    let rx = BenchReceiver::start().await?;
    let cluster = Cluster::start(opts.database_url.as_deref(), opts.nodes).await?;
    let urls = Arc::new(cluster.setup(endpoints, &rx.url()).await?);
    let started = Instant::now();
    let (samples, errors) =
        closed_loop(cluster.client(), urls, event_body(opts.payload_bytes), opts.concurrency, None, Some(opts.events))
            .await;
    let publish_secs = started.elapsed().as_secs_f64();
    let expected = samples.len() * endpoints;
    wait_arrivals(&rx, expected, Duration::from_secs(600)).await.context("waiting for deliveries")?;
    let last = rx.take().iter().map(|a| a.1).max().unwrap_or_else(Instant::now);
    usage.add(&cluster);
    cluster.stop().await?;
    Ok(Throughput {
        events: samples.len(),
        deliveries: expected,
        deliveries_per_sec: expected as f64 / last.duration_since(started).as_secs_f64(),
        publish_secs,
        errors,
    })
}

async fn latency(opts: &BenchOptions, usage: &mut Usage) -> anyhow::Result<Latency> {
    progress(opts, &format!("end-to-end latency at {} events/s for {} s", opts.rate, opts.latency_secs));
    let rx = BenchReceiver::start().await?;
    let cluster = Cluster::start(opts.database_url.as_deref(), opts.nodes).await?;
    let urls = Arc::new(cluster.setup(1, &rx.url()).await?);
    let (samples, errors) = open_loop(
        cluster.client(),
        urls,
        event_body(opts.payload_bytes),
        opts.rate,
        Duration::from_secs(opts.latency_secs),
    )
    .await;
    wait_arrivals(&rx, samples.len(), Duration::from_secs(120)).await?;
    let arrivals: std::collections::HashMap<String, Instant> = rx.take().into_iter().collect();
    let mut lat: Vec<Duration> = samples
        .iter()
        .filter_map(|(id, sent, _)| arrivals.get(id).map(|at| at.saturating_duration_since(*sent)))
        .collect();
    lat.sort();
    let mut api: Vec<Duration> = samples.iter().map(|s| s.2).collect();
    api.sort();
    usage.add(&cluster);
    cluster.stop().await?;
    Ok(Latency {
        api_p50_ms: quantile_ms(&api, 0.5),
        api_p99_ms: quantile_ms(&api, 0.99),
        rate: opts.rate,
        events: lat.len(),
        p50_ms: quantile_ms(&lat, 0.5),
        p95_ms: quantile_ms(&lat, 0.95),
        p99_ms: quantile_ms(&lat, 0.99),
        max_ms: lat.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
        errors,
    })
}

fn print_table(r: &Report) {
    println!(
        "Herald bench: {} cores, store {}, {} node(s), payload {} B, concurrency {}",
        r.cores, r.store, r.nodes, r.payload_bytes, r.concurrency
    );
    println!("{:-<78}", "");
    if let Some(c) = r.ceiling_posts_per_sec {
        println!("{:<28} {:>10.0} POSTs/s (plain client -> receiver, no Herald)", "ceiling", c);
    }
    if let Some(i) = &r.ingest {
        println!(
            "{:<28} {:>10.0} events/s accepted   API p50 {:.2} ms  p99 {:.2} ms  ({} errors, {} delivered meanwhile)",
            "ingest", i.accepted_per_sec, i.p50_ms, i.p99_ms, i.errors, i.delivered_during_run
        );
    }
    for (name, t) in
        [("delivery, 1 endpoint", &r.delivery_1_endpoint), ("delivery, 10 endpoints", &r.delivery_10_endpoints)]
    {
        if let Some(t) = t {
            println!(
                "{:<28} {:>10.0} deliveries/s   {} events -> {} deliveries (publishing took {:.1} s, {} errors)",
                name, t.deliveries_per_sec, t.events, t.deliveries, t.publish_secs, t.errors
            );
        }
    }
    if let Some(l) = &r.latency {
        println!(
            "{:<28} p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} events at {}/s, {} errors; API p50 {:.2} ms p99 {:.2} ms)",
            "end-to-end latency", l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms, l.events, l.rate, l.errors, l.api_p50_ms, l.api_p99_ms
        );
    }
    if let Some(h) = &r.head_of_line {
        for (name, run) in [("healthy alone", &h.without_hanging), ("healthy beside a hanging one", &h.with_hanging)] {
            println!(
                "{:<28} p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} of {} deliveries)",
                name, run.p50_ms, run.p99_ms, run.max_ms, run.delivered, run.expected
            );
            print_slow(run);
        }
    }
    if let Some(c) = &r.cancelled_publishes {
        println!(
            "{:<28} {} sent, {} committed, {} delivered: p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms, {} later than 1 s",
            "cancelled publishes", c.sent, c.committed, c.delivered, c.p50_ms, c.p99_ms, c.max_ms, c.later_than_1s
        );
    }
    if let Some(k) = &r.restart {
        println!(
            "{:<28} {} in flight at the kill, re-sent within {:.0} ms of the restart, all {} of {} delivered within {:.0} ms, {} duplicates",
            "kill -9 and restart", k.in_flight_at_kill, k.resent_within_ms, k.delivered_distinct, k.events,
            k.all_delivered_within_ms, k.duplicates
        );
    }
    if let Some(s) = &r.soak {
        println!(
            "{:<28} {} s at {}/s: WAL largest {:.1} MB, final {:.1} MB, database {:.1} MB, RSS {:.1} MB ({} of {} delivered)",
            "soak (SQLite WAL)", s.secs, s.rate, s.largest_wal_mb, s.final_wal_mb, s.database_mb, s.peak_rss_mb,
            s.delivered, s.expected
        );
        println!(
            "{:<28} end-to-end p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.1} ms; API p99 {:.2} ms, max {:.1} ms",
            "", s.p50_ms, s.p99_ms, s.p999_ms, s.max_ms, s.api_p99_ms, s.api_max_ms
        );
    }
    if let Some(v) = &r.recovery {
        println!(
            "{:<28} {} of {} failed deliveries recovered in {:.1} s; live traffic meanwhile: {} events, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms",
            "bulk recovery", v.recovered, v.failed, v.recovery_secs, v.live_events, v.live_p50_ms, v.live_p99_ms, v.live_max_ms
        );
    }
    for f in r.fifo.iter().flatten() {
        println!(
            "{:<28} {:>6.0} deliveries/s   {} events over {} key(s), each key in order",
            "ordered (fifo)", f.deliveries_per_sec, f.events, f.keys
        );
    }
    if let Some(f) = &r.fairness {
        for (name, run) in [("fair: healthy alone", &f.without_bad), ("fair: beside hanging + tenant", &f.with_bad)] {
            println!(
                "{:<28} p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} of {} deliveries)",
                name, run.p50_ms, run.p99_ms, run.max_ms, run.delivered, run.expected
            );
            print_slow(run);
        }
        println!(
            "{:<28} {} queued for each of the two in {:.1} s; the tenant got {} requests meanwhile",
            "fair: backlogs", f.backlog_each, f.queueing_secs, f.tenant_requests
        );
    }
    println!(
        "{:<28} peak RSS {:.1} MB, CPU {:.1} s (Herald's process only)",
        "herald", r.herald_peak_rss_mb, r.herald_cpu_secs
    );
}

/// The seconds of a healthy run that had deliveries slower than
/// [`faults::SLOW`]: `second:count`, and `/api N` when N of them were
/// already slow to be accepted by the API; then the host's CPU steal over
/// the run, and the seconds with [`STEAL_SHOWN`] percent or more.
fn print_slow(run: &faults::HealthyRun) {
    if !run.slow_by_second.is_empty() {
        let parts: Vec<String> = run
            .slow_by_second
            .iter()
            .map(|(s, n, api)| if *api > 0 { format!("{s}:{n}/api {api}") } else { format!("{s}:{n}") })
            .collect();
        println!("{:<28} slower than {} ms, by second of the run: {}", "", faults::SLOW.as_millis(), parts.join(" "));
    }
    let high: Vec<String> = (0u64..)
        .zip(&run.steal.by_second)
        .filter(|(_, p)| **p >= STEAL_SHOWN)
        .map(|(s, p)| format!("{s}:{p:.0}%"))
        .collect();
    let seconds = if high.is_empty() {
        String::new()
    } else {
        format!("; seconds at {STEAL_SHOWN}% or more: {}", high.join(" "))
    };
    println!("{:<28} host CPU steal {:.1}% of the run{seconds}", "", run.steal.run_pct);
}

/// Seconds of a healthy run with more CPU steal than this are listed.
const STEAL_SHOWN: f64 = 5.0;
