//! The storage boundary: one [`Store`] trait with a catalog side (apps, event
//! types, endpoints, messages, attempts) and a queue side (claim, settle).
//! Each backend lives in its own crate and passes the same behaviour suite;
//! no backend difference may leak past this trait.

pub mod batch;
mod error;
pub mod fixtures;
mod model;
mod patch;
pub mod rows;
pub mod seal;
pub mod sql;
pub mod stats;
pub mod sync;

pub use error::StoreError;
pub use model::*;

use async_trait::async_trait;
use herald_core::{AppId, AttemptId, EndpointId, MessageId, RecoveryId, Timestamp, TokenId};

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A cheap round trip, for health checks.
    async fn ping(&self) -> StoreResult<()>;

    /// Calls `on_work` whenever another process commits new deliveries, so
    /// idle workers wake without polling. A store that only this process
    /// writes needs nothing here (the API wakes its own workers).
    fn watch_for_work(&self, _on_work: std::sync::Arc<dyn Fn() + Send + Sync>) {}

    // --- settings ---------------------------------------------------------
    async fn get_setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()>;

    // --- applications -----------------------------------------------------
    /// Fails with `Conflict` when the uid is taken.
    async fn create_app(&self, new: NewApplication, now: Timestamp) -> StoreResult<Application>;
    /// Looks an application up by id (`app_...`) or by its uid.
    async fn get_app(&self, id_or_uid: &str) -> StoreResult<Application>;
    async fn list_apps(&self, page: PageRequest) -> StoreResult<Page<Application>>;
    async fn update_app(&self, id: &AppId, patch: ApplicationPatch, now: Timestamp) -> StoreResult<Application>;
    /// Deletes the application with its endpoints, messages and attempts.
    async fn delete_app(&self, id: &AppId) -> StoreResult<()>;

    // --- event types ------------------------------------------------------
    async fn create_event_type(&self, new: NewEventType, now: Timestamp) -> StoreResult<EventType>;
    async fn get_event_type(&self, name: &str) -> StoreResult<EventType>;
    async fn list_event_types(&self, page: PageRequest) -> StoreResult<Page<EventType>>;
    async fn update_event_type(&self, name: &str, patch: EventTypePatch, now: Timestamp) -> StoreResult<EventType>;
    async fn delete_event_type(&self, name: &str) -> StoreResult<()>;

    // --- endpoints --------------------------------------------------------
    async fn create_endpoint(&self, app: &AppId, new: NewEndpoint, now: Timestamp) -> StoreResult<Endpoint>;
    async fn get_endpoint(&self, app: &AppId, id: &EndpointId) -> StoreResult<Endpoint>;
    async fn list_endpoints(&self, app: &AppId, page: PageRequest) -> StoreResult<Page<Endpoint>>;
    async fn count_endpoints(&self, app: &AppId) -> StoreResult<u64>;

    // --- bulk recovery ----------------------------------------------------
    /// Stores a job covering the failed deliveries that match now.
    async fn create_recovery(&self, new: &NewRecovery, now: Timestamp) -> StoreResult<Recovery>;
    async fn get_recovery(&self, app: &AppId, id: &RecoveryId) -> StoreResult<Recovery>;
    async fn list_recoveries(&self, app: &AppId, page: PageRequest) -> StoreResult<Page<Recovery>>;
    async fn cancel_recovery(&self, app: &AppId, id: &RecoveryId, now: Timestamp) -> StoreResult<Recovery>;
    /// The oldest open job no other node holds, leased to `node`.
    async fn claim_recovery(
        &self,
        node: &str,
        now: Timestamp,
        lease: std::time::Duration,
    ) -> StoreResult<Option<Recovery>>;
    /// Re-queues the job's next batch and renews its lease.
    async fn recovery_step(
        &self,
        id: &RecoveryId,
        node: &str,
        now: Timestamp,
        lease: std::time::Duration,
        batch: u32,
    ) -> StoreResult<RecoveryStep>;

    /// Delivery statistics over `[since, until)` (minutes), for the
    /// application or one endpoint, with the backlog as it is now.
    async fn stats(
        &self,
        app: &AppId,
        endpoint: Option<&EndpointId>,
        since: Timestamp,
        until: Timestamp,
    ) -> StoreResult<stats::Totals>;
    /// The same window's attempts, successes and failures minute by minute
    /// (minutes without any left out), oldest first: one read for a chart.
    async fn stats_per_minute(
        &self,
        app: &AppId,
        endpoint: Option<&EndpointId>,
        since: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Vec<stats::MinuteCounts>>;

    /// Seals every secret not yet sealed under the current main key (from
    /// before sealing, or under a previous key); returns how many.
    async fn reseal_secrets(&self) -> StoreResult<usize>;

    // --- portal -------------------------------------------------------------
    /// The application's portal theme as stored (a JSON object), if set.
    async fn portal_theme(&self, app: &AppId) -> StoreResult<Option<serde_json::Value>>;
    /// Sets (or with `None` clears) the application's portal theme.
    async fn set_portal_theme(&self, app: &AppId, theme: Option<&serde_json::Value>) -> StoreResult<()>;

    // --- API tokens -------------------------------------------------------
    async fn create_token(&self, token: &ApiToken) -> StoreResult<()>;
    /// The token whose value hashes to `hash` (hex SHA-256), if any.
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>>;
    async fn get_token(&self, id: &TokenId) -> StoreResult<ApiToken>;
    async fn list_tokens(&self, page: PageRequest) -> StoreResult<Page<ApiToken>>;
    /// Revokes the token.
    async fn delete_token(&self, id: &TokenId) -> StoreResult<()>;
    async fn touch_token(&self, id: &TokenId, now: Timestamp) -> StoreResult<()>;
    /// Deletes the tokens that expired before `before`; returns how many.
    async fn delete_expired_tokens(&self, before: Timestamp) -> StoreResult<u64>;
    async fn update_endpoint(
        &self,
        app: &AppId,
        id: &EndpointId,
        patch: EndpointPatch,
        now: Timestamp,
    ) -> StoreResult<Endpoint>;
    /// Deletes the endpoint and its pending deliveries; attempts stay.
    async fn delete_endpoint(&self, app: &AppId, id: &EndpointId, now: Timestamp) -> StoreResult<()>;
    /// Endpoints whose `expires_at` has passed (oldest first), at most `limit`.
    async fn expired_endpoints(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<(AppId, EndpointId)>>;
    /// Makes `secret` the endpoint's signing secret; the one it replaces is
    /// signed with as well until `grace_until`.
    async fn rotate_secret(
        &self,
        app: &AppId,
        id: &EndpointId,
        secret: herald_core::endpoint::EndpointSecret,
        grace_until: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Endpoint>;
    /// The recorded health of these endpoints, by id (none yet: absent).
    async fn endpoint_health(
        &self,
        app: &AppId,
        ids: &[EndpointId],
    ) -> StoreResult<std::collections::HashMap<String, EndpointHealth>>;

    // --- operational notifications (the outbox) ---------------------------
    /// Leases the channel's next due notifications in id order, stopping at
    /// the first that waits for a retry or is held by another node.
    async fn claim_notifications(
        &self,
        channel: Channel,
        node: &str,
        now: Timestamp,
        lease: std::time::Duration,
        limit: u32,
    ) -> StoreResult<Vec<Notification>>;
    async fn finish_notification(
        &self,
        id: i64,
        node: &str,
        outcome: &NotificationOutcome,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Gives back leases of notifications not attempted.
    async fn release_notifications(&self, ids: &[i64], node: &str) -> StoreResult<()>;

    // --- retention --------------------------------------------------------
    /// Removes the message's payload (and its attempts' response bodies)
    /// now; the message and its delivery records stay.
    async fn expunge_message(&self, app: &AppId, id: &MessageId, now: Timestamp) -> StoreResult<Message>;
    /// One batch of the retention cleaner (see the SQL module); returns how
    /// many messages and attempts it walked.
    async fn retention_step(&self, before: Timestamp, limit: u32, now: Timestamp) -> StoreResult<(u64, u64)>;

    // --- metrics ----------------------------------------------------------
    /// Deliveries waiting (`pending`, `retrying`), leased now (`in_flight`)
    /// and `failed`, counted through the partial indexes (delivered rows,
    /// the bulk of the table, are not counted).
    async fn queue_depth(&self, now: Timestamp) -> StoreResult<Vec<(&'static str, u64)>>;
    /// The size of SQLite's write-ahead log; `None` for other stores.
    fn wal_bytes(&self) -> Option<u64> {
        None
    }

    // --- messages ---------------------------------------------------------
    /// Stores the message and one delivery per enabled, matching endpoint in
    /// one transaction. With an `event_id` already used in this application,
    /// returns the original message and `created: false` instead.
    ///
    /// With `lease`, the new deliveries are written already leased to the
    /// caller until `now + lease` and returned in `Published::claimed`, so a
    /// worker in the same process can send them without claiming them. If
    /// it never settles them, they come back when the lease runs out.
    async fn publish(
        &self,
        app: &AppId,
        new: NewMessage,
        now: Timestamp,
        lease: Option<std::time::Duration>,
    ) -> StoreResult<Published>;

    /// Several publishes to one application as one unit: written in the
    /// same transaction, durable before this returns; one answer per
    /// message, in order (`Err` for the whole when the store is down).
    async fn publish_many(
        &self,
        app: &AppId,
        news: Vec<NewMessage>,
        now: Timestamp,
        lease: Option<std::time::Duration>,
    ) -> StoreResult<Vec<StoreResult<Published>>>;
    async fn get_message(&self, app: &AppId, id: &MessageId) -> StoreResult<Message>;
    /// Newest first, filtered (reconciliation, export).
    async fn list_messages(&self, app: &AppId, filter: &MessageFilter, page: PageRequest)
        -> StoreResult<Page<Message>>;
    /// The deliveries of these messages, by message id.
    async fn deliveries_of(
        &self,
        app: &AppId,
        messages: &[MessageId],
    ) -> StoreResult<std::collections::HashMap<String, Vec<DeliveryStatus>>>;
    /// The delivery status of a message at each endpoint it was fanned out to.
    async fn message_deliveries(&self, app: &AppId, id: &MessageId) -> StoreResult<Vec<DeliveryStatus>>;

    /// Failed deliveries (retries exhausted), newest first; the cursor is
    /// the delivery id.
    async fn list_dead_letters(
        &self,
        app: &AppId,
        filter: DeadLetterFilter,
        page: PageRequest,
    ) -> StoreResult<Page<DeadLetter>>;

    /// Leases the delivery of message `msg` to `endpoint` for a manual
    /// attempt, if it has ended (delivered or failed) and nobody holds it:
    /// `Conflict` while it is still scheduled or leased.
    async fn lease_for_replay(
        &self,
        app: &AppId,
        msg: &MessageId,
        endpoint: &EndpointId,
        token: i64,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<ReplayLease>;
    /// Marks a logged attempt as asked for by hand.
    async fn mark_attempt_manual(&self, id: &AttemptId) -> StoreResult<()>;

    // --- attempts (the delivery log) --------------------------------------
    async fn list_attempts(&self, app: &AppId, filter: AttemptFilter, page: PageRequest) -> StoreResult<Page<Attempt>>;

    // --- the queue --------------------------------------------------------
    /// Leases due deliveries until `now + lease`, fairly across endpoints
    /// (see [`ClaimRequest`]). A delivery whose lease runs out without being
    /// settled becomes due again.
    async fn claim_batch(&self, req: &ClaimRequest<'_>) -> StoreResult<Vec<ClaimedDelivery>>;
    /// Leases due deliveries of gated endpoints (paused ones wait; rate
    /// limits and caps in flight hold for every node together), which
    /// [`Store::claim_batch`] leaves out. `after` is not used: the gates
    /// waiting longest are served first.
    async fn claim_gated(&self, req: &ClaimRequest<'_>) -> StoreResult<GatedClaim>;
    /// Leases up to `limit` due deliveries, as many per endpoint as asked.
    async fn claim(&self, now: Timestamp, limit: u32, lease: std::time::Duration) -> StoreResult<Vec<ClaimedDelivery>> {
        self.claim_batch(&ClaimRequest { now, limit, lease, per_endpoint: limit, skip: &[], skip_apps: &[], after: "" })
            .await
    }
    /// Extends leases still held (`(delivery id, lease token)` pairs) until
    /// `until`; returns how many were still held.
    async fn renew(&self, leases: &[(i64, i64)], until: Timestamp) -> StoreResult<usize>;
    /// Gives back, at once, every lease this node held before it started
    /// (its worker died holding them). On SQLite, one process owns the
    /// file, so that is every lease; on PostgreSQL, those taken under this
    /// node's id. Returns how many.
    async fn recover_leases(&self) -> StoreResult<usize>;
    /// Records the outcome of claimed deliveries. An outcome whose lease is no
    /// longer held (expired and re-claimed) is dropped; returns how many were
    /// recorded.
    async fn settle(&self, outcomes: &[Settlement], now: Timestamp) -> StoreResult<usize>;
}
