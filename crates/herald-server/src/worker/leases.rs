//! The leases a worker holds (sending, or waiting for their endpoint's
//! share), renewed every third of the lease while held. A lease can thus be
//! short, so a dead node's deliveries come back within seconds, while a
//! request may still take longer than the lease.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use herald_core::{Clock, Timestamp};
use herald_store::{ClaimedDelivery, Store};
use tokio::sync::watch;

#[derive(Clone, Default)]
pub struct Held {
    leases: Arc<Mutex<HashMap<i64, i64>>>,
    /// Until when the last renewal extended every lease held then.
    renewed_until: Arc<AtomicI64>,
}

impl Held {
    pub fn add(&self, d: &ClaimedDelivery) {
        self.leases.lock().unwrap_or_else(PoisonError::into_inner).insert(d.delivery_id, d.lease);
    }

    pub fn remove(&self, delivery_id: i64) {
        self.leases.lock().unwrap_or_else(PoisonError::into_inner).remove(&delivery_id);
    }

    fn snapshot(&self) -> Vec<(i64, i64)> {
        self.leases.lock().unwrap_or_else(PoisonError::into_inner).iter().map(|(k, v)| (*k, *v)).collect()
    }

    /// `d`'s lease as renewed while it was held.
    pub fn refresh(&self, d: &mut ClaimedDelivery) {
        let renewed = self.renewed_until.load(Ordering::Acquire);
        if renewed > d.leased_until.as_millis() {
            d.leased_until = Timestamp::from_millis(renewed);
        }
    }

    /// Renews every held lease each third of `lease` until `stop` turns true.
    pub async fn renew_loop(
        self,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        lease: Duration,
        mut stop: watch::Receiver<bool>,
    ) {
        let every = (lease / 3).max(Duration::from_millis(100));
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            // Taken before the snapshot: a lease added after it runs at least as long.
            let until = clock.now().plus(lease);
            let held = self.snapshot();
            if held.is_empty() {
                continue;
            }
            match store.renew(&held, until).await {
                Ok(kept) => {
                    self.renewed_until.store(until.as_millis(), Ordering::Release);
                    if kept < held.len() {
                        tracing::debug!(lost = held.len() - kept, "some leases were settled or lost before renewal");
                    }
                }
                Err(e) => tracing::warn!(error = %e, count = held.len(), "renewing leases failed; trying again"),
            }
        }
    }
}
