//! Delivery workers: claim due deliveries under a lease, send them
//! concurrently, and settle the outcomes in batches (one commit for many).

pub mod dispatch;
pub mod handshake;
pub mod http;
mod sender;

use std::sync::Arc;
use std::time::Duration;

use herald_store::{ClaimedDelivery, Settlement, Store};
use tokio::sync::{mpsc, watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use dispatch::DispatchQueue;
pub use sender::{effective_profile, Sender, USER_AGENT_VALUE};

#[derive(Clone, Debug)]
pub struct WorkerSettings {
    pub concurrency: usize,
    pub batch_size: u32,
    pub poll_interval: Duration,
    pub lease: Duration,
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

impl Worker {
    /// Runs until `shutdown` turns true; then stops claiming, lets requests in
    /// flight finish (each is bounded by the delivery timeout) and settles
    /// them. Deliveries handed over but not started get their leases back;
    /// anything left unsettled comes back when its lease runs out.
    ///
    /// Work arrives two ways: handed over by publishing (already leased), and
    /// claimed from the store, which holds retries, deliveries published by
    /// other nodes and any the hand-over did not take. The store is asked
    /// when woken, when the poll interval passes, and again right away while
    /// claims come back full.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        let (tx, rx) = mpsc::unbounded_channel::<Settlement>();
        let settler = tokio::spawn(settle_loop(self.store.clone(), self.sender.clock.clone(), rx));
        let permits = Arc::new(Semaphore::new(self.settings.concurrency));
        let mut in_flight = JoinSet::new();
        let spawn = |in_flight: &mut JoinSet<()>, delivery: ClaimedDelivery, permit: OwnedSemaphorePermit| {
            let sender = self.sender.clone();
            let tx = tx.clone();
            in_flight.spawn(async move {
                let settlement = sender.deliver(delivery).await;
                let _ = tx.send(settlement);
                drop(permit);
            });
        };
        let mut want_claim = true;
        let mut next_poll = Instant::now() + self.settings.poll_interval;

        while !*shutdown.borrow() {
            while in_flight.try_join_next().is_some() {}
            // Take handed-over deliveries only while a send slot is free, so
            // the rest stay in the queue (and are given back on a stop).
            if let Some(queue) = self.handed_over.as_mut() {
                while let Ok(permit) = permits.clone().try_acquire_owned() {
                    let Some(d) = queue.try_recv() else { break };
                    spawn(&mut in_flight, d, permit);
                }
            }
            let free = permits.available_permits();
            if want_claim && free > 0 {
                let limit = u32::try_from(free).unwrap_or(u32::MAX).min(self.settings.batch_size);
                let now = self.sender.clock.now();
                let claimed = match self.store.claim(now, limit, self.settings.lease).await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::error!(error = %e, "claiming deliveries failed; retrying after the poll interval");
                        Vec::new()
                    }
                };
                next_poll = Instant::now() + self.settings.poll_interval;
                // A full claim means more may be due: ask again at once.
                want_claim = claimed.len() as u32 == limit;
                let got = !claimed.is_empty();
                for d in claimed {
                    let Ok(permit) = permits.clone().acquire_owned().await else { break };
                    spawn(&mut in_flight, d, permit);
                }
                if got {
                    if !want_claim {
                        // Nothing else is due right now; yield so sends can start.
                        tokio::task::yield_now().await;
                    }
                    continue;
                }
            }
            let free = permits.available_permits();
            tokio::select! {
                d = next_handed_over(&mut self.handed_over), if free > 0 => match d {
                    Some(d) => {
                        if let Ok(permit) = permits.clone().acquire_owned().await {
                            spawn(&mut in_flight, d, permit);
                        }
                    }
                    None => self.handed_over = None,
                },
                _ = self.wake.notified() => want_claim = true,
                _ = tokio::time::sleep_until(next_poll) => {
                    want_claim = true;
                    next_poll = Instant::now() + self.settings.poll_interval;
                }
                // Every slot is busy: wait for one to free up.
                _ = in_flight.join_next(), if free == 0 => {}
                _ = shutdown.changed() => {}
            }
        }
        if let Some(mut queue) = self.handed_over.take() {
            for d in queue.close() {
                let _ = tx.send(dispatch::release(&d));
            }
        }
        while in_flight.join_next().await.is_some() {}
        drop(tx);
        let _ = settler.await;
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
    mut rx: mpsc::UnboundedReceiver<Settlement>,
) {
    let mut batch = Vec::with_capacity(SETTLE_BATCH);
    while rx.recv_many(&mut batch, SETTLE_BATCH).await > 0 {
        // A short wait lets a small batch grow: one larger commit writes
        // fewer pages than several small ones. Nothing waits on this but the
        // record (the send slot is already free), and the lease is far away.
        if batch.len() < SETTLE_BATCH / 4 {
            let deadline = tokio::time::Instant::now() + SETTLE_GATHER;
            while batch.len() < SETTLE_BATCH {
                let room = SETTLE_BATCH - batch.len();
                match tokio::time::timeout_at(deadline, rx.recv_many(&mut batch, room)).await {
                    Ok(n) if n > 0 => {}
                    _ => break,
                }
            }
        }
        let mut tries = 0;
        loop {
            match store.settle(&batch, clock.now()).await {
                Ok(_) => break,
                Err(e) if tries < 5 => {
                    tries += 1;
                    tracing::warn!(error = %e, tries, "settling outcomes failed; trying again");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => {
                    // The leases will run out and the deliveries be sent again.
                    tracing::error!(error = %e, count = batch.len(), "giving up settling outcomes");
                    break;
                }
            }
        }
        batch.clear();
    }
}
