//! Fairness at scale: 20 healthy endpoints beside an endpoint that hangs
//! for the whole timeout with 100,000 deliveries queued for it, and a big
//! tenant (one application, 10 endpoints that answer after 2 s) with
//! 100,000 deliveries queued over them. The healthy endpoints' end-to-end
//! latency is measured with and without the two, on as many nodes as
//! `--nodes` says.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::faults::{healthy_latency, HealthyRun};
use crate::load::closed_loop;
use crate::node::Cluster;
use crate::receiver::{BenchReceiver, HangingReceiver};
use crate::{event_body, progress, BenchOptions, Usage};

/// Healthy endpoints and the events a second published to their application.
const HEALTHY: usize = 20;
const HEALTHY_EVENTS_PER_SEC: u32 = 25;
/// The tenant's endpoints, and how long each takes to answer.
const TENANT_ENDPOINTS: usize = 10;
const TENANT_ANSWERS_AFTER: Duration = Duration::from_secs(2);

#[derive(Serialize)]
pub struct Fairness {
    pub backlog_each: usize,
    pub without_bad: HealthyRun,
    pub with_bad: HealthyRun,
    /// How long queueing both backlogs took.
    pub queueing_secs: f64,
    /// What the tenant's receiver got while the healthy ones were measured.
    pub tenant_requests: usize,
}

pub async fn at_scale(opts: &BenchOptions, usage: &mut Usage) -> anyhow::Result<Fairness> {
    let backlog = opts.fair_backlog;
    progress(opts, &format!("fairness: {HEALTHY} healthy endpoints alone, {} node(s)", opts.nodes));
    let without_bad = {
        let rx = BenchReceiver::start().await?;
        let cluster = Cluster::start(opts.database_url.as_deref(), opts.nodes).await?;
        let run = healthy_latency(opts, &cluster, &rx, HEALTHY, HEALTHY_EVENTS_PER_SEC).await?;
        usage.add(&cluster);
        cluster.stop().await?;
        run
    };
    progress(
        opts,
        &format!("fairness: the same beside a hanging endpoint and a slow tenant, {backlog} queued for each"),
    );
    let rx = BenchReceiver::start().await?;
    let hang = HangingReceiver::start().await?;
    let tenant = BenchReceiver::start_answering_after(TENANT_ANSWERS_AFTER).await?;
    let cluster = Cluster::start(opts.database_url.as_deref(), opts.nodes).await?;
    let started = Instant::now();
    let body = event_body(opts.payload_bytes);
    let hanging_urls = Arc::new(cluster.setup(1, &hang.url()).await?);
    let (_, errors) = closed_loop(cluster.client(), hanging_urls, body.clone(), 32, None, Some(backlog)).await;
    anyhow::ensure!(errors == 0, "{errors} publishes to the hanging endpoint failed");
    let tenant_urls = Arc::new(cluster.setup(TENANT_ENDPOINTS, &tenant.url()).await?);
    let events = backlog / TENANT_ENDPOINTS;
    let (_, errors) = closed_loop(cluster.client(), tenant_urls, body, 32, None, Some(events)).await;
    anyhow::ensure!(errors == 0, "{errors} publishes to the tenant failed");
    let queueing_secs = started.elapsed().as_secs_f64();
    tenant.take();
    let with_bad = healthy_latency(opts, &cluster, &rx, HEALTHY, HEALTHY_EVENTS_PER_SEC).await?;
    let tenant_requests = tenant.count();
    usage.add(&cluster);
    cluster.stop().await?;
    Ok(Fairness { backlog_each: backlog, without_bad, with_bad, queueing_secs, tenant_requests })
}
