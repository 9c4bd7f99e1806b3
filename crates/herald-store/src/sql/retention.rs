//! Retention: payloads and attempt response bodies older than the
//! configured period are removed in small batches, keeping the records
//! (message, deliveries, attempts) themselves. Ids are time-ordered, so a
//! batch walks the primary key from a cursor kept in `settings`; running it
//! on several nodes at once only repeats harmless updates.

use herald_core::{AppId, AttemptId, MessageId, Timestamp};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, Sql, SqlRow};
use crate::rows::RowGet;
use crate::*;

const MESSAGES_CURSOR: &str = "retention.messages_cursor";
const ATTEMPTS_CURSOR: &str = "retention.attempts_cursor";

/// Runs `statement` (a pragma) in the transaction, if there is one.
async fn pragma<DB: Database>(tx: &mut DB::Connection, statement: Option<&'static str>) -> StoreResult<()>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
{
    if let Some(s) = statement {
        sqlx::query(s).execute(tx).await.map_err(StoreError::from_sqlx)?;
    }
    Ok(())
}

impl<DB> Sql<'_, DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> SqlRow<'r, DB::Row>: RowGet,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    /// Removes a message's payload and its attempts' response bodies now.
    pub async fn expunge_message(&self, app: &AppId, id: &MessageId, now: Timestamp) -> StoreResult<Message> {
        let mut tx = super::begin(self.writer, self.begin).await?;
        pragma::<DB>(&mut tx, self.secure_delete.map(|s| s.0)).await?;
        let row = sqlx::query(
            "UPDATE messages SET payload = '', expunged_at = COALESCE(expunged_at, $3)
             WHERE id = $1 AND app_id = $2 RETURNING *",
        )
        .bind(id.as_str())
        .bind(app.as_str())
        .bind(now.as_millis())
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound("message"))?;
        let message = super::one(&row, crate::rows::message)?;
        sqlx::query("UPDATE attempts SET response_body = NULL WHERE msg_id = $1 AND response_body IS NOT NULL")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        pragma::<DB>(&mut tx, self.secure_delete.map(|s| s.1)).await?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        Ok(message)
    }

    /// One batch of the cleaner: up to `limit` messages and `limit`
    /// attempts made before `before` lose their payload and response body;
    /// sent notifications from then are deleted. Returns how many rows the
    /// batch walked (less than `limit` of each: nothing older is left).
    pub async fn retention_step(&self, before: Timestamp, limit: u32, now: Timestamp) -> StoreResult<(u64, u64)> {
        let mut tx = super::begin(self.writer, self.begin).await?;
        pragma::<DB>(&mut tx, self.secure_delete.map(|s| s.0)).await?;
        let mut walked = [0u64; 2];
        let targets = [
            (
                "messages",
                MESSAGES_CURSOR,
                MessageId::first_at(before.as_millis()),
                "UPDATE messages SET payload = '', expunged_at = $3 WHERE id > $1 AND id <= $2 AND expunged_at IS NULL",
            ),
            (
                "attempts",
                ATTEMPTS_CURSOR,
                AttemptId::first_at(before.as_millis()),
                "UPDATE attempts SET response_body = NULL
                 WHERE id > $1 AND id <= $2 AND response_body IS NOT NULL AND $3 > 0",
            ),
        ];
        for (i, (table, key, bound, update)) in targets.into_iter().enumerate() {
            let cursor = Self::read_setting(&mut *tx, key).await?.unwrap_or_default();
            let select = format!("SELECT id FROM {table} WHERE id > $1 AND id < $2 ORDER BY id LIMIT $3");
            let rows = sqlx::query(&select)
                .bind(cursor.as_str())
                .bind(bound)
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
            let ids = all(&rows, |r| r.text("id"))?;
            let Some(last) = ids.last() else { continue };
            sqlx::query(update)
                .bind(cursor.as_str())
                .bind(last.as_str())
                .bind(now.as_millis())
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
            Self::write_setting(&mut *tx, key, last).await?;
            walked[i] = ids.len() as u64;
        }
        sqlx::query(
            "DELETE FROM notifications WHERE id IN (
                 SELECT id FROM notifications WHERE state <> 'pending' AND created_at < $1 ORDER BY id LIMIT $2)",
        )
        .bind(before.as_millis())
        .bind(i64::from(limit))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        pragma::<DB>(&mut tx, self.secure_delete.map(|s| s.1)).await?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        Ok((walked[0], walked[1]))
    }
}
