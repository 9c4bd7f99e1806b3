//! The notifier: on every node with workers, one loop per configured
//! channel leases the outbox's next notifications and sends them in order:
//! operational webhooks to the operator URL (Standard Webhooks, signed
//! with the operator secret), emails through the SMTP server. A failure
//! is tried again on the configured schedule; later notifications of the
//! channel wait behind it, so they arrive in the order they happened.

mod email;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use herald_core::Clock;
use herald_store::{Channel, Notification, NotificationOutcome, Store};
use tokio::sync::watch;

pub use email::Mailer;
pub use webhook::OperatorHook;

/// Most notifications leased at once.
const BATCH: u32 = 32;
/// How long a lease on a notification lasts.
const LEASE: Duration = Duration::from_secs(60);

/// Where one channel's notifications go.
#[derive(Clone)]
pub enum Target {
    Webhook(Arc<OperatorHook>),
    Email(Arc<Mailer>),
}

impl Target {
    fn channel(&self) -> Channel {
        match self {
            Self::Webhook(_) => Channel::Webhook,
            Self::Email(_) => Channel::Email,
        }
    }

    async fn send(&self, store: &dyn Store, n: &Notification) -> Result<(), Failure> {
        match self {
            Self::Webhook(h) => h.send(n).await,
            Self::Email(m) => m.send(store, n).await,
        }
    }
}

/// Why a notification was not sent.
#[derive(Debug)]
pub enum Failure {
    /// Worth trying again (the receiver or the SMTP server is down).
    Retry(String),
    /// Never deliverable (no contact address, a bad address).
    Permanent(String),
}

pub struct Notifier {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub node: String,
    pub targets: Vec<Target>,
    pub retry_schedule: Vec<Duration>,
    pub poll: Duration,
}

impl Notifier {
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let this = Arc::new(self);
        let loops: Vec<_> =
            this.targets.iter().cloned().map(|t| tokio::spawn(this.clone().channel_loop(t, stop.clone()))).collect();
        for l in loops {
            let _ = l.await;
        }
    }

    async fn channel_loop(self: Arc<Self>, target: Target, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let claimed =
                self.store.claim_notifications(target.channel(), &self.node, self.clock.now(), LEASE, BATCH).await;
            let busy = match claimed {
                Ok(batch) => {
                    let full = batch.len() == BATCH as usize;
                    self.send_in_order(&target, batch).await && full
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not look for notifications to send");
                    false
                }
            };
            if !busy && crate::recovery::pause(self.poll, &mut stop).await {
                return;
            }
        }
    }

    /// Sends `batch` in order; at the first failure the rest is given back.
    /// True when all were settled.
    async fn send_in_order(&self, target: &Target, batch: Vec<Notification>) -> bool {
        for (i, n) in batch.iter().enumerate() {
            let outcome = match target.send(self.store.as_ref(), n).await {
                Ok(()) => NotificationOutcome::Sent,
                Err(Failure::Permanent(e)) => NotificationOutcome::Failed(e),
                Err(Failure::Retry(e)) => match self.retry_schedule.get(n.attempts as usize) {
                    Some(wait) => NotificationOutcome::RetryAt(self.clock.now().plus(*wait), e),
                    None => NotificationOutcome::Failed(format!("gave up after {} tries: {e}", n.attempts + 1)),
                },
            };
            match &outcome {
                NotificationOutcome::Sent => {
                    tracing::info!(notification = n.id, channel = target.channel().as_str(), event = %n.event_type, "notification sent");
                }
                NotificationOutcome::RetryAt(at, e) => {
                    tracing::warn!(notification = n.id, channel = target.channel().as_str(), error = %e, retry_at = %at, "notification not sent; will retry");
                }
                NotificationOutcome::Failed(e) => {
                    tracing::warn!(notification = n.id, channel = target.channel().as_str(), error = %e, "notification given up");
                }
            }
            let retrying = matches!(outcome, NotificationOutcome::RetryAt(..));
            if let Err(e) = self.store.finish_notification(n.id, &self.node, &outcome, self.clock.now()).await {
                tracing::warn!(notification = n.id, error = %e, "could not record a notification's outcome");
            }
            if retrying {
                let rest: Vec<i64> = batch[i + 1..].iter().map(|n| n.id).collect();
                if let Err(e) = self.store.release_notifications(&rest, &self.node).await {
                    tracing::warn!(error = %e, "could not give back notifications; they come back when their lease runs out");
                }
                return false;
            }
        }
        true
    }
}
