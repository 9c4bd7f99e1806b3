//! Herald's [`Store`] on PostgreSQL: several `herald serve` nodes share one
//! database; the queue lives in it, nodes are stateless. Idle nodes are woken
//! by `LISTEN/NOTIFY` when another node commits new work.

mod planner;
mod publish;
mod queue;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::Timestamp;
use herald_store::seal::Sealer;
use herald_store::sql::{Migrations, SqlBackend};
use herald_store::*;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool, Postgres};

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
    /// Seals endpoint secrets and credentials at rest.
    pub sealer: Arc<Sealer>,
    /// The channels operational events are queued for.
    pub channels: herald_store::NotifyChannels,
}

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    publisher: herald_store::batch::Publisher,
    node: Arc<str>,
    sealer: Arc<Sealer>,
    cache: Arc<herald_store::sql::cache::Cache>,
    channels: herald_store::NotifyChannels,
}

pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::from_sqlx(e)
}

/// Nodes starting together take an advisory lock (an arbitrary fixed key,
/// "HERALD"), so each file is applied exactly once.
const MIGRATIONS: Migrations = Migrations {
    files: &[
        (1, include_str!("../migrations/0001_init.sql")),
        (2, include_str!("../migrations/0002_profiles.sql")),
        (3, include_str!("../migrations/0003_fair_claims.sql")),
        (4, include_str!("../migrations/0004_dead_letters.sql")),
        (5, include_str!("../migrations/0005_manual_attempts.sql")),
        (6, include_str!("../migrations/0006_tokens.sql")),
        (7, include_str!("../migrations/0007_recoveries.sql")),
        (8, include_str!("../migrations/0008_stats.sql")),
        (9, include_str!("../migrations/0009_operations.sql")),
        (10, include_str!("../migrations/0010_flow.sql")),
        (11, include_str!("../migrations/0011_app_rate.sql")),
        (12, include_str!("../migrations/0012_endpoint_auth.sql")),
        (13, include_str!("../migrations/0013_endpoint_expiry.sql")),
        (14, include_str!("../migrations/0014_portal_theme.sql")),
        (15, include_str!("../migrations/0015_attempt_numbering.sql")),
        (16, include_str!("../migrations/0016_delivered_deliveries.sql")),
        (17, include_str!("../migrations/0017_catalog_rev.sql")),
    ],
    lock: Some("SELECT pg_advisory_xact_lock(79462569954372)"),
};

impl PgStore {
    pub async fn connect(opts: &PgOptions) -> StoreResult<Self> {
        // A commit is durable before its publishes are answered, whatever the
        // server's, database's or role's default says.
        let connect = PgConnectOptions::from_str(&opts.url)
            .map_err(db_err)?
            .options([("synchronous_commit", "on")])
            .disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(2))
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(connect)
            .await
            .map_err(db_err)?;
        let node: Arc<str> = opts.node.as_str().into();
        let cache = Arc::new(herald_store::sql::cache::Cache::default());
        let publisher = publish::start(pool.clone(), node.clone(), opts.sealer.clone(), cache.clone());
        tokio::spawn(planner::keep_statistics(pool.clone()));
        Ok(Self { pool, publisher, node, sealer: opts.sealer.clone(), cache, channels: opts.channels })
    }

    pub async fn migrate(&self) -> StoreResult<usize> {
        herald_store::sql::migrate(self, &MIGRATIONS).await
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A setting as each of `n` of this store's connections sees it, held
    /// at once so that they are `n` different connections.
    pub async fn session_settings(&self, name: &str, n: usize) -> StoreResult<Vec<String>> {
        let mut held = Vec::with_capacity(n);
        for _ in 0..n {
            held.push(self.pool.acquire().await.map_err(db_err)?);
        }
        let mut out = Vec::with_capacity(n);
        for conn in &mut held {
            let q = sqlx::query_scalar("SELECT current_setting($1)").bind(name);
            out.push(q.fetch_one(&mut **conn).await.map_err(db_err)?);
        }
        Ok(out)
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

/// The catalog and the reads are shared (`herald_store::sql`); what is
/// PostgreSQL's own: group commit over arrays, `SKIP LOCKED` claims, leases
/// held by node, `LISTEN/NOTIFY` wake-ups.
#[async_trait]
impl SqlBackend for PgStore {
    type Db = Postgres;
    const JSON_TEXTS: &'static str = "json_array_elements_text(CAST($1 AS JSON))";
    const JSON_VALUES: &'static str = "json_array_elements(CAST($1 AS JSON))";
    const LOCK_GATES: &'static str = " FOR UPDATE OF g SKIP LOCKED";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    const FIFO_HEADS: &'static str = "heads(k, id) AS (
        (SELECT ordering_key, id FROM deliveries
         WHERE endpoint_id = $5 AND ordering_key IS NOT NULL AND state IN ('pending', 'retrying')
         ORDER BY ordering_key, id LIMIT 1)
        UNION ALL
        SELECT nxt.ordering_key, nxt.id FROM heads, LATERAL (
            SELECT ordering_key, id FROM deliveries
            WHERE endpoint_id = $5 AND ordering_key IS NOT NULL AND state IN ('pending', 'retrying')
              AND ordering_key > heads.k
            ORDER BY ordering_key, id LIMIT 1) nxt)";

    fn writer(&self) -> &PgPool {
        &self.pool
    }
    fn sealer(&self) -> &Sealer {
        &self.sealer
    }
    fn cache(&self) -> &herald_store::sql::cache::Cache {
        &self.cache
    }
    fn node(&self) -> Option<&str> {
        Some(&self.node)
    }
    fn channels(&self) -> herald_store::NotifyChannels {
        self.channels
    }

    fn watch_for_work(&self, on_work: Arc<dyn Fn() + Send + Sync>) {
        tokio::spawn(listen(self.pool.clone(), on_work));
    }

    fn publisher(&self) -> &herald_store::batch::Publisher {
        &self.publisher
    }
    async fn claim_batch(&self, req: &ClaimRequest<'_>) -> StoreResult<Vec<ClaimedDelivery>> {
        queue::claim(&self.pool, &self.sealer, &self.cache, req, &self.node).await
    }
    async fn renew(&self, leases: &[(i64, i64)], until: Timestamp) -> StoreResult<usize> {
        queue::renew(&self.pool, leases, until).await
    }
    async fn recover_leases(&self) -> StoreResult<usize> {
        queue::recover_leases(&self.pool, &self.node).await
    }
    async fn settle(&self, outcomes: &[Settlement], now: Timestamp) -> StoreResult<usize> {
        queue::settle(&self.pool, outcomes, self.channels, now).await
    }
}
