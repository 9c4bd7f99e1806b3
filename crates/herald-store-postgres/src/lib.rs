//! Herald's [`Store`] on PostgreSQL: several `herald serve` nodes share one
//! database; the queue lives in it, nodes are stateless. Idle nodes are woken
//! by `LISTEN/NOTIFY` when another node commits new work.

mod catalog;
mod messages;
mod migrate;
mod publish;
mod queue;
mod rows;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::{AppId, EndpointId, MessageId, Timestamp};
use herald_store::*;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

/// The channel publishers notify when they commit deliveries.
pub(crate) const WORK_CHANNEL: &str = "herald_work";

#[derive(Clone, Debug)]
pub struct PgOptions {
    pub url: String,
    pub max_connections: u32,
    /// This node's name as the holder of leases; it should stay the same
    /// across restarts, so a restarted node takes its own leases back.
    pub node: String,
    /// How long a request waits for a connection before the database counts
    /// as unavailable.
    pub acquire_timeout: Duration,
}

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    publisher: herald_store::batch::Publisher,
    node: Arc<str>,
}

pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::from_sqlx(e)
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

impl PgStore {
    pub async fn connect(opts: &PgOptions) -> StoreResult<Self> {
        let connect = PgConnectOptions::from_str(&opts.url).map_err(db_err)?.disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(2))
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(connect)
            .await
            .map_err(db_err)?;
        let node: Arc<str> = opts.node.as_str().into();
        let publisher = publish::start(pool.clone(), node.clone());
        Ok(Self { pool, publisher, node })
    }

    pub async fn migrate(&self) -> StoreResult<usize> {
        migrate::run(&self.pool).await
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Creates database `name` on the server of `server_url` (any database
    /// URL on that server); for tests and benchmarks.
    pub async fn create_database(server_url: &str, name: &str) -> StoreResult<String> {
        check_db_name(name)?;
        let opts = PgConnectOptions::from_str(server_url).map_err(db_err)?;
        let mut conn = opts.clone().connect().await.map_err(db_err)?;
        sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.map_err(db_err)?;
        conn.close().await.map_err(db_err)?;
        Ok(opts.database(name).to_url_lossy().to_string())
    }

    /// Drops database `name` (disconnecting its sessions).
    pub async fn drop_database(server_url: &str, name: &str) -> StoreResult<()> {
        check_db_name(name)?;
        let mut conn = PgConnectOptions::from_str(server_url).map_err(db_err)?.connect().await.map_err(db_err)?;
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut conn)
            .await
            .map_err(db_err)?;
        conn.close().await.map_err(db_err)?;
        Ok(())
    }
}

fn check_db_name(name: &str) -> StoreResult<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Conflict(format!("`{name}` is not a plain database name")));
    }
    Ok(())
}

/// Listens on the work channel and calls `on_work` for each notification;
/// reconnects (and wakes once, in case something was missed) after errors.
async fn listen(pool: PgPool, on_work: Arc<dyn Fn() + Send + Sync>) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "LISTEN connection failed; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(WORK_CHANNEL).await {
            tracing::warn!(error = %e, "LISTEN failed; retrying in 1 s");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        on_work();
        loop {
            match listener.recv().await {
                Ok(_) => on_work(),
                Err(e) => {
                    tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                    break;
                }
            }
        }
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db_err)?;
        Ok(())
    }

    fn watch_for_work(&self, on_work: Arc<dyn Fn() + Send + Sync>) {
        tokio::spawn(listen(self.pool.clone(), on_work));
    }

    async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn create_app(&self, new: NewApplication, now: Timestamp) -> StoreResult<Application> {
        catalog::create_app(&self.pool, new, now).await
    }
    async fn get_app(&self, id_or_uid: &str) -> StoreResult<Application> {
        catalog::get_app(&self.pool, id_or_uid).await
    }
    async fn list_apps(&self, page: PageRequest) -> StoreResult<Page<Application>> {
        catalog::list_apps(&self.pool, page).await
    }
    async fn update_app(&self, id: &AppId, patch: ApplicationPatch, now: Timestamp) -> StoreResult<Application> {
        catalog::update_app(&self.pool, id, patch, now).await
    }
    async fn delete_app(&self, id: &AppId) -> StoreResult<()> {
        catalog::delete_app(&self.pool, id).await
    }

    async fn create_event_type(&self, new: NewEventType, now: Timestamp) -> StoreResult<EventType> {
        catalog::create_event_type(&self.pool, new, now).await
    }
    async fn get_event_type(&self, name: &str) -> StoreResult<EventType> {
        catalog::get_event_type(&self.pool, name).await
    }
    async fn list_event_types(&self, page: PageRequest) -> StoreResult<Page<EventType>> {
        catalog::list_event_types(&self.pool, page).await
    }
    async fn update_event_type(&self, name: &str, patch: EventTypePatch, now: Timestamp) -> StoreResult<EventType> {
        catalog::update_event_type(&self.pool, name, patch, now).await
    }
    async fn delete_event_type(&self, name: &str) -> StoreResult<()> {
        catalog::delete_event_type(&self.pool, name).await
    }

    async fn create_endpoint(&self, app: &AppId, new: NewEndpoint, now: Timestamp) -> StoreResult<Endpoint> {
        catalog::create_endpoint(&self.pool, app, new, now).await
    }
    async fn get_endpoint(&self, app: &AppId, id: &EndpointId) -> StoreResult<Endpoint> {
        catalog::get_endpoint(&self.pool, app, id).await
    }
    async fn list_endpoints(&self, app: &AppId, page: PageRequest) -> StoreResult<Page<Endpoint>> {
        catalog::list_endpoints(&self.pool, app, page).await
    }
    async fn update_endpoint(
        &self,
        app: &AppId,
        id: &EndpointId,
        patch: EndpointPatch,
        now: Timestamp,
    ) -> StoreResult<Endpoint> {
        catalog::update_endpoint(&self.pool, app, id, patch, now).await
    }
    async fn delete_endpoint(&self, app: &AppId, id: &EndpointId) -> StoreResult<()> {
        catalog::delete_endpoint(&self.pool, app, id).await
    }

    async fn publish(
        &self,
        app: &AppId,
        new: NewMessage,
        now: Timestamp,
        lease: Option<Duration>,
    ) -> StoreResult<Published> {
        self.publisher.publish(app, new, now, lease).await
    }
    async fn get_message(&self, app: &AppId, id: &MessageId) -> StoreResult<Message> {
        messages::get_message(&self.pool, app, id).await
    }
    async fn list_messages(&self, app: &AppId, page: PageRequest) -> StoreResult<Page<Message>> {
        messages::list_messages(&self.pool, app, page).await
    }
    async fn message_deliveries(&self, app: &AppId, id: &MessageId) -> StoreResult<Vec<DeliveryStatus>> {
        messages::message_deliveries(&self.pool, app, id).await
    }
    async fn list_attempts(&self, app: &AppId, filter: AttemptFilter, page: PageRequest) -> StoreResult<Page<Attempt>> {
        messages::list_attempts(&self.pool, app, filter, page).await
    }

    async fn claim_batch(&self, req: &ClaimRequest<'_>) -> StoreResult<Vec<ClaimedDelivery>> {
        queue::claim(&self.pool, req, &self.node).await
    }
    async fn renew(&self, leases: &[(i64, i64)], until: Timestamp) -> StoreResult<usize> {
        queue::renew(&self.pool, leases, until).await
    }
    async fn recover_leases(&self) -> StoreResult<usize> {
        queue::recover_leases(&self.pool, &self.node).await
    }
    async fn settle(&self, outcomes: &[Settlement], now: Timestamp) -> StoreResult<usize> {
        queue::settle(&self.pool, outcomes, now).await
    }
}
