//! Keeps the planner's statistics of the queue's table up with its size.
//!
//! The queue's statements are prepared once per connection, and PostgreSQL
//! keeps a generic plan made with the statistics of that moment until they
//! change. A table that grows from hundreds of rows to hundreds of thousands
//! between two of autovacuum's analyses (it looks once a minute and waits
//! for a tenth of the table to change) keeps the plans of its small days:
//! measured on a fresh database with 200,000 deliveries queued in 35 s, each
//! settle of 20 deliveries hash-joined a sequential scan of the whole table
//! (60-90 ms instead of well under 1), and each claim that reached an
//! endpoint with 10,000 due deliveries read and sorted all of them (19 ms)
//! instead of reading its first few in index order. So each node checks
//! every few seconds and analyzes `deliveries` when it has doubled since it
//! was last analyzed (or was never analyzed) and holds [`MIN_ROWS`] rows.
//! `ANALYZE` invalidates the cached plans, and the next ones are made with
//! the new figures. It samples 3,000 rows (statistics target 10) instead of
//! 30,000: 15 ms instead of 120-140 ms on 200,000 rows here, which matters
//! on a busy node; the plans need the table's size and how its rows spread
//! over endpoints, not fine histograms, and autovacuum's own analysis
//! replaces these figures with full ones when it comes.

use std::time::Duration;

use sqlx::PgPool;

use crate::db_err;
use herald_store::StoreResult;

/// Below this many live rows the table is left to autovacuum: any plan is
/// quick on it.
const MIN_ROWS: i64 = 1_000;

/// How often a node checks.
const EVERY: Duration = Duration::from_secs(5);

/// Analyzes `deliveries` if its statistics are stale (see the module). If
/// another session is vacuuming or analyzing it, it is skipped
/// (`SKIP_LOCKED`) rather than waited for.
async fn analyze_stale(pool: &PgPool) -> StoreResult<()> {
    // `n_live_tup` counts what sessions reported (they do at most once a
    // second); `reltuples` is what the planner believes (-1: never analyzed).
    let stale: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                        WHERE s.relid = to_regclass('deliveries') AND s.n_live_tup >= $1
                          AND (c.reltuples < 0 OR s.n_live_tup > 2 * c.reltuples))",
    )
    .bind(MIN_ROWS)
    .fetch_one(pool)
    .await
    .map_err(db_err)?;
    if stale {
        let mut tx = pool.begin().await.map_err(db_err)?;
        for step in ["SET LOCAL default_statistics_target = 10", "ANALYZE (SKIP_LOCKED) deliveries"] {
            sqlx::query(step).execute(&mut *tx).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        tracing::debug!("analyzed the deliveries table, which outgrew its statistics");
    }
    Ok(())
}

/// Runs [`analyze_stale`] every few seconds while the pool is open.
pub async fn keep_statistics(pool: PgPool) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = analyze_stale(&pool).await {
            tracing::debug!(error = %e, "checking the deliveries table's statistics failed; trying again later");
        }
    }
}
