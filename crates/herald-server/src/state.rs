use std::sync::Arc;

use herald_core::Clock;
use herald_store::Store;
use tokio::sync::Notify;

use crate::schemas::SchemaCache;
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
}
