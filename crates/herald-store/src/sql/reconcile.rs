//! Reconciliation and export: an application's messages filtered by event
//! type, acceptance time, delivery state and endpoint, newest first.
//!
//! A time range is an id range (ids sort by creation time), read through
//! `messages_app (app_id, id)`. A state that few deliveries are in (failed,
//! pending, retrying) drives the query from the deliveries in it, through
//! the partial indexes `deliveries_failed` and `deliveries_ready` (the
//! state is written into the statement, so the planner can match the
//! partial index); `delivered`, the common state, is checked per message
//! with `deliveries_msg`.

use std::collections::HashMap;

use herald_core::delivery::DeliveryState;
use herald_core::{AppId, MessageId};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, Sql, SqlRow};
use crate::rows::{self, RowGet};
use crate::*;

/// The statement for `filter`; its parameters are always, in order: app,
/// cursor, lower id, upper id, event type, endpoint, limit.
fn statement(filter: &MessageFilter) -> String {
    let endpoint = "(CAST($6 AS TEXT) IS NULL OR d.endpoint_id = $6)";
    let by_state = match filter.status {
        None if filter.endpoint.is_none() => String::new(),
        None => format!("AND EXISTS (SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND {endpoint})"),
        Some(DeliveryState::Delivered) => format!(
            "AND EXISTS (SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND d.state = 'delivered' AND {endpoint})"
        ),
        // `IN (...)` repeats the partial index's own condition, which SQLite
        // needs word for word to use `deliveries_ready`.
        Some(queued @ (DeliveryState::Pending | DeliveryState::Retrying)) => format!(
            "AND m.id IN (SELECT d.msg_id FROM deliveries d WHERE d.state IN ('pending', 'retrying')
                          AND d.state = '{}' AND d.app_id = $1 AND {endpoint})",
            queued.as_str()
        ),
        Some(DeliveryState::Failed) => format!(
            "AND m.id IN (SELECT d.msg_id FROM deliveries d WHERE d.app_id = $1 AND d.state = 'failed' AND {endpoint})"
        ),
    };
    format!(
        "SELECT m.* FROM messages m
         WHERE m.app_id = $1
           AND (CAST($2 AS TEXT) IS NULL OR m.id < $2)
           AND (CAST($3 AS TEXT) IS NULL OR m.id >= $3)
           AND (CAST($4 AS TEXT) IS NULL OR m.id < $4)
           AND (CAST($5 AS TEXT) IS NULL OR m.event_type = $5)
           {by_state}
         ORDER BY m.id DESC LIMIT $7"
    )
}

fn status_of_message(row: &dyn RowGet) -> StoreResult<(String, DeliveryStatus)> {
    Ok((row.text("msg_id")?, rows::delivery_status(row)?))
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
    pub async fn list_messages(
        &self,
        app: &AppId,
        filter: &MessageFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Message>> {
        let sql = statement(filter);
        let rows = sqlx::query(&sql)
            .bind(app.as_str())
            .bind(page.before.as_deref())
            .bind(filter.since.map(|t| MessageId::first_at(t.as_millis())))
            .bind(filter.until.map(|t| MessageId::first_at(t.as_millis())))
            .bind(filter.event_type.as_deref())
            .bind(filter.endpoint.as_ref().map(|e| e.as_str()))
            .bind(i64::from(page.limit) + 1)
            .fetch_all(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(Page::from_rows(all(&rows, rows::message)?, page.limit, |m| m.id.to_string()))
    }

    /// The deliveries of these messages, by message id, in one read.
    pub async fn deliveries_of(
        &self,
        app: &AppId,
        messages: &[MessageId],
    ) -> StoreResult<HashMap<String, Vec<DeliveryStatus>>> {
        if messages.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<&str> = messages.iter().map(MessageId::as_str).collect();
        let rows = self
            .rows_of_app(
                "SELECT * FROM deliveries WHERE msg_id IN ({keys}) AND app_id = $2 ORDER BY msg_id, endpoint_id",
                &ids,
                app,
            )
            .await?;
        let mut out: HashMap<String, Vec<DeliveryStatus>> = HashMap::new();
        for (msg, status) in all(&rows, status_of_message)? {
            out.entry(msg).or_default().push(status);
        }
        Ok(out)
    }
}
