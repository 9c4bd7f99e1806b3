//! The bulk-recovery runner: on every node with workers, it takes the
//! oldest open recovery job no other node holds and re-queues its failed
//! deliveries a batch at a time, pausing between batches so that a large
//! recovery leaves room for live traffic. The job's progress and cursor
//! live in the database, so a restart resumes it where it stopped.

use std::sync::Arc;
use std::time::Duration;

use herald_core::Clock;
use herald_store::{Recovery, RecoveryStep, Store};
use tokio::sync::{watch, Notify};

#[derive(Clone, Debug)]
pub struct RecoverySettings {
    /// Deliveries re-queued per batch.
    pub batch: u32,
    /// Pause after each batch: with `batch`, the pace of a recovery.
    pub pause: Duration,
    /// How often an idle node looks for a job.
    pub poll: Duration,
    /// How long a job stays with a node that stops renewing it.
    pub lease: Duration,
}

pub struct RecoveryRunner {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub node: String,
    pub settings: RecoverySettings,
    /// Wakes this node's delivery worker when deliveries are re-queued.
    pub wake: Arc<Notify>,
}

impl RecoveryRunner {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let now = self.clock.now();
            match self.store.claim_recovery(&self.node, now, self.settings.lease).await {
                Ok(Some(job)) => self.work(&job, &mut stop).await,
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not look for recovery jobs"),
            }
            if pause(self.settings.poll, &mut stop).await {
                return;
            }
        }
    }

    async fn work(&self, job: &Recovery, stop: &mut watch::Receiver<bool>) {
        tracing::info!(recovery = %job.id, total = job.total, done = job.done, "running a bulk recovery");
        loop {
            let step = self
                .store
                .recovery_step(&job.id, &self.node, self.clock.now(), self.settings.lease, self.settings.batch)
                .await;
            match step {
                Ok(RecoveryStep::Requeued(n)) => {
                    if n > 0 {
                        self.wake.notify_one();
                    }
                }
                Ok(RecoveryStep::Finished) => {
                    tracing::info!(recovery = %job.id, "bulk recovery done");
                    return;
                }
                Ok(RecoveryStep::Stopped) => return,
                Err(e) => {
                    tracing::warn!(recovery = %job.id, error = %e, "a recovery batch failed; it will be tried again");
                    return;
                }
            }
            if pause(self.settings.pause, stop).await {
                return;
            }
        }
    }
}

/// Sleeps for `d`; true when asked to stop meanwhile.
pub(crate) async fn pause(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    let stopped = tokio::select! {
        () = tokio::time::sleep(d) => None,
        _ = stop.wait_for(|s| *s) => Some(true),
    };
    stopped.unwrap_or_else(|| *stop.borrow())
}
