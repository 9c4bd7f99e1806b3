//! Whether this node can take work now: the store answers and takes
//! writes. Healthy, it costs nothing in the background: a request that
//! meets an unavailable store (a publish, the readiness check's own ping)
//! marks it down; from then on publishes are answered 503 at once instead
//! of each waiting for the database, and a prober tries a small write every
//! [`PROBE_EVERY`] until one is stored, which marks the store up again.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use herald_store::{Store, StoreError};

/// How often a down store is tried again.
const PROBE_EVERY: Duration = Duration::from_millis(200);
/// The longest a check waits for the store: past it, the store counts as
/// down, so the readiness check answers within a second whatever happens.
pub const CHECK_TIMEOUT: Duration = Duration::from_millis(800);

/// Why the store is down, in words safe to show anyone (the details go to
/// the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Down {
    /// Connections fail or time out.
    NoAnswer,
    /// It answers but refuses writes (a full disk, an I/O error).
    Writes,
}

impl Down {
    fn code(self) -> u8 {
        match self {
            Self::NoAnswer => 1,
            Self::Writes => 2,
        }
    }

    fn of(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::NoAnswer),
            2 => Some(Self::Writes),
            _ => None,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::NoAnswer => "the database does not answer",
            Self::Writes => "the database does not take writes (a full disk or an I/O error)",
        }
    }
}

pub struct Readiness {
    store: Arc<dyn Store>,
    /// 0 up, else [`Down::code`]: read on every publish, so an atomic.
    down: AtomicU8,
    probing: AtomicBool,
    /// The setting the probe writes (one per node).
    key: String,
}

impl Readiness {
    pub fn new(store: Arc<dyn Store>, node: &str) -> Arc<Self> {
        Arc::new(Self { store, down: AtomicU8::new(0), probing: AtomicBool::new(false), key: format!("probe:{node}") })
    }

    /// Why the store is known to be down, if it is.
    pub fn known_down(&self) -> Option<Down> {
        Down::of(self.down.load(Ordering::Relaxed))
    }

    /// A store error a request met: an unavailable store is marked down.
    pub fn observe(self: &Arc<Self>, e: &StoreError) {
        if e.is_unavailable() {
            self.mark_down(Down::Writes, &e.to_string());
        }
    }

    /// The readiness check: `Ok` when the store answers within
    /// [`CHECK_TIMEOUT`] and is not known to refuse writes.
    pub async fn check(self: &Arc<Self>) -> Result<(), Down> {
        if let Some(down) = self.known_down() {
            return Err(down);
        }
        match tokio::time::timeout(CHECK_TIMEOUT, self.store.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                self.mark_down(Down::NoAnswer, &e.to_string());
                Err(Down::NoAnswer)
            }
            Err(_) => {
                self.mark_down(Down::NoAnswer, "no answer to a ping within 800 ms");
                Err(Down::NoAnswer)
            }
        }
    }

    fn mark_down(self: &Arc<Self>, down: Down, why: &str) {
        if self.down.swap(down.code(), Ordering::SeqCst) == 0 {
            tracing::warn!(error = why, "the database is unavailable; publishes are answered 503 until it is back");
        }
        if !self.probing.swap(true, Ordering::SeqCst) {
            tokio::spawn(self.clone().probe());
        }
    }

    /// Tries a small write until one is stored, then marks the store up.
    async fn probe(self: Arc<Self>) {
        loop {
            tokio::time::sleep(PROBE_EVERY).await;
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            let value = now.as_millis().to_string();
            if let Ok(Ok(())) = tokio::time::timeout(CHECK_TIMEOUT, self.store.put_setting(&self.key, &value)).await {
                break;
            }
        }
        self.down.store(0, Ordering::SeqCst);
        self.probing.store(false, Ordering::SeqCst);
        tracing::info!("the database is available again");
    }
}
