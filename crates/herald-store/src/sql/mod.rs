//! The store operations whose SQL is the same on every backend, written once
//! over `sqlx`'s database-generic API.
//!
//! A backend implements [`SqlBackend`]: its pools, how a write transaction
//! begins, and the machinery that really differs between databases (group
//! commit of publishes, claims, lease renewal, settling, wake-ups). It then
//! is a [`Store`]: the catalog, the message and attempt reads, settings and
//! migrations come from here. The SQL text here is written for both
//! dialects: `$N` placeholders (SQLite reads `$1` as parameter 1), `CAST(..
//! AS TEXT)` where PostgreSQL must be told a parameter's type, `RETURNING`
//! instead of row counts.
//!
//! Each `impl` block here names the driver capabilities its code uses (a
//! connection that executes, arguments, the column types it binds, rows seen
//! through [`RowGet`]); SQLite and PostgreSQL have them all.

pub mod cache;
mod catalog;
mod dead_letters;
pub mod fanout;
mod gates;
pub mod health;
mod migrate;
pub mod notifications;
mod reads;
mod reconcile;
mod recoveries;
mod replay;
mod reseal;
mod retention;
mod row;
pub mod stats;
mod tokens;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::{AppId, AttemptId, EndpointId, MessageId, RecoveryId, Timestamp, TokenId};
use sqlx::{Database, Encode, Executor, IntoArguments, Pool, Type};

pub use migrate::{migrate, Migrations};
pub use row::{all, all_sealed, one, one_sealed, SqlRow};

use crate::rows::RowGet;
use crate::*;

/// What a backend provides beyond the shared SQL; see the module docs.
#[async_trait]
pub trait SqlBackend: Send + Sync + 'static {
    type Db: Database;

    /// The statement that opens a write transaction.
    const BEGIN: &'static str = "BEGIN";
    /// The rows of the JSON array of strings in `$1`, as a column `value`
    /// (`SELECT value FROM` it).
    const JSON_TEXTS: &'static str;
    /// The elements of the JSON array in `$1`, as a JSON column `value`.
    const JSON_VALUES: &'static str;
    /// Statements that turn on and off zeroing removed content in the
    /// file, around the removal of payloads (SQLite's `secure_delete`).
    const SECURE_DELETE: Option<(&'static str, &'static str)> = None;
    /// Appended to the gated claim's read of its gates (`g`) so that other
    /// nodes skip a gate while it is served (PostgreSQL's `FOR UPDATE OF g
    /// SKIP LOCKED`); empty where writes are serialised anyway.
    const LOCK_GATES: &'static str = "";
    /// Appended to a subquery choosing rows to lease, so that rows another
    /// transaction holds are skipped.
    const SKIP_LOCKED: &'static str = "";
    /// The recursive walk `heads(k, id)` over a FIFO endpoint's (`$5`)
    /// ordering keys: each key's first active delivery. SQLite's form reads
    /// the next key in scalar subqueries; PostgreSQL, which does not allow
    /// the recursive reference inside a subquery, uses `LATERAL`.
    const FIFO_HEADS: &'static str = "heads(k, id) AS (
        SELECT * FROM (SELECT ordering_key, id FROM deliveries
                       WHERE endpoint_id = $5 AND ordering_key IS NOT NULL AND state IN ('pending', 'retrying')
                       ORDER BY ordering_key, id LIMIT 1)
        UNION ALL
        SELECT (SELECT ordering_key FROM deliveries
                WHERE endpoint_id = $5 AND ordering_key IS NOT NULL AND state IN ('pending', 'retrying')
                  AND ordering_key > heads.k
                ORDER BY ordering_key, id LIMIT 1),
               (SELECT id FROM deliveries
                WHERE endpoint_id = $5 AND ordering_key IS NOT NULL AND state IN ('pending', 'retrying')
                  AND ordering_key > heads.k
                ORDER BY ordering_key, id LIMIT 1)
        FROM heads WHERE heads.k IS NOT NULL)";

    /// The pool writes go through.
    fn writer(&self) -> &Pool<Self::Db>;
    /// The pool reads go through (the writer's unless the backend has one).
    fn reader(&self) -> &Pool<Self::Db> {
        self.writer()
    }

    /// Where the backend does its own fsyncs (SQLite's write-ahead log):
    /// catalog changes are answered only once it has synced them.
    fn file_sync(&self) -> Option<&crate::sync::FileSync> {
        None
    }

    /// Seals and opens endpoint secrets and credentials.
    fn sealer(&self) -> &crate::seal::Sealer;

    /// The applications and endpoints this store has decoded.
    fn cache(&self) -> &cache::Cache;

    /// The name leases are taken under, where nodes share the database.
    fn node(&self) -> Option<&str> {
        None
    }

    /// The notification channels operational events are queued for.
    fn channels(&self) -> NotifyChannels {
        NotifyChannels::default()
    }

    /// See [`Store::wal_bytes`].
    fn wal_bytes(&self) -> Option<u64> {
        None
    }

    /// See [`Store::watch_for_work`].
    fn watch_for_work(&self, _on_work: Arc<dyn Fn() + Send + Sync>) {}
    /// The group-commit queue [`Store::publish`] goes through.
    fn publisher(&self) -> &batch::Publisher;
    /// See [`Store::claim_batch`].
    async fn claim_batch(&self, req: &ClaimRequest<'_>) -> StoreResult<Vec<ClaimedDelivery>>;
    /// See [`Store::renew`].
    async fn renew(&self, leases: &[(i64, i64)], until: Timestamp) -> StoreResult<usize>;
    /// See [`Store::recover_leases`].
    async fn recover_leases(&self) -> StoreResult<usize>;
    /// See [`Store::settle`].
    async fn settle(&self, outcomes: &[Settlement], now: Timestamp) -> StoreResult<usize>;
}

/// The shared statements over one backend's pools.
pub struct Sql<'a, DB: Database> {
    writer: &'a Pool<DB>,
    reader: &'a Pool<DB>,
    begin: &'static str,
    sync: Option<&'a crate::sync::FileSync>,
    sealer: &'a crate::seal::Sealer,
    cache: &'a cache::Cache,
    json_texts: &'static str,
    json_values: &'static str,
    secure_delete: Option<(&'static str, &'static str)>,
    channels: crate::NotifyChannels,
    lock_gates: &'static str,
    skip_locked: &'static str,
    fifo_heads: &'static str,
}

impl<'a, DB: Database> Sql<'a, DB> {
    pub fn of<B: SqlBackend<Db = DB>>(backend: &'a B) -> Self {
        Self {
            writer: backend.writer(),
            reader: backend.reader(),
            begin: B::BEGIN,
            sync: backend.file_sync(),
            sealer: backend.sealer(),
            cache: backend.cache(),
            json_texts: B::JSON_TEXTS,
            json_values: B::JSON_VALUES,
            secure_delete: B::SECURE_DELETE,
            channels: backend.channels(),
            lock_gates: B::LOCK_GATES,
            skip_locked: B::SKIP_LOCKED,
            fifo_heads: B::FIFO_HEADS,
        }
    }

    /// Waits until what was committed so far is on disk, where the backend
    /// syncs by itself.
    pub async fn synced(&self) -> StoreResult<()> {
        match self.sync {
            Some(s) => s.synced().await,
            None => Ok(()),
        }
    }
}

/// Opens a write transaction with `statement`. A connection that still
/// counts itself inside a transaction the database already ended is closed
/// and replaced first: SQLite rolls a transaction back by itself when the
/// disk is full, the driver's ROLLBACK that follows then fails, and the
/// connection would refuse every later transaction.
pub async fn begin<DB: Database>(
    pool: &Pool<DB>,
    statement: &'static str,
) -> StoreResult<sqlx::Transaction<'static, DB>> {
    match pool.begin_with(statement).await {
        Err(sqlx::Error::InvalidSavePointStatement) => {
            tracing::warn!("replacing a write connection left inside an ended transaction");
            let stale = pool.acquire().await.map_err(StoreError::from_sqlx)?;
            let _ = stale.close().await;
            pool.begin_with(statement).await.map_err(StoreError::from_sqlx)
        }
        other => other.map_err(StoreError::from_sqlx),
    }
}

/// Whether the error is the database refusing a duplicate key.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

#[async_trait]
impl<B> Store for B
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'r> SqlRow<'r, <B::Db as Database>::Row>: RowGet,
    for<'q> &'q str: Encode<'q, B::Db> + Type<B::Db>,
    for<'q> String: Encode<'q, B::Db> + Type<B::Db>,
    for<'q> Option<&'q str>: Encode<'q, B::Db>,
    for<'q> Option<String>: Encode<'q, B::Db>,
    for<'q> i64: Encode<'q, B::Db> + Type<B::Db>,
    for<'q> Option<i64>: Encode<'q, B::Db>,
    for<'q> bool: Encode<'q, B::Db> + Type<B::Db>,
{
    async fn ping(&self) -> StoreResult<()> {
        Sql::of(self).ping().await
    }

    fn watch_for_work(&self, on_work: Arc<dyn Fn() + Send + Sync>) {
        SqlBackend::watch_for_work(self, on_work);
    }

    async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
        Sql::of(self).get_setting(key).await
    }
    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        Sql::of(self).put_setting(key, value).await
    }

    async fn create_app(&self, new: NewApplication, now: Timestamp) -> StoreResult<Application> {
        Sql::of(self).create_app(new, now).await
    }
    async fn get_app(&self, id_or_uid: &str) -> StoreResult<Application> {
        Sql::of(self).get_app(id_or_uid).await
    }
    async fn list_apps(&self, page: PageRequest) -> StoreResult<Page<Application>> {
        Sql::of(self).list_apps(page).await
    }
    async fn update_app(&self, id: &AppId, patch: ApplicationPatch, now: Timestamp) -> StoreResult<Application> {
        Sql::of(self).update_app(id, patch, now).await
    }
    async fn delete_app(&self, id: &AppId) -> StoreResult<()> {
        Sql::of(self).delete_app(id).await
    }

    async fn create_event_type(&self, new: NewEventType, now: Timestamp) -> StoreResult<EventType> {
        Sql::of(self).create_event_type(new, now).await
    }
    async fn get_event_type(&self, name: &str) -> StoreResult<EventType> {
        Sql::of(self).get_event_type(name).await
    }
    async fn list_event_types(&self, page: PageRequest) -> StoreResult<Page<EventType>> {
        Sql::of(self).list_event_types(page).await
    }
    async fn update_event_type(&self, name: &str, patch: EventTypePatch, now: Timestamp) -> StoreResult<EventType> {
        Sql::of(self).update_event_type(name, patch, now).await
    }
    async fn delete_event_type(&self, name: &str) -> StoreResult<()> {
        Sql::of(self).delete_event_type(name).await
    }

    async fn create_endpoint(&self, app: &AppId, new: NewEndpoint, now: Timestamp) -> StoreResult<Endpoint> {
        Sql::of(self).create_endpoint(app, new, now).await
    }
    async fn get_endpoint(&self, app: &AppId, id: &EndpointId) -> StoreResult<Endpoint> {
        Sql::of(self).get_endpoint(app, id).await
    }
    async fn list_endpoints(&self, app: &AppId, page: PageRequest) -> StoreResult<Page<Endpoint>> {
        Sql::of(self).list_endpoints(app, page).await
    }
    async fn count_endpoints(&self, app: &AppId) -> StoreResult<u64> {
        Sql::of(self).count_endpoints(app).await
    }

    async fn create_recovery(&self, new: &NewRecovery, now: Timestamp) -> StoreResult<Recovery> {
        Sql::of(self).create_recovery(new, now).await
    }
    async fn get_recovery(&self, app: &AppId, id: &RecoveryId) -> StoreResult<Recovery> {
        Sql::of(self).get_recovery(app, id).await
    }
    async fn list_recoveries(&self, app: &AppId, page: PageRequest) -> StoreResult<Page<Recovery>> {
        Sql::of(self).list_recoveries(app, page).await
    }
    async fn cancel_recovery(&self, app: &AppId, id: &RecoveryId, now: Timestamp) -> StoreResult<Recovery> {
        Sql::of(self).cancel_recovery(app, id, now).await
    }
    async fn claim_recovery(&self, node: &str, now: Timestamp, lease: Duration) -> StoreResult<Option<Recovery>> {
        Sql::of(self).claim_recovery(node, now, lease).await
    }
    async fn recovery_step(
        &self,
        id: &RecoveryId,
        node: &str,
        now: Timestamp,
        lease: Duration,
        batch: u32,
    ) -> StoreResult<RecoveryStep> {
        Sql::of(self).recovery_step(id, node, now, lease, batch).await
    }

    async fn stats(
        &self,
        app: &AppId,
        endpoint: Option<&EndpointId>,
        since: Timestamp,
        until: Timestamp,
    ) -> StoreResult<crate::stats::Totals> {
        Sql::of(self).stats(app, endpoint, since, until).await
    }
    async fn stats_per_minute(
        &self,
        app: &AppId,
        endpoint: Option<&EndpointId>,
        since: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Vec<crate::stats::MinuteCounts>> {
        Sql::of(self).stats_per_minute(app, endpoint, since, until).await
    }

    async fn reseal_secrets(&self) -> StoreResult<usize> {
        Sql::of(self).reseal_secrets().await
    }

    async fn portal_theme(&self, app: &AppId) -> StoreResult<Option<serde_json::Value>> {
        Sql::of(self).portal_theme(app).await
    }
    async fn set_portal_theme(&self, app: &AppId, theme: Option<&serde_json::Value>) -> StoreResult<()> {
        Sql::of(self).set_portal_theme(app, theme).await
    }

    async fn create_token(&self, token: &ApiToken) -> StoreResult<()> {
        Sql::of(self).create_token(token).await
    }
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        Sql::of(self).token_by_hash(hash).await
    }
    async fn get_token(&self, id: &TokenId) -> StoreResult<ApiToken> {
        Sql::of(self).get_token(id).await
    }
    async fn list_tokens(&self, page: PageRequest) -> StoreResult<Page<ApiToken>> {
        Sql::of(self).list_tokens(page).await
    }
    async fn delete_token(&self, id: &TokenId) -> StoreResult<()> {
        Sql::of(self).delete_token(id).await
    }
    async fn touch_token(&self, id: &TokenId, now: Timestamp) -> StoreResult<()> {
        Sql::of(self).touch_token(id, now).await
    }
    async fn delete_expired_tokens(&self, before: Timestamp) -> StoreResult<u64> {
        Sql::of(self).delete_expired_tokens(before).await
    }
    async fn update_endpoint(
        &self,
        app: &AppId,
        id: &EndpointId,
        patch: EndpointPatch,
        now: Timestamp,
    ) -> StoreResult<Endpoint> {
        Sql::of(self).update_endpoint(app, id, patch, now).await
    }
    async fn expired_endpoints(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<(AppId, EndpointId)>> {
        Sql::of(self).expired_endpoints(now, limit).await
    }

    async fn delete_endpoint(&self, app: &AppId, id: &EndpointId, now: Timestamp) -> StoreResult<()> {
        Sql::of(self).delete_endpoint(app, id, now).await
    }
    async fn rotate_secret(
        &self,
        app: &AppId,
        id: &EndpointId,
        secret: herald_core::endpoint::EndpointSecret,
        grace_until: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Endpoint> {
        Sql::of(self).rotate_secret(app, id, secret, grace_until, now).await
    }
    async fn endpoint_health(
        &self,
        app: &AppId,
        ids: &[EndpointId],
    ) -> StoreResult<std::collections::HashMap<String, EndpointHealth>> {
        Sql::of(self).endpoint_health(app, ids).await
    }

    async fn claim_notifications(
        &self,
        channel: Channel,
        node: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        Sql::of(self).claim_notifications(channel, node, now, lease, limit).await
    }
    async fn finish_notification(
        &self,
        id: i64,
        node: &str,
        outcome: &NotificationOutcome,
        now: Timestamp,
    ) -> StoreResult<()> {
        Sql::of(self).finish_notification(id, node, outcome, now).await
    }
    async fn release_notifications(&self, ids: &[i64], node: &str) -> StoreResult<()> {
        Sql::of(self).release_notifications(ids, node).await
    }
    async fn expunge_message(&self, app: &AppId, id: &MessageId, now: Timestamp) -> StoreResult<Message> {
        Sql::of(self).expunge_message(app, id, now).await
    }
    async fn retention_step(&self, before: Timestamp, limit: u32, now: Timestamp) -> StoreResult<(u64, u64)> {
        Sql::of(self).retention_step(before, limit, now).await
    }
    async fn queue_depth(&self, now: Timestamp) -> StoreResult<Vec<(&'static str, u64)>> {
        Sql::of(self).queue_depth(now).await
    }
    fn wal_bytes(&self) -> Option<u64> {
        SqlBackend::wal_bytes(self)
    }

    async fn publish(
        &self,
        app: &AppId,
        new: NewMessage,
        now: Timestamp,
        lease: Option<Duration>,
    ) -> StoreResult<Published> {
        self.publisher().publish(app, new, now, lease).await
    }
    async fn publish_many(
        &self,
        app: &AppId,
        news: Vec<NewMessage>,
        now: Timestamp,
        lease: Option<Duration>,
    ) -> StoreResult<Vec<StoreResult<Published>>> {
        self.publisher().publish_many(app, news, now, lease).await
    }
    async fn get_message(&self, app: &AppId, id: &MessageId) -> StoreResult<Message> {
        Sql::of(self).get_message(app, id).await
    }
    async fn list_messages(
        &self,
        app: &AppId,
        filter: &MessageFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Message>> {
        Sql::of(self).list_messages(app, filter, page).await
    }
    async fn deliveries_of(
        &self,
        app: &AppId,
        messages: &[MessageId],
    ) -> StoreResult<std::collections::HashMap<String, Vec<DeliveryStatus>>> {
        Sql::of(self).deliveries_of(app, messages).await
    }
    async fn message_deliveries(&self, app: &AppId, id: &MessageId) -> StoreResult<Vec<DeliveryStatus>> {
        Sql::of(self).message_deliveries(app, id).await
    }
    async fn list_attempts(&self, app: &AppId, filter: AttemptFilter, page: PageRequest) -> StoreResult<Page<Attempt>> {
        Sql::of(self).list_attempts(app, filter, page).await
    }
    async fn list_dead_letters(
        &self,
        app: &AppId,
        filter: DeadLetterFilter,
        page: PageRequest,
    ) -> StoreResult<Page<DeadLetter>> {
        Sql::of(self).list_dead_letters(app, filter, page).await
    }
    async fn lease_for_replay(
        &self,
        app: &AppId,
        msg: &MessageId,
        endpoint: &EndpointId,
        token: i64,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<ReplayLease> {
        Sql::of(self).lease_for_replay(app, msg, endpoint, token, now, until).await
    }
    async fn mark_attempt_manual(&self, id: &AttemptId) -> StoreResult<()> {
        Sql::of(self).mark_attempt_manual(id).await
    }

    async fn claim_batch(&self, req: &ClaimRequest<'_>) -> StoreResult<Vec<ClaimedDelivery>> {
        SqlBackend::claim_batch(self, req).await
    }
    async fn claim_gated(&self, req: &ClaimRequest<'_>) -> StoreResult<GatedClaim> {
        Sql::of(self).claim_gated(req, self.node()).await
    }
    async fn renew(&self, leases: &[(i64, i64)], until: Timestamp) -> StoreResult<usize> {
        SqlBackend::renew(self, leases, until).await
    }
    async fn recover_leases(&self) -> StoreResult<usize> {
        SqlBackend::recover_leases(self).await
    }
    async fn settle(&self, outcomes: &[Settlement], now: Timestamp) -> StoreResult<usize> {
        SqlBackend::settle(self, outcomes, now).await
    }
}
