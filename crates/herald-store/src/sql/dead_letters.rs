//! Dead letters: deliveries that exhausted their retries, with their
//! messages, read through the partial index `deliveries_failed`.

use herald_core::AppId;
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, Sql, SqlRow};
use crate::rows::{self, RowGet};
use crate::*;

fn dead_letter(row: &dyn RowGet) -> StoreResult<DeadLetter> {
    Ok(DeadLetter { delivery_id: row.int("d_id")?, message: rows::message(row)?, status: rows::delivery_status(row)? })
}

impl<DB> Sql<'_, DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> SqlRow<'r, DB::Row>: RowGet,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
{
    pub async fn list_dead_letters(
        &self,
        app: &AppId,
        filter: DeadLetterFilter,
        page: PageRequest,
    ) -> StoreResult<Page<DeadLetter>> {
        let before = match page.before.as_deref() {
            None => None,
            Some(c) => Some(c.parse::<i64>().map_err(|_| StoreError::Rejected("not a dead-letter cursor".into()))?),
        };
        let rows = sqlx::query(
            "SELECT d.id AS d_id, d.endpoint_id, d.state, d.attempts, d.due_at, d.last_attempt_at,
                    d.last_status_code, d.last_error, m.*
             FROM deliveries d JOIN messages m ON m.id = d.msg_id
             WHERE d.app_id = $1 AND d.state = 'failed'
               AND (CAST($2 AS TEXT) IS NULL OR d.endpoint_id = $2)
               AND (CAST($3 AS TEXT) IS NULL OR m.event_type = $3)
               AND (CAST($4 AS BIGINT) IS NULL OR d.last_attempt_at >= $4)
               AND (CAST($5 AS BIGINT) IS NULL OR d.last_attempt_at < $5)
               AND (CAST($6 AS BIGINT) IS NULL OR d.id < $6)
             ORDER BY d.id DESC LIMIT $7",
        )
        .bind(app.as_str())
        .bind(filter.endpoint.as_ref().map(|e| e.as_str()))
        .bind(filter.event_type.as_deref())
        .bind(filter.since.map(|t| t.as_millis()))
        .bind(filter.until.map(|t| t.as_millis()))
        .bind(before)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(self.reader)
        .await
        .map_err(StoreError::from_sqlx)?;
        Ok(Page::from_rows(all(&rows, dead_letter)?, page.limit, |d| d.delivery_id.to_string()))
    }
}
