//! Migrations under an advisory lock, so nodes starting together apply each
//! one exactly once.

use herald_store::StoreResult;
use sqlx::PgPool;

use crate::db_err;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_profiles.sql")),
    (3, include_str!("../migrations/0003_fair_claims.sql")),
];
/// An arbitrary, fixed key for `pg_advisory_xact_lock`.
const LOCK_KEY: i64 = 0x4845_5241_4C44; // "HERALD"

pub(crate) async fn run(pool: &PgPool) -> StoreResult<usize> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(LOCK_KEY).execute(&mut *tx).await.map_err(db_err)?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS herald_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM herald_migrations").fetch_all(&mut *tx).await.map_err(db_err)?;
    let mut count = 0;
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(db_err)?;
        sqlx::query(
            "INSERT INTO herald_migrations (version, applied_at) VALUES ($1, (extract(epoch from now()) * 1000)::bigint)",
        )
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        count += 1;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(count)
}
