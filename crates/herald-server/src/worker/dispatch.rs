//! Hand-over from publishing to this process's worker. When a worker runs
//! here and has room, publishing writes the new deliveries already leased to
//! it and passes them over in memory: no claim query, no re-reading of the
//! message, endpoint and application. The rows are on disk, leased, before
//! the API answers, so a crash loses nothing: the lease runs out and any
//! node claims them as usual.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use herald_store::{ClaimedDelivery, NextState, Settlement};
use tokio::sync::mpsc;

/// The publishing side.
#[derive(Clone)]
pub struct Dispatch {
    tx: mpsc::UnboundedSender<ClaimedDelivery>,
    shared: Arc<Shared>,
    lease: Duration,
}

/// The worker's side.
pub struct DispatchQueue {
    rx: mpsc::UnboundedReceiver<ClaimedDelivery>,
    shared: Arc<Shared>,
}

struct Shared {
    /// Handed over and not yet taken by the worker.
    queued: AtomicUsize,
    /// Most deliveries waiting before publishing stops leasing (they then go
    /// through the queue table like any other).
    limit: usize,
    open: AtomicBool,
}

/// A connected pair; `limit` bounds what may wait in memory.
pub fn channel(limit: usize, lease: Duration) -> (Dispatch, DispatchQueue) {
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared { queued: AtomicUsize::new(0), limit, open: AtomicBool::new(true) });
    (Dispatch { tx, shared: shared.clone(), lease }, DispatchQueue { rx, shared })
}

impl Dispatch {
    /// The lease publishing should take: `None` once the worker has stopped
    /// or while it is behind.
    pub fn lease(&self) -> Option<Duration> {
        let s = &self.shared;
        (s.open.load(Ordering::Acquire) && s.queued.load(Ordering::Acquire) < s.limit).then_some(self.lease)
    }

    /// Passes leased deliveries to the worker; returns those it can no longer
    /// take (it stopped meanwhile), whose leases the caller should give back.
    pub fn hand_over(&self, claimed: Vec<ClaimedDelivery>) -> Vec<ClaimedDelivery> {
        let mut refused = Vec::new();
        for d in claimed {
            if !self.shared.open.load(Ordering::Acquire) {
                refused.push(d);
                continue;
            }
            self.shared.queued.fetch_add(1, Ordering::AcqRel);
            if let Err(mpsc::error::SendError(d)) = self.tx.send(d) {
                self.shared.queued.fetch_sub(1, Ordering::AcqRel);
                refused.push(d);
            }
        }
        refused
    }
}

impl DispatchQueue {
    pub async fn recv(&mut self) -> Option<ClaimedDelivery> {
        let d = self.rx.recv().await;
        if d.is_some() {
            self.shared.queued.fetch_sub(1, Ordering::AcqRel);
        }
        d
    }

    pub fn try_recv(&mut self) -> Option<ClaimedDelivery> {
        let d = self.rx.try_recv().ok();
        if d.is_some() {
            self.shared.queued.fetch_sub(1, Ordering::AcqRel);
        }
        d
    }

    /// Stops taking deliveries and returns what was handed over but not
    /// started.
    pub fn close(&mut self) -> Vec<ClaimedDelivery> {
        self.shared.open.store(false, Ordering::Release);
        self.rx.close();
        let mut left = Vec::new();
        while let Some(d) = self.try_recv() {
            left.push(d);
        }
        left
    }
}

/// The outcome that gives a delivery's lease back without an attempt.
pub fn release(d: &ClaimedDelivery) -> Settlement {
    Settlement::unsent(d, NextState::Released)
}

#[cfg(test)]
mod tests {
    use herald_core::EndpointId;
    use herald_store::fixtures;

    use super::*;

    fn delivery(id: i64) -> ClaimedDelivery {
        fixtures::claimed(id, &EndpointId::generate(1))
    }

    #[test]
    fn publishing_stops_leasing_while_the_worker_is_behind_and_after_it_stops() {
        let lease = Duration::from_secs(30);
        let (dispatch, mut queue) = channel(2, lease);
        assert_eq!(dispatch.lease(), Some(lease));
        assert!(dispatch.hand_over(vec![delivery(1), delivery(2)]).is_empty());
        assert_eq!(dispatch.lease(), None, "two waiting: the limit is reached");
        assert_eq!(queue.try_recv().map(|d| d.delivery_id), Some(1));
        assert_eq!(dispatch.lease(), Some(lease), "room again once the worker takes one");

        let left: Vec<i64> = queue.close().iter().map(|d| d.delivery_id).collect();
        assert_eq!(left, vec![2], "closing returns what was not started");
        assert_eq!(dispatch.lease(), None, "a stopped worker takes nothing");
        let refused: Vec<i64> = dispatch.hand_over(vec![delivery(3)]).iter().map(|d| d.delivery_id).collect();
        assert_eq!(refused, vec![3], "what it can no longer take comes back to the caller");
    }
}
