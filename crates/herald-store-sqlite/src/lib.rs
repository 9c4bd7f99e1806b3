//! Herald's [`Store`] on one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection, so in-process writers
//! queue instead of fighting over SQLite's lock; reads use their own pool and
//! never block the writer.

mod publish;
mod queue;
mod values;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::Timestamp;
use herald_store::seal::Sealer;
use herald_store::sql::{Migrations, SqlBackend};
use herald_store::sync::FileSync;
use herald_store::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

/// How SQLite connects; see `config/default.toml`.
#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// `sqlite://path/to/file.db` (created if missing) or `sqlite::memory:`.
    pub url: String,
    pub read_connections: u32,
    /// `true`: a commit that publishes events or changes the catalog is
    /// answered only once the write-ahead log is fsynced (it survives a
    /// power cut); `false`: only checkpoints fsync (a commit survives a
    /// killed process, not a power cut). Settles, claims and renewals never
    /// wait for an fsync: losing one means a delivery is repeated.
    pub fsync_every_commit: bool,
    /// How often the WAL is copied back into the database file.
    pub checkpoint_interval: Duration,
    /// Past this size the writer lets the write-ahead log restart (at most
    /// once per `wal_restart_interval`), and a restarted log is cut back to
    /// it; 0: no bound.
    pub wal_limit_bytes: u64,
    /// Least time between two checkpoints on the writer's path (each may
    /// wait for an fsync).
    pub wal_restart_interval: Duration,
    /// Seals endpoint secrets and credentials at rest.
    pub sealer: Arc<Sealer>,
    /// The channels operational events are queued for.
    pub channels: herald_store::NotifyChannels,
}

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    publisher: herald_store::batch::Publisher,
    sync: Option<FileSync>,
    sealer: Arc<Sealer>,
    cache: Arc<herald_store::sql::cache::Cache>,
    channels: herald_store::NotifyChannels,
    /// The write-ahead log's file (none in memory).
    wal: Option<std::path::PathBuf>,
}

pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::from_sqlx(e)
}

/// A write transaction that takes the write lock at once (`BEGIN
/// IMMEDIATE`), waiting for it through the busy handler. A deferred one
/// would read first and then ask for the lock, and fail at once with "database
/// is locked" if a checkpoint took it meanwhile.
pub(crate) async fn begin(pool: &SqlitePool) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
    herald_store::sql::begin(pool, <SqliteStore as SqlBackend>::BEGIN).await
}

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
    lock: None,
};

impl SqliteStore {
    pub async fn connect(opts: &SqliteOptions) -> StoreResult<Self> {
        let base = SqliteConnectOptions::from_str(&opts.url)
            .map_err(db_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Commits never fsync by themselves: `sync` does it, off the
            // writer's path, for the commits that must survive a power cut.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let in_memory = opts.url.contains(":memory:");
        // The writer never checkpoints itself (that would stall the commit
        // that crosses the threshold); a background connection does.
        let writer_opts = if in_memory {
            base.clone()
        } else {
            base.clone().pragma("wal_autocheckpoint", "0").pragma(
                "journal_size_limit",
                if opts.wal_limit_bytes == 0 {
                    "-1".to_owned()
                } else {
                    (WAL_FILE_KEPT * opts.wal_limit_bytes).to_string()
                },
            )
        };
        // No liveness ping on each checkout: a local file does not go away.
        let writer = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .min_connections(1)
            .connect_with(writer_opts)
            .await
            .map_err(db_err)?;
        // An in-memory database exists once per connection: share the writer.
        let reader = if in_memory {
            writer.clone()
        } else {
            let checkpointer =
                SqlitePoolOptions::new().max_connections(1).connect_with(base.clone()).await.map_err(db_err)?;
            tokio::spawn(checkpoint_loop(
                checkpointer,
                writer.clone(),
                opts.checkpoint_interval,
                opts.wal_limit_bytes,
                opts.wal_restart_interval,
            ));
            SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(opts.read_connections.max(1))
                .connect_with(base.read_only(true))
                .await
                .map_err(db_err)?
        };
        let sync = if in_memory || !opts.fsync_every_commit { None } else { Some(wal_sync(&writer).await?) };
        let wal = if in_memory { None } else { Some(wal_path(&writer).await?) };
        let cache = Arc::new(herald_store::sql::cache::Cache::default());
        let publisher = publish::start(writer.clone(), sync.clone(), opts.sealer.clone(), cache.clone());
        let sealer = opts.sealer.clone();
        Ok(Self { writer, reader, publisher, sync, sealer, cache, channels: opts.channels, wal })
    }

    /// Applies the migrations this build has not yet applied.
    pub async fn migrate(&self) -> StoreResult<usize> {
        herald_store::sql::migrate(self, &MIGRATIONS).await
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// The fsyncs of the database's write-ahead log. Syncing the database's
/// directory once makes the new files' entries durable too.
async fn wal_sync(writer: &SqlitePool) -> StoreResult<FileSync> {
    Ok(FileSync::start(wal_path(writer).await?))
}

async fn wal_path(writer: &SqlitePool) -> StoreResult<std::path::PathBuf> {
    let file: String = sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .fetch_one(writer)
        .await
        .map_err(db_err)?;
    Ok(std::path::PathBuf::from(format!("{file}-wal")))
}

/// How much of the log file a restart keeps, in multiples of the bound on
/// its live part. A restarted log is written from the top over the blocks
/// the file already has, and an `fdatasync` that does not grow the file
/// needs no file-system journal commit (half the time on this machine's
/// disk: 0.12 against 0.2-0.27 ms for 8 KiB). Cut back to the bound, most
/// of a busy second's log would be appended again: at full ingest the log
/// grows by about 50 MB between two restarts (at most one a second).
const WAL_FILE_KEPT: u64 = 4;

/// Copies the WAL back into the database file off the writer's path.
///
/// PASSIVE never blocks readers or the writer; it does what it can. Two
/// things follow from how SQLite runs it, and this loop answers both:
///
/// - A pass fsyncs the database file only when it copied the log up to its
///   very end; under steady writes the writer appends during every pass, so
///   no pass ever syncs, the copied pages pile up in the page cache, and the
///   first pass that does catch up (at a lull) must flush all of them at once:
///   a sync of hundreds of MB that took over a second on this machine and held
///   up the writer's own I/O meanwhile. So after each pass that copied
///   something, this loop flushes the database file itself (`fdatasync`, off
///   every lock): the next catching-up sync has only a pass's worth left.
/// - The log restarts from the top only when a write transaction begins with
///   all of it copied, which under steady writes never happens, so it grows
///   without end. With a `limit`, once the log's frames (what the last pass
///   found in it, not the file's size) pass it (at most once per
///   `restart_every`), right after a background pass and its flush, one more
///   PASSIVE runs on the writer's own connection between two transactions: no
///   write can come in meanwhile, it copies only what was appended during the
///   background pass (and syncs just that), and the next transaction restarts
///   the log; `journal_size_limit` cuts the file back to [`WAL_FILE_KEPT`]
///   times `limit` when it grew past that.
async fn checkpoint_loop(pool: SqlitePool, writer: SqlitePool, every: Duration, limit: u64, restart_every: Duration) {
    let db = sqlx::query_scalar::<_, String>("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .fetch_one(&pool)
        .await
        .ok()
        .filter(|f| !f.is_empty())
        .map(std::path::PathBuf::from);
    let frame_bytes = sqlx::query_scalar::<_, i64>("PRAGMA page_size")
        .fetch_one(&pool)
        .await
        .ok()
        .and_then(|p| u64::try_from(p).ok())
        .map_or(4096 + 24, |p| p + 24);
    let mut flusher = db.map(DbFlush::new);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_restart = std::time::Instant::now();
    loop {
        tick.tick().await;
        if pool.is_closed() || writer.is_closed() {
            return;
        }
        let Some((log, done)) = checkpoint(&pool, "background").await else { continue };
        if let Some(f) = flusher.as_mut() {
            f.after_pass(done).await;
        }
        let live = u64::try_from(log).unwrap_or(0) * frame_bytes;
        if limit > 0 && live > limit && last_restart.elapsed() >= restart_every {
            last_restart = std::time::Instant::now();
            // Only what the writer appended during the pass above is left.
            checkpoint(&writer, "writer").await;
        }
    }
}

/// Flushes the database file after the checkpoint passes that copied pages
/// into it, on the blocking pool: the writer never waits for it.
struct DbFlush {
    path: std::path::PathBuf,
    /// The log frames copied as of the last flush (a pass's `done`).
    flushed_at: i64,
}

impl DbFlush {
    fn new(path: std::path::PathBuf) -> Self {
        Self { path, flushed_at: 0 }
    }

    async fn after_pass(&mut self, done: i64) {
        // `done` counts frames copied since the log last restarted: it only
        // changes when a pass copied something (or the log restarted).
        if done == self.flushed_at {
            return;
        }
        self.flushed_at = done;
        let path = self.path.clone();
        let started = std::time::Instant::now();
        let flushed =
            tokio::task::spawn_blocking(move || std::fs::OpenOptions::new().write(true).open(&path)?.sync_data()).await;
        let took_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        match flushed {
            Ok(Ok(())) => tracing::trace!(took_us, done, "database file flushed after a checkpoint pass"),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "flushing the database file failed; the next checkpoint syncs it")
            }
            Err(e) => tracing::debug!(error = %e, "the database flush task failed"),
        }
    }
}

/// One PASSIVE pass; when it ran, the frames in the log and those of them
/// copied so far.
async fn checkpoint(on: &SqlitePool, which: &'static str) -> Option<(i64, i64)> {
    let started = std::time::Instant::now();
    match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(on).await {
        Ok((busy, log, done)) => {
            let took_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            tracing::trace!(which, busy, log, done, took_us, "WAL checkpoint");
            Some((log, done))
        }
        Err(e) => {
            tracing::debug!(error = %e, which, "WAL checkpoint failed; trying again later");
            None
        }
    }
}

/// The catalog and the reads are shared (`herald_store::sql`); what is
/// SQLite's own: the single writer, `BEGIN IMMEDIATE`, group commit, claims.
#[async_trait]
impl SqlBackend for SqliteStore {
    type Db = Sqlite;
    const JSON_TEXTS: &'static str = "json_each($1)";
    const JSON_VALUES: &'static str = "json_each($1)";
    // Expunged payloads are zeroed in the file rather than left in free
    // space; only for those statements (on for all writes, it cost speed).
    const SECURE_DELETE: Option<(&'static str, &'static str)> =
        Some(("PRAGMA secure_delete = ON", "PRAGMA secure_delete = OFF"));
    const BEGIN: &'static str = "BEGIN IMMEDIATE";

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }
    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    fn publisher(&self) -> &herald_store::batch::Publisher {
        &self.publisher
    }
    fn file_sync(&self) -> Option<&FileSync> {
        self.sync.as_ref()
    }
    fn sealer(&self) -> &Sealer {
        &self.sealer
    }
    fn cache(&self) -> &herald_store::sql::cache::Cache {
        &self.cache
    }
    fn channels(&self) -> herald_store::NotifyChannels {
        self.channels
    }
    fn wal_bytes(&self) -> Option<u64> {
        self.wal.as_ref().map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
    }
    async fn claim_batch(&self, req: &ClaimRequest<'_>) -> StoreResult<Vec<ClaimedDelivery>> {
        queue::claim(&self.writer, &self.sealer, &self.cache, req).await
    }
    async fn renew(&self, leases: &[(i64, i64)], until: Timestamp) -> StoreResult<usize> {
        queue::renew(&self.writer, leases, until).await
    }
    async fn recover_leases(&self) -> StoreResult<usize> {
        queue::recover_leases(&self.writer).await
    }
    async fn settle(&self, outcomes: &[Settlement], now: Timestamp) -> StoreResult<usize> {
        queue::settle(&self.writer, outcomes, self.channels, now).await
    }
}
