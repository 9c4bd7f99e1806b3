use std::sync::Arc;
use std::time::Duration;

use herald_core::Clock;
use herald_core::{AppId, Timestamp};
use herald_store::{NewMessage, Published, Store, StoreError, StoreResult};
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
    /// Caps on what one application may hold.
    pub limits: Arc<crate::config::LimitsConfig>,
    /// The portal's settings (links, framing).
    pub portal: Arc<crate::config::PortalConfig>,
    /// Whether the store is known to be down (publishes then answer 503 at once).
    pub readiness: Arc<crate::readiness::Readiness>,
}

impl AppState {
    /// The lease to ask publishing for, so this process's worker can take
    /// the new deliveries directly.
    pub fn dispatch_lease(&self) -> Option<Duration> {
        self.dispatch.as_ref().and_then(Dispatch::lease)
    }

    /// Publishes and hands the new deliveries over, in a task of its own:
    /// once the commit is under way, a caller that goes away (a client
    /// timeout or a dropped connection cancels the request's future) can no
    /// longer strand the leases taken for the hand-over.
    pub async fn publish(&self, app: &AppId, new: NewMessage, now: Timestamp) -> StoreResult<Published> {
        self.in_publish_task(app, move |state, app| async move {
            let started = std::time::Instant::now();
            let published = state.store.publish(&app, new, now, state.dispatch_lease()).await;
            state.sender.metrics.store_op("publish", started.elapsed());
            let mut published = published?;
            state.dispatch(&mut published).await;
            Ok(published)
        })
        .await
    }

    /// [`AppState::publish`] for several messages as one unit (the batch
    /// route): one commit, one answer per message, in order.
    pub async fn publish_many(
        &self,
        app: &AppId,
        news: Vec<NewMessage>,
        now: Timestamp,
    ) -> StoreResult<Vec<StoreResult<Published>>> {
        self.in_publish_task(app, move |state, app| async move {
            let started = std::time::Instant::now();
            let results = state.store.publish_many(&app, news, now, state.dispatch_lease()).await;
            state.sender.metrics.store_op("publish", started.elapsed());
            let mut results = results?;
            for r in &mut results {
                match r {
                    Ok(published) => state.dispatch(published).await,
                    Err(e) => state.readiness.observe(e),
                }
            }
            Ok(results)
        })
        .await
    }

    /// Runs a publish in a task of its own (see [`AppState::publish`]):
    /// answered 503 at once while the store is known down, an unavailable
    /// store noted for the readiness check.
    async fn in_publish_task<T, F, Fut>(&self, app: &AppId, publish: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(AppState, AppId) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = StoreResult<T>> + Send,
    {
        if let Some(down) = self.readiness.known_down() {
            return Err(StoreError::Unavailable(down.message().to_owned()));
        }
        let state = self.clone();
        let app = app.clone();
        let task = tokio::spawn(async move {
            let result = publish(state.clone(), app).await;
            if let Err(e) = &result {
                state.readiness.observe(e);
            }
            result
        });
        task.await.map_err(|e| StoreError::Corrupt(format!("the publishing task failed: {e}")))?
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
