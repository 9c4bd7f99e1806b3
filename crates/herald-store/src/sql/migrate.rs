//! A minimal migrator: numbered SQL files embedded in the binary, each applied
//! once inside one transaction and recorded in `herald_migrations`. The files
//! are each backend's own (column types differ); the bookkeeping is shared.

use herald_core::clock::{Clock, SystemClock};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, SqlBackend, SqlRow};
use crate::rows::RowGet;
use crate::{StoreError, StoreResult};

/// A backend's migrations.
pub struct Migrations {
    /// `(version, SQL)`, in order.
    pub files: &'static [(i64, &'static str)],
    /// Run first in the transaction, to keep nodes that start together from
    /// applying a file twice (PostgreSQL's advisory lock); `None` where one
    /// process owns the database.
    pub lock: Option<&'static str>,
}

/// Applies the migrations not yet applied; returns how many.
pub async fn migrate<B>(backend: &B, migrations: &Migrations) -> StoreResult<usize>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'r> SqlRow<'r, <B::Db as Database>::Row>: RowGet,
    for<'q> i64: Encode<'q, B::Db> + Type<B::Db>,
{
    let db = StoreError::from_sqlx;
    let mut tx = super::begin(backend.writer(), B::BEGIN).await?;
    if let Some(lock) = migrations.lock {
        sqlx::raw_sql(lock).execute(&mut *tx).await.map_err(db)?;
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS herald_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let rows = sqlx::query("SELECT version FROM herald_migrations").fetch_all(&mut *tx).await.map_err(db)?;
    let applied = all(&rows, |r| r.int("version"))?;
    let mut count = 0;
    for (version, sql) in migrations.files {
        if applied.contains(version) {
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(db)?;
        sqlx::query("INSERT INTO herald_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(*version)
            .bind(SystemClock.now().as_millis())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        count += 1;
    }
    tx.commit().await.map_err(db)?;
    super::Sql::of(backend).synced().await?;
    Ok(count)
}
