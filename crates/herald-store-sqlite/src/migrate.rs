//! A minimal migrator: numbered SQL files embedded in the binary, each applied
//! once inside a transaction and recorded in `herald_migrations`.

use herald_store::StoreResult;
use sqlx::SqlitePool;

use crate::db_err;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_profiles.sql")),
    (3, include_str!("../migrations/0003_fair_claims.sql")),
];

pub(crate) async fn run(pool: &SqlitePool) -> StoreResult<usize> {
    let mut tx = crate::begin(pool).await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS herald_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
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
        sqlx::query("INSERT INTO herald_migrations (version, applied_at) VALUES (?1, strftime('%s','now') * 1000)")
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        count += 1;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(count)
}
