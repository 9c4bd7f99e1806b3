//! Delivery workers: claim due deliveries under a lease, send them
//! concurrently, and settle the outcomes in batches (one commit for many).

pub mod connect;
pub mod dispatch;
pub mod egress;
pub mod handshake;
pub mod http;
mod lanes;
mod leases;
pub mod oauth;
mod sender;
pub mod tls;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use herald_core::EndpointId;
use herald_store::{ClaimRequest, ClaimedDelivery, Settlement, Store};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinSet;
use tokio::time::Instant;

use dispatch::DispatchQueue;
use lanes::{Admit, Lanes};
use leases::Held;
pub use sender::{context, effective_profile, request_headers, Sender, USER_AGENT_VALUE};

#[derive(Clone, Debug)]
pub struct WorkerSettings {
    pub concurrency: usize,
    pub batch_size: u32,
    pub poll_interval: Duration,
    pub lease: Duration,
    /// Most send slots one endpoint may hold at once.
    pub max_per_endpoint: usize,
    /// Most send slots the endpoints of one application may hold at once.
    pub max_per_application: usize,
}

pub struct Worker {
    pub store: Arc<dyn Store>,
    pub sender: Sender,
    pub settings: WorkerSettings,
    pub wake: Arc<Notify>,
    /// Deliveries this process's API published already leased to us.
    pub handed_over: Option<DispatchQueue>,
}

/// Most outcomes written in one transaction.
const SETTLE_BATCH: usize = 512;
/// How long a small batch of outcomes waits for more before it is written.
const SETTLE_GATHER: Duration = Duration::from_millis(5);
/// The first pause before settling again after the database was unavailable;
/// each further try waits one more of these, up to [`SETTLE_RETRY_MAX`].
const SETTLE_RETRY_FIRST: Duration = Duration::from_millis(200);
const SETTLE_RETRY_MAX: Duration = Duration::from_secs(2);

/// The requests in flight and the endpoints' shares of them.
struct Slots {
    sender: Sender,
    outcomes: mpsc::UnboundedSender<Settlement>,
    held: Held,
    lanes: Lanes,
    in_flight: JoinSet<EndpointId>,
    /// Endpoints the last claims gave their whole share: a backlog may wait
    /// behind them in the store.
    capped: HashSet<EndpointId>,
    /// Endpoints whose deliveries came through their gates.
    gated: HashSet<EndpointId>,
    /// A gated endpoint's request ended: its gate may let another through.
    gate_freed: bool,
    /// Claimed deliveries that found no free slot (hand-overs took them while
    /// the claim ran): leased and renewed, started first as slots free up.
    waiting: std::collections::VecDeque<ClaimedDelivery>,
}

impl Slots {
    /// Sends `d` now if its endpoint has a free share, else holds it or
    /// gives its lease back. The caller makes sure a slot is free.
    fn offer(&mut self, d: ClaimedDelivery) {
        self.held.add(&d);
        match self.lanes.admit(d) {
            Admit::Send(d) => self.start(d),
            Admit::Held => {}
            Admit::Release(d) => {
                self.held.remove(d.delivery_id);
                let _ = self.outcomes.send(dispatch::release(&d));
            }
        }
    }

    fn start(&mut self, d: ClaimedDelivery) {
        let (sender, outcomes, held) = (self.sender.clone(), self.outcomes.clone(), self.held.clone());
        sender.metrics.slot(1);
        self.in_flight.spawn(async move {
            let ep = d.endpoint.id.clone();
            let settlement = sender.deliver(d).await;
            sender.metrics.slot(-1);
            held.remove(settlement.delivery_id);
            let _ = outcomes.send(settlement);
            ep
        });
    }

    /// A request to `ep` ended: start the next delivery held for it. True
    /// when nothing was held and the last claim gave `ep` its whole share
    /// (so more of its deliveries may be due in the store): claim again.
    fn finished(&mut self, ep: &EndpointId) -> bool {
        self.gate_freed |= self.gated.contains(ep);
        let done = self.lanes.finished(ep);
        if let Some(mut d) = done.next {
            self.held.refresh(&mut d);
            self.start(d);
            return false;
        }
        self.capped.remove(ep) | done.app_was_full
    }

    /// Takes the requests that ended; true when one calls for a claim.
    fn reap(&mut self) -> bool {
        let mut claim = false;
        while let Some(done) = self.in_flight.try_join_next() {
            if let Ok(ep) = done {
                claim |= self.finished(&ep);
            }
        }
        claim
    }

    fn free(&self, concurrency: usize) -> usize {
        concurrency.saturating_sub(self.in_flight.len())
    }
}

impl Worker {
    /// Runs until `shutdown` turns true; then stops claiming, lets requests in
    /// flight finish (each is bounded by the delivery timeout) and settles
    /// them. Deliveries handed over or held but not started get their leases
    /// back; anything left unsettled comes back when its lease runs out.
    ///
    /// Work arrives two ways: handed over by publishing (already leased), and
    /// claimed from the store, which holds retries, deliveries published by
    /// other nodes and any the hand-over did not take. The store is asked
    /// when woken, when the poll interval passes, and again right away while
    /// claims come back full. Claims go round the endpoints (a position kept
    /// here), at most an endpoint's share at a time, leaving out endpoints
    /// and applications whose share is taken.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        let (tx, rx) = mpsc::unbounded_channel::<Settlement>();
        let settler = tokio::spawn(settle_loop(
            self.store.clone(),
            self.sender.clock.clone(),
            self.sender.metrics.clone(),
            self.wake.clone(),
            rx,
        ));
        let held = Held::default();
        let (stop_renewing, renewing) = watch::channel(false);
        let renewer = tokio::spawn(held.clone().renew_loop(
            self.store.clone(),
            self.sender.clock.clone(),
            self.settings.lease,
            renewing,
        ));
        let concurrency = self.settings.concurrency;
        let cap = self.settings.max_per_endpoint;
        let app_cap = self.settings.max_per_application;
        let mut slots = Slots {
            sender: self.sender.clone(),
            outcomes: tx,
            held,
            lanes: Lanes::new(cap, app_cap),
            in_flight: JoinSet::new(),
            capped: HashSet::new(),
            gated: HashSet::new(),
            gate_freed: false,
            waiting: std::collections::VecDeque::new(),
        };
        let per_endpoint = u32::try_from(cap).unwrap_or(u32::MAX);
        let mut cursor = String::new();
        let mut want_claim = true;
        let mut next_poll = Instant::now() + self.settings.poll_interval;
        // When to ask the gates (paused, rate-limited, capped endpoints) next.
        let mut gates_at = Instant::now();

        while !*shutdown.borrow() {
            // An endpoint with a backlog in the store freed a slot: claim
            // more now rather than at the next poll.
            want_claim |= slots.reap();
            while slots.free(concurrency) > 0 {
                let Some(mut d) = slots.waiting.pop_front() else { break };
                slots.held.refresh(&mut d);
                slots.offer(d);
            }
            // Take handed-over deliveries only while a send slot is free, so
            // the rest stay in the queue (and are given back on a stop).
            if let Some(queue) = self.handed_over.as_mut() {
                while slots.free(concurrency) > 0 {
                    let Some(d) = queue.try_recv() else { break };
                    slots.offer(d);
                }
            }
            // The gates first, when due: a backlog of ungated deliveries
            // must not keep them waiting.
            let free = slots.free(concurrency);
            if free > 0 && (slots.gate_freed || Instant::now() >= gates_at) {
                slots.gate_freed = false;
                let limit = u32::try_from(free).unwrap_or(u32::MAX).min(self.settings.batch_size);
                gates_at = self.claim_gated(&mut slots, limit, per_endpoint).await;
            }
            let free = slots.free(concurrency);
            if want_claim && free > 0 {
                let limit = u32::try_from(free).unwrap_or(u32::MAX).min(self.settings.batch_size);
                let (skip, skip_apps) = (slots.lanes.full(), slots.lanes.full_apps());
                let req = ClaimRequest {
                    now: self.sender.clock.now(),
                    limit,
                    lease: self.settings.lease,
                    per_endpoint,
                    skip: &skip,
                    skip_apps: &skip_apps,
                    after: &cursor,
                };
                let started = Instant::now();
                // Deliveries handed over meanwhile start while the claim is
                // in the database: a slow claim must not hold them back.
                let claimed = {
                    let claim = self.store.claim_batch(&req);
                    tokio::pin!(claim);
                    loop {
                        tokio::select! {
                            biased;
                            c = &mut claim => break c,
                            Some(d) = next_handed_over(&mut self.handed_over), if slots.free(concurrency) > 0 => {
                                slots.offer(d);
                            }
                        }
                    }
                };
                self.sender.metrics.store_op("claim", started.elapsed());
                let claimed = match claimed {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::error!(error = %e, "claiming deliveries failed; retrying after the poll interval");
                        Vec::new()
                    }
                };
                next_poll = Instant::now() + self.settings.poll_interval;
                let from_start = cursor.is_empty();
                if claimed.len() as u32 == limit {
                    // More may be due: go on from the last endpoint served.
                    cursor = claimed.iter().map(|d| d.endpoint.id.as_str()).max().unwrap_or("").to_owned();
                    want_claim = true;
                } else {
                    // The walk reached the last endpoint: once more from the first.
                    cursor.clear();
                    want_claim = !from_start;
                }
                let got = !claimed.is_empty();
                let mut per: HashMap<EndpointId, u32> = HashMap::new();
                for d in &claimed {
                    *per.entry(d.endpoint.id.clone()).or_default() += 1;
                }
                slots.capped.extend(per.into_iter().filter(|(_, n)| *n >= per_endpoint).map(|(ep, _)| ep));
                for d in claimed {
                    // Hand-overs taken during the claim may have used the
                    // slots it was sized for: the rest wait for a slot.
                    if slots.free(concurrency) > 0 {
                        slots.offer(d);
                    } else {
                        slots.held.add(&d);
                        slots.waiting.push_back(d);
                    }
                }
                if got || want_claim {
                    // Let the sends start before claiming again.
                    tokio::task::yield_now().await;
                    continue;
                }
            }
            tokio::select! {
                d = next_handed_over(&mut self.handed_over), if free > 0 => match d {
                    Some(d) => slots.offer(d),
                    None => self.handed_over = None,
                },
                _ = self.wake.notified() => {
                    want_claim = true;
                    gates_at = Instant::now();
                }
                _ = tokio::time::sleep_until(next_poll) => {
                    want_claim = true;
                    gates_at = Instant::now();
                    next_poll = Instant::now() + self.settings.poll_interval;
                }
                _ = tokio::time::sleep_until(gates_at), if free > 0 => {}
                Some(done) = slots.in_flight.join_next(), if !slots.in_flight.is_empty() => {
                    if let Ok(ep) = done {
                        want_claim |= slots.finished(&ep);
                    }
                }
                _ = shutdown.changed() => {}
            }
        }
        let mut unstarted = slots.lanes.drain_held();
        unstarted.extend(slots.waiting.drain(..));
        if let Some(mut queue) = self.handed_over.take() {
            unstarted.extend(queue.close());
        }
        for d in &unstarted {
            slots.held.remove(d.delivery_id);
            let _ = slots.outcomes.send(dispatch::release(d));
        }
        while slots.in_flight.join_next().await.is_some() {}
        let _ = stop_renewing.send(true);
        let _ = renewer.await;
        drop(slots);
        let _ = settler.await;
    }
}

impl Worker {
    /// Claims through the gates and starts what they let out; returns when
    /// to ask them again: when the next token is due, at once when the
    /// claim came back full, else at the next poll.
    async fn claim_gated(&self, slots: &mut Slots, limit: u32, per_endpoint: u32) -> Instant {
        let (skip, skip_apps) = (slots.lanes.full(), slots.lanes.full_apps());
        let started = Instant::now();
        let now = self.sender.clock.now();
        let lease = self.settings.lease;
        let req = ClaimRequest { now, limit, lease, per_endpoint, skip: &skip, skip_apps: &skip_apps, after: "" };
        let claimed = self.store.claim_gated(&req).await;
        self.sender.metrics.store_op("claim_gated", started.elapsed());
        let claimed = match claimed {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "claiming through the gates failed; retrying after the poll interval");
                return Instant::now() + self.settings.poll_interval;
            }
        };
        let full = claimed.deliveries.len() as u32 >= limit;
        for d in claimed.deliveries {
            slots.gated.insert(d.endpoint.id.clone());
            slots.offer(d);
        }
        if full {
            return Instant::now();
        }
        match claimed.next_at {
            Some(t) => {
                // From when `now` was read: the claim's own time must not
                // delay the next token (with a burst of 1 it would be lost).
                let wait = u64::try_from(t.as_millis() - now.as_millis()).unwrap_or(0);
                started + Duration::from_millis(wait).min(self.settings.poll_interval)
            }
            None => Instant::now() + self.settings.poll_interval,
        }
    }
}

async fn next_handed_over(queue: &mut Option<DispatchQueue>) -> Option<ClaimedDelivery> {
    match queue {
        Some(q) => q.recv().await,
        None => std::future::pending().await,
    }
}

/// Writes outcomes as they arrive, batching whatever has queued up meanwhile.
async fn settle_loop(
    store: Arc<dyn Store>,
    clock: Arc<dyn herald_core::Clock>,
    metrics: Arc<crate::metrics::Metrics>,
    wake: Arc<Notify>,
    mut rx: mpsc::UnboundedReceiver<Settlement>,
) {
    let mut batch = Vec::with_capacity(SETTLE_BATCH);
    while rx.recv_many(&mut batch, SETTLE_BATCH).await > 0 {
        // A short wait lets a small batch grow: one larger commit writes
        // fewer pages than several small ones. Nothing waits on this but the
        // record (the send slot is already free), and the lease is far away.
        // Except for gated deliveries: at a FIFO endpoint the next of the
        // key waits for this record.
        if batch.len() < SETTLE_BATCH / 4 && !batch.iter().any(|s| s.ordered) {
            let deadline = tokio::time::Instant::now() + SETTLE_GATHER;
            while batch.len() < SETTLE_BATCH {
                let room = SETTLE_BATCH - batch.len();
                match tokio::time::timeout_at(deadline, rx.recv_many(&mut batch, room)).await {
                    Ok(n) if n > 0 => {}
                    _ => break,
                }
            }
        }
        let started = std::time::Instant::now();
        settle_batch(store.as_ref(), clock.as_ref(), &batch, &|| rx.is_closed()).await;
        metrics.store_op("settle", started.elapsed());
        if batch.iter().any(|s| s.gated) {
            // A gate may let the next through now (at a FIFO endpoint, the
            // next of the key only once this one is settled).
            wake.notify_one();
        }
        batch.clear();
    }
}

/// Writes one batch of outcomes. While the database is unreachable (or its
/// disk full) it tries again, with pauses growing to [`SETTLE_RETRY_MAX`],
/// for as long as it takes: a later write can store what this one could
/// not, so nothing is given up while the worker runs (once it stops, the
/// leases bring the rest back). When the database refuses the batch for
/// something in its rows, the halves are written apart, so one bad outcome
/// cannot cost the others.
async fn settle_batch(
    store: &dyn Store,
    clock: &dyn herald_core::Clock,
    batch: &[Settlement],
    stopping: &(dyn Fn() -> bool + Sync),
) {
    let mut todo = vec![batch];
    while let Some(part) = todo.pop() {
        let mut tries: u32 = 0;
        loop {
            match store.settle(part, clock.now()).await {
                Ok(_) => break,
                Err(e) if e.is_unavailable() && !stopping() => {
                    tries += 1;
                    if tries == 1 || tries.is_multiple_of(50) {
                        tracing::warn!(error = %e, tries, "settling outcomes failed; trying again until it works");
                    }
                    tokio::time::sleep((SETTLE_RETRY_FIRST * tries).min(SETTLE_RETRY_MAX)).await;
                }
                Err(e) if !e.is_unavailable() && part.len() > 1 => {
                    tracing::warn!(error = %e, count = part.len(), "a settle batch was refused; writing its halves apart");
                    let (left, right) = part.split_at(part.len() / 2);
                    todo.push(right);
                    todo.push(left);
                    break;
                }
                Err(e) => {
                    tracing::error!(error = %e, count = part.len(), "giving up settling outcomes; their leases bring them back");
                    break;
                }
            }
        }
    }
}
