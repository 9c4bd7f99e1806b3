//! Sealing what is not sealed under the current main key yet: values from
//! before sealing existed, and values sealed under a previous key (after a
//! rotation). Run at start; a value no known key opens stops the start.

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, Sql, SqlRow};
use crate::rows::RowGet;
use crate::seal::Place;
use crate::*;

/// (table, column) pairs that hold sealed values.
const SEALED: &[(&str, &str)] =
    &[("applications", "credential"), ("endpoints", "secret"), ("endpoints", "credential"), ("endpoints", "auth")];

impl<DB> Sql<'_, DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> SqlRow<'r, DB::Row>: RowGet,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
{
    pub async fn reseal_secrets(&self) -> StoreResult<usize> {
        let mut tx = super::begin(self.writer, self.begin).await?;
        let mut resealed = 0;
        for (table, column) in SEALED {
            let sql = format!("SELECT id, {column} AS value FROM {table} WHERE {column} IS NOT NULL");
            let rows = sqlx::query(&sql).fetch_all(&mut *tx).await.map_err(StoreError::from_sqlx)?;
            let values = all(&rows, |r| Ok((r.text("id")?, r.text("value")?)))?;
            let update = format!("UPDATE {table} SET {column} = $2 WHERE id = $1");
            for (id, stored) in values {
                if self.sealer.is_current(&stored) {
                    continue;
                }
                let name = format!("{table}.{column}");
                let at = Place { column: &name, row_id: &id };
                let plain = self.sealer.open(&stored, &at)?;
                let sealed = self.sealer.seal(&plain, &at);
                sqlx::query(&update).bind(id).bind(sealed).execute(&mut *tx).await.map_err(StoreError::from_sqlx)?;
                resealed += 1;
            }
        }
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        Ok(resealed)
    }
}
