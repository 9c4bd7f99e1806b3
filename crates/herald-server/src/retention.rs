//! The retention cleaner: on every node with workers, it removes payloads
//! and attempt response bodies older than the configured period, a batch
//! at a time with a pause between batches, keeping the delivery records.
//! Nodes share a cursor in the database; two running at once repeat
//! harmless updates.

use std::sync::Arc;
use std::time::Duration;

use herald_core::Clock;
use herald_store::Store;
use tokio::sync::watch;

use crate::recovery::pause;

/// Pause between two batches, so a large first sweep leaves room for the
/// delivery traffic.
const BETWEEN_BATCHES: Duration = Duration::from_millis(100);

pub struct Cleaner {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub keep: Duration,
    pub batch: u32,
    pub every: Duration,
}

impl Cleaner {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            self.sweep(&mut stop).await;
            if pause(self.every, &mut stop).await {
                return;
            }
        }
    }

    async fn sweep(&self, stop: &mut watch::Receiver<bool>) {
        let (mut messages, mut attempts) = (0, 0);
        loop {
            let now = self.clock.now();
            let before = herald_core::Timestamp::from_millis(
                now.as_millis() - i64::try_from(self.keep.as_millis()).unwrap_or(i64::MAX),
            );
            match self.store.retention_step(before, self.batch, now).await {
                Ok((m, a)) => {
                    messages += m;
                    attempts += a;
                    if m < u64::from(self.batch) && a < u64::from(self.batch) {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a retention batch failed; it will be tried again");
                    break;
                }
            }
            if pause(BETWEEN_BATCHES, stop).await {
                return;
            }
        }
        if messages + attempts > 0 {
            tracing::info!(messages, attempts, "retention: old payloads and response bodies removed");
        }
    }
}

/// Deletes endpoints whose `expires_at` has passed (temporary endpoints,
/// such as a `herald listen` session's), as `DELETE` would: with their
/// pending deliveries, announced as `endpoint.deleted`. Once a minute it
/// also deletes API tokens a day past their expiry (portal links make one
/// each), so a recently expired token can still be looked at.
/// Rounds of the expirer between two sweeps of expired tokens.
const TOKEN_SWEEP_EVERY: u64 = 60;
/// How long an expired token is kept before it is deleted.
const EXPIRED_TOKENS_KEPT: Duration = Duration::from_secs(86_400);

pub struct Expirer {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub every: Duration,
}

impl Expirer {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut round: u64 = 0;
        loop {
            if *stop.borrow() {
                return;
            }
            let now = self.clock.now();
            if round.is_multiple_of(TOKEN_SWEEP_EVERY) {
                self.sweep_tokens(now).await;
            }
            round += 1;
            match self.store.expired_endpoints(now, 100).await {
                Ok(expired) => {
                    for (app, ep) in expired {
                        match self.store.delete_endpoint(&app, &ep, now).await {
                            Ok(()) => tracing::info!(app_id = %app, endpoint_id = %ep, "expired endpoint deleted"),
                            // Deleted meanwhile (by another node or a person): fine.
                            Err(herald_store::StoreError::NotFound(_)) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, endpoint_id = %ep, "an expired endpoint could not be deleted")
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "looking for expired endpoints failed; it will be tried again"),
            }
            if pause(self.every, &mut stop).await {
                return;
            }
        }
    }

    async fn sweep_tokens(&self, now: herald_core::Timestamp) {
        let kept = i64::try_from(EXPIRED_TOKENS_KEPT.as_millis()).unwrap_or(i64::MAX);
        match self.store.delete_expired_tokens(herald_core::Timestamp::from_millis(now.as_millis() - kept)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(tokens = n, "expired API tokens deleted"),
            Err(e) => tracing::warn!(error = %e, "deleting expired API tokens failed; it will be tried again"),
        }
    }
}
