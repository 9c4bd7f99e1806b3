//! The delivery queue: claim due rows under a lease, settle their outcomes.

use std::time::Duration;

use herald_core::Timestamp;
use herald_store::*;
use sqlx::{Row, SqlitePool};

use crate::{db_err, rows};

/// Leases due deliveries in one statement (`UPDATE ... WHERE id IN (SELECT
/// ... LIMIT n) RETURNING`), then reads what sending needs.
pub(crate) async fn claim(
    writer: &SqlitePool,
    now: Timestamp,
    limit: u32,
    lease: Duration,
) -> StoreResult<Vec<ClaimedDelivery>> {
    let token: i64 = rand::random();
    let leased = sqlx::query(
        "UPDATE deliveries SET due_at = ?1, lease = ?2, updated_at = ?3
         WHERE id IN (SELECT id FROM deliveries
                      WHERE state IN ('pending', 'retrying') AND due_at <= ?3
                      ORDER BY due_at LIMIT ?4)
         RETURNING id",
    )
    .bind(now.plus(lease).as_millis())
    .bind(token)
    .bind(now.as_millis())
    .bind(i64::from(limit))
    .fetch_all(writer)
    .await
    .map_err(db_err)?;
    if leased.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = leased.iter().map(|r| r.try_get::<i64, _>("id")).collect::<Result<_, _>>().map_err(db_err)?;
    let ids_json = serde_json::to_string(&ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // Read on the writer: the rows were just leased there, and a reader
    // connection could still hold an older snapshot.
    let rows = sqlx::query(
        "SELECT d.id AS d_id, d.attempts AS d_attempts, d.lease AS d_lease,
                m.id AS m_id, m.app_id AS m_app_id, m.event_id AS m_event_id, m.event_type AS m_event_type,
                m.payload AS m_payload, m.timestamp AS m_timestamp, m.created_at AS m_created_at,
                e.id AS e_id, e.app_id AS e_app_id, e.url AS e_url, e.description AS e_description,
                e.event_types AS e_event_types, e.disabled AS e_disabled, e.disabled_reason AS e_disabled_reason,
                e.headers AS e_headers, e.secret AS e_secret, e.metadata AS e_metadata,
                e.created_at AS e_created_at, e.updated_at AS e_updated_at
         FROM deliveries d
         JOIN messages m ON m.id = d.msg_id
         JOIN endpoints e ON e.id = d.endpoint_id
         WHERE d.id IN (SELECT value FROM json_each(?1)) AND d.lease = ?2",
    )
    .bind(ids_json)
    .bind(token)
    .fetch_all(writer)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            let attempts: i64 = row.try_get("d_attempts").map_err(db_err)?;
            Ok(ClaimedDelivery {
                delivery_id: row.try_get("d_id").map_err(db_err)?,
                lease: row.try_get("d_lease").map_err(db_err)?,
                attempt_number: u32::try_from(attempts).unwrap_or(0).saturating_add(1),
                message: rows::message_prefixed(&rows::R(row), "m_")?,
                endpoint: rows::endpoint_prefixed(&rows::R(row), "e_")?,
            })
        })
        .collect()
}

/// Records a batch of outcomes in one transaction (one commit for many
/// deliveries). Outcomes whose lease is gone are skipped.
pub(crate) async fn settle(pool: &SqlitePool, outcomes: &[Settlement], now: Timestamp) -> StoreResult<usize> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let mut recorded = 0;
    for s in outcomes {
        let (state, due_at) = match &s.next {
            NextState::Delivered => ("delivered", now),
            NextState::Failed => ("failed", now),
            NextState::RetryAt(at) => ("retrying", *at),
        };
        let (attempted, last_at, last_code) = match &s.attempt {
            Some((_, a)) => (1_i64, Some(a.at.as_millis()), a.status_code.map(i64::from)),
            None => (0, None, None),
        };
        let done = sqlx::query(
            "UPDATE deliveries
             SET state = ?3, attempts = attempts + ?4, due_at = ?5, lease = NULL,
                 last_attempt_at = COALESCE(?6, last_attempt_at), last_status_code = COALESCE(?7, last_status_code),
                 last_error = ?8, updated_at = ?9
             WHERE id = ?1 AND lease = ?2",
        )
        .bind(s.delivery_id)
        .bind(s.lease)
        .bind(state)
        .bind(attempted)
        .bind(due_at.as_millis())
        .bind(last_at)
        .bind(last_code)
        .bind(&s.error)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            tracing::debug!(delivery_id = s.delivery_id, "lease lost before settling; outcome dropped");
            continue;
        }
        recorded += 1;
        if let Some((id, a)) = &s.attempt {
            sqlx::query(
                "INSERT INTO attempts (id, app_id, msg_id, endpoint_id, attempt_number, url, created_at, status_code,
                                       error, latency_ms, response_body, success)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .bind(id.as_str())
            .bind(s.app_id.as_str())
            .bind(s.msg_id.as_str())
            .bind(s.endpoint_id.as_str())
            .bind(i64::from(a.attempt_number))
            .bind(&a.url)
            .bind(a.at.as_millis())
            .bind(a.status_code.map(i64::from))
            .bind(&a.error)
            .bind(i64::try_from(a.latency_ms).unwrap_or(i64::MAX))
            .bind(&a.response_body)
            .bind(a.success)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        if let Some(reason) = &s.disable_endpoint {
            sqlx::query("UPDATE endpoints SET disabled = 1, disabled_reason = ?2, updated_at = ?3 WHERE id = ?1")
                .bind(s.endpoint_id.as_str())
                .bind(reason)
                .bind(now.as_millis())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
    }
    tx.commit().await.map_err(db_err)?;
    Ok(recorded)
}
