//! The outbox of operational webhooks and emails. Rows are queued in the
//! transaction that caused them (a settle, an endpoint change) and sent in
//! id order per channel by whichever node leases them: a row waiting for a
//! retry holds back the later ones of its channel, so the operator sees
//! events in the order they happened.

use std::collections::HashMap;
use std::time::Duration;

use herald_core::health::Streak;
use herald_core::{AppId, EndpointId, MessageId, Timestamp};
use serde_json::{json, Value};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, Sql, SqlRow};
use crate::rows::RowGet;
use crate::*;

/// Queues `items` inside the caller's transaction (`json_values`: the
/// backend's [`super::SqlBackend::JSON_VALUES`]).
pub async fn enqueue<DB>(
    conn: &mut DB::Connection,
    json_values: &str,
    items: &[NewNotification],
    now: Timestamp,
) -> StoreResult<()>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    if items.is_empty() {
        return Ok(());
    }
    let rows: Vec<Value> = items
        .iter()
        .map(|n| {
            json!([
                n.channel.as_str(),
                n.event_type,
                MessageId::generate(now.as_millis()),
                n.app_id,
                n.endpoint_id,
                n.data.to_string(),
            ])
        })
        .collect();
    let json = serde_json::to_string(&rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sql = format!(
        "INSERT INTO notifications (channel, event_type, msg_id, app_id, endpoint_id, data, state, due_at, created_at)
         SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5,
                'pending', $2, $2
         FROM {json_values} AS r"
    );
    sqlx::query(&sql).bind(json).bind(now.as_millis()).execute(conn).await.map_err(StoreError::from_sqlx)?;
    Ok(())
}

fn notification(row: &dyn RowGet) -> StoreResult<Notification> {
    let text = row.text("channel")?;
    let channel = Channel::parse(&text).ok_or_else(|| StoreError::Corrupt(format!("notification channel `{text}`")))?;
    let data = row.text("data")?;
    Ok(Notification {
        id: row.int("id")?,
        channel,
        event_type: row.text("event_type")?,
        msg_id: row.text("msg_id")?,
        app_id: row.opt_text("app_id")?.map(AppId::from_trusted),
        endpoint_id: row.opt_text("endpoint_id")?.map(EndpointId::from_trusted),
        data: serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("notification data: {e}")))?,
        attempts: u32::try_from(row.int("attempts")?).unwrap_or(u32::MAX),
        created_at: Timestamp::from_millis(row.int("created_at")?),
    })
}

fn health(row: &dyn RowGet) -> StoreResult<(String, EndpointHealth)> {
    let ts = |c: &str| row.opt_int(c).map(|v| v.map(Timestamp::from_millis));
    let health = EndpointHealth {
        streak: Streak {
            consecutive_failures: u64::try_from(row.int("consecutive_failures")?).unwrap_or(0),
            failing_since: ts("failing_since")?,
            exhausted: u64::try_from(row.int("exhausted")?).unwrap_or(0),
        },
        last_failure_at: ts("last_failure_at")?,
        last_success_at: ts("last_success_at")?,
        last_error: row.opt_text("last_error")?,
        warned_at: ts("warned_at")?,
    };
    Ok((row.text("endpoint_id")?, health))
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
    for<'q> Option<i64>: Encode<'q, DB>,
{
    /// Leases the channel's next due notifications, in id order, up to the
    /// first one that waits for a retry or another node holds.
    pub async fn claim_notifications(
        &self,
        channel: Channel,
        node: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query(
            "UPDATE notifications SET lease_owner = $2, leased_until = $3
             WHERE id IN (
                 SELECT n.id FROM notifications n
                 WHERE n.channel = $1 AND n.state = 'pending' AND n.id < COALESCE((
                     SELECT MIN(h.id) FROM notifications h
                     WHERE h.channel = $1 AND h.state = 'pending'
                       AND (h.due_at > $4 OR (h.leased_until IS NOT NULL AND h.leased_until > $4))), $6)
                 ORDER BY n.id LIMIT $5)
               AND state = 'pending' AND due_at <= $4 AND (leased_until IS NULL OR leased_until <= $4)
             RETURNING *",
        )
        .bind(channel.as_str())
        .bind(node)
        .bind(now.plus(lease).as_millis())
        .bind(now.as_millis())
        .bind(i64::from(limit))
        .bind(i64::MAX)
        .fetch_all(self.writer)
        .await
        .map_err(StoreError::from_sqlx)?;
        let mut found = all(&rows, notification)?;
        found.sort_by_key(|n| n.id);
        Ok(found)
    }

    /// Records how sending went, if `node` still holds the lease.
    pub async fn finish_notification(
        &self,
        id: i64,
        node: &str,
        outcome: &NotificationOutcome,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (state, due, error) = match outcome {
            NotificationOutcome::Sent => ("sent", None, None),
            NotificationOutcome::RetryAt(at, e) => ("pending", Some(at.as_millis()), Some(e.as_str())),
            NotificationOutcome::Failed(e) => ("failed", None, Some(e.as_str())),
        };
        sqlx::query(
            "UPDATE notifications SET state = $3, attempts = attempts + 1, due_at = COALESCE($4, due_at),
                    last_error = $5, sent_at = CASE WHEN $3 = 'sent' THEN $6 ELSE sent_at END,
                    lease_owner = NULL, leased_until = NULL
             WHERE id = $1 AND lease_owner = $2",
        )
        .bind(id)
        .bind(node)
        .bind(state)
        .bind(due)
        .bind(error)
        .bind(now.as_millis())
        .execute(self.writer)
        .await
        .map_err(StoreError::from_sqlx)?;
        Ok(())
    }

    /// Gives back leases on notifications not attempted.
    pub async fn release_notifications(&self, ids: &[i64], node: &str) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let json = serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sql = format!(
            "UPDATE notifications SET lease_owner = NULL, leased_until = NULL
             WHERE id IN (SELECT CAST(value AS BIGINT) FROM {}) AND lease_owner = $2",
            self.json_texts
        );
        sqlx::query(&sql).bind(json).bind(node).execute(self.writer).await.map_err(StoreError::from_sqlx)?;
        Ok(())
    }

    pub async fn queue_depth(&self, now: Timestamp) -> StoreResult<Vec<(&'static str, u64)>> {
        let rows = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM deliveries WHERE state = 'pending') AS pending,
                    (SELECT COUNT(*) FROM deliveries WHERE state = 'retrying') AS retrying,
                    (SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'retrying') AND leased_until > $1)
                        AS in_flight,
                    (SELECT COUNT(*) FROM deliveries WHERE state = 'failed') AS failed",
        )
        .bind(now.as_millis())
        .fetch_all(self.reader)
        .await
        .map_err(StoreError::from_sqlx)?;
        let counts = all(&rows, |r| {
            let n = |c: &str| r.int(c).map(|v| u64::try_from(v).unwrap_or(0));
            Ok([
                ("pending", n("pending")?),
                ("retrying", n("retrying")?),
                ("in_flight", n("in_flight")?),
                ("failed", n("failed")?),
            ])
        })?;
        Ok(counts.into_iter().flatten().collect())
    }

    /// The health of these endpoints of `app` (those with none recorded
    /// are left out: they never failed nor succeeded yet).
    pub async fn endpoint_health(
        &self,
        app: &AppId,
        ids: &[EndpointId],
    ) -> StoreResult<HashMap<String, EndpointHealth>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<&str> = ids.iter().map(EndpointId::as_str).collect();
        let rows = self
            .rows_of_app("SELECT * FROM endpoint_health WHERE endpoint_id IN ({keys}) AND app_id = $2", &ids, app)
            .await?;
        Ok(all(&rows, health)?.into_iter().collect())
    }
}
