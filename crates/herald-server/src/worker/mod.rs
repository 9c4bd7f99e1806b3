//! Delivery workers: claim due deliveries under a lease, send them
//! concurrently, and settle the outcomes in batches (one commit for many).

pub mod handshake;
mod sender;

use std::sync::Arc;
use std::time::Duration;

use herald_store::{Settlement, Store};
use tokio::sync::{mpsc, watch, Notify, Semaphore};
use tokio::task::JoinSet;

pub use sender::{build_client, effective_profile, Sender, USER_AGENT_VALUE};

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
}

/// Most outcomes written in one transaction.
const SETTLE_BATCH: usize = 512;

impl Worker {
    /// Runs until `shutdown` turns true; then stops claiming, lets requests in
    /// flight finish (each is bounded by the delivery timeout) and settles
    /// them. Anything left unsettled comes back when its lease runs out.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let (tx, rx) = mpsc::unbounded_channel::<Settlement>();
        let settler = tokio::spawn(settle_loop(self.store.clone(), self.sender.clock.clone(), rx));
        let permits = Arc::new(Semaphore::new(self.settings.concurrency));
        let mut in_flight = JoinSet::new();

        while !*shutdown.borrow() {
            while in_flight.try_join_next().is_some() {}
            let free = permits.available_permits();
            if free == 0 {
                tokio::select! {
                    _ = in_flight.join_next() => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            let limit = u32::try_from(free).unwrap_or(u32::MAX).min(self.settings.batch_size);
            let now = self.sender.clock.now();
            let claimed = match self.store.claim(now, limit, self.settings.lease).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "claiming deliveries failed; retrying after the poll interval");
                    Vec::new()
                }
            };
            if claimed.is_empty() {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(self.settings.poll_interval) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            let full_batch = claimed.len() as u32 == limit;
            for delivery in claimed {
                let Ok(permit) = permits.clone().acquire_owned().await else { break };
                let sender = self.sender.clone();
                let tx = tx.clone();
                in_flight.spawn(async move {
                    let settlement = sender.deliver(delivery).await;
                    let _ = tx.send(settlement);
                    drop(permit);
                });
            }
            if !full_batch {
                // Nothing else is due right now; yield so sends can start.
                tokio::task::yield_now().await;
            }
        }
        while in_flight.join_next().await.is_some() {}
        drop(tx);
        let _ = settler.await;
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
