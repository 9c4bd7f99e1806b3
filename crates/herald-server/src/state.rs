use std::sync::Arc;
use std::time::Duration;

use herald_core::Clock;
use herald_store::{Published, Store};
use tokio::sync::Notify;

use crate::schemas::SchemaCache;
use crate::worker::dispatch::{release, Dispatch};
use crate::worker::Sender;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// Wakes idle delivery workers when new work is committed.
    pub wake: Arc<Notify>,
    /// Compiled payload schemas, briefly cached.
    pub schemas: Arc<SchemaCache>,
    /// Sends verification handshakes (same client and settings as delivery).
    pub sender: Sender,
    /// Hands new deliveries to this process's worker (`None` without one).
    pub dispatch: Option<Dispatch>,
}

impl AppState {
    /// The lease to ask publishing for, so this process's worker can take
    /// the new deliveries directly.
    pub fn dispatch_lease(&self) -> Option<Duration> {
        self.dispatch.as_ref().and_then(Dispatch::lease)
    }

    /// Passes what publishing leased to the worker and wakes the workers for
    /// the rest. A lease the worker can no longer take is given back at once.
    pub async fn dispatch(&self, published: &mut Published) {
        let claimed = std::mem::take(&mut published.claimed);
        if published.fanned_out > claimed.len() {
            self.wake.notify_one();
        }
        if claimed.is_empty() {
            return;
        }
        let refused = match &self.dispatch {
            Some(d) => d.hand_over(claimed),
            None => claimed,
        };
        if refused.is_empty() {
            return;
        }
        let outcomes: Vec<_> = refused.iter().map(release).collect();
        if let Err(e) = self.store.settle(&outcomes, self.clock.now()).await {
            tracing::warn!(error = %e, "giving back leases failed; they come back when they run out");
        }
        self.wake.notify_one();
    }
}
