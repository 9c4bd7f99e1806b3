//! The delivery queue: claim due rows under a lease, settle their outcomes.
//! A claim sets `leased_until` (no index covers it), so leasing is cheap.

use herald_core::{AttemptId, Timestamp};
use herald_store::rows;
use herald_store::seal::Sealer;
use herald_store::sql::SqlRow;
use herald_store::*;
use sqlx::{Row, SqlitePool};
use std::collections::HashSet;

use crate::{db_err, values};

/// The claim statement, with the shared column list.
static CLAIM_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {}
         FROM deliveries d
         JOIN messages m ON m.id = d.msg_id
         JOIN endpoints e ON e.id = d.endpoint_id
         JOIN applications a ON a.id = d.app_id
         WHERE d.id IN (SELECT value FROM json_each(?1)) AND d.lease = ?2",
        herald_store::rows::CLAIM_COLUMNS
    )
});

/// Leases due deliveries fairly across endpoints in one statement, then
/// reads what sending needs. A recursive walk over the `deliveries_ready`
/// index visits endpoints in id order after the worker's position, two
/// index probes each (the same first entry, read once for the endpoint and
/// once for its due time, the earliest it has), and takes at most `per_endpoint` due rows of each: the cost
/// follows the endpoints visited, not the size of the queue.
pub(crate) async fn claim(
    writer: &SqlitePool,
    sealer: &Sealer,
    cache: &herald_store::sql::cache::Cache,
    req: &ClaimRequest<'_>,
) -> StoreResult<Vec<ClaimedDelivery>> {
    let token: i64 = rand::random();
    let now = req.now;
    let skip = serde_json::to_string(&req.skip.iter().map(|e| e.as_str()).collect::<Vec<_>>())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let skip_apps = serde_json::to_string(&req.skip_apps.iter().map(|a| a.as_str()).collect::<Vec<_>>())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let leased = sqlx::query(
        "WITH RECURSIVE eps(e, due) AS (
             SELECT * FROM (SELECT endpoint_id, due_at FROM deliveries
                            WHERE state IN ('pending', 'retrying') AND endpoint_id > ?5
                            ORDER BY endpoint_id, due_at LIMIT 1)
             UNION ALL
             SELECT (SELECT endpoint_id FROM deliveries
                     WHERE state IN ('pending', 'retrying') AND endpoint_id > eps.e
                     ORDER BY endpoint_id, due_at LIMIT 1),
                    (SELECT due_at FROM deliveries
                     WHERE state IN ('pending', 'retrying') AND endpoint_id > eps.e
                     ORDER BY endpoint_id, due_at LIMIT 1)
             FROM eps WHERE eps.e IS NOT NULL
         )
         UPDATE deliveries SET leased_until = ?1, lease = ?2, updated_at = ?3
         WHERE id IN (
             SELECT d.id
             FROM (SELECT e FROM eps WHERE due <= ?3 AND e NOT IN (SELECT value FROM json_each(?6))
                     AND NOT EXISTS (SELECT 1 FROM endpoints g WHERE g.id = eps.e
                                     AND (g.gated = 1 OR g.app_id IN (SELECT value FROM json_each(?8))))
                   LIMIT ?4) AS picked
             JOIN deliveries d ON d.id IN (
                 SELECT x.id FROM deliveries x
                 WHERE x.endpoint_id = picked.e AND x.state IN ('pending', 'retrying') AND x.due_at <= ?3
                   AND (x.leased_until IS NULL OR x.leased_until <= ?3)
                 ORDER BY x.due_at LIMIT ?7)
             LIMIT ?4)
         RETURNING id",
    )
    .bind(now.plus(req.lease).as_millis())
    .bind(token)
    .bind(now.as_millis())
    .bind(i64::from(req.limit))
    .bind(req.after)
    .bind(skip)
    .bind(i64::from(req.per_endpoint.max(1)))
    .bind(skip_apps)
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
    let mut conn = writer.acquire().await.map_err(db_err)?;
    let rows = sqlx::query(&CLAIM_SQL).bind(ids_json).bind(token).fetch_all(&mut *conn).await.map_err(db_err)?;
    let mut claims = rows::ClaimBuilder::new(now.plus(req.lease));
    for r in &rows {
        claims.add(&SqlRow(r, None))?;
    }
    cache
        .claims::<sqlx::Sqlite>(
            &mut conn,
            <crate::SqliteStore as herald_store::sql::SqlBackend>::JSON_TEXTS,
            sealer,
            claims,
        )
        .await
}

/// Records a batch of outcomes in one transaction with few statements: the
/// deliveries whose lease still matches are updated, then their attempts
/// inserted (rows bound as parameters). Outcomes whose lease is gone are
/// dropped.
/// Extends the leases still held; one statement for the batch.
pub(crate) async fn renew(pool: &SqlitePool, leases: &[(i64, i64)], until: Timestamp) -> StoreResult<usize> {
    if leases.is_empty() {
        return Ok(0);
    }
    let mut conn = pool.acquire().await.map_err(db_err)?;
    let rows = values::run(
        &mut conn,
        "UPDATE deliveries SET leased_until = u.column3 FROM (VALUES ",
        ") AS u WHERE deliveries.id = u.column1 AND deliveries.lease = u.column2 RETURNING deliveries.id",
        3,
        leases,
        |q, (id, lease)| q.bind(*id).bind(*lease).bind(until.as_millis()),
    )
    .await?;
    Ok(rows.len())
}

/// One process owns a SQLite file: at start, every lease is a dead one.
pub(crate) async fn recover_leases(pool: &SqlitePool) -> StoreResult<usize> {
    let done = sqlx::query(
        "UPDATE deliveries SET lease = NULL, leased_until = NULL
         WHERE state IN ('pending', 'retrying') AND leased_until IS NOT NULL",
    )
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(usize::try_from(done.rows_affected()).unwrap_or(usize::MAX))
}

pub(crate) async fn settle(
    pool: &SqlitePool,
    outcomes: &[Settlement],
    channels: herald_store::NotifyChannels,
    now: Timestamp,
) -> StoreResult<usize> {
    if outcomes.is_empty() {
        return Ok(0);
    }
    let mut tx = crate::begin(pool).await?;
    let kept: HashSet<i64> = values::run(
        &mut tx,
        "UPDATE deliveries
         SET state = COALESCE(u.column3, state), attempts = attempts + u.column4,
             due_at = COALESCE(u.column5, due_at), lease = NULL, leased_until = NULL,
             last_attempt_at = COALESCE(u.column6, last_attempt_at),
             last_status_code = COALESCE(u.column7, last_status_code),
             last_error = CASE WHEN u.column3 IS NULL THEN last_error ELSE u.column8 END, updated_at = u.column9
         FROM (VALUES ",
        ") AS u WHERE deliveries.id = u.column1 AND deliveries.lease = u.column2 RETURNING deliveries.id",
        9,
        outcomes,
        |q, s| {
            let (state, due_at) = s.next.stored(now);
            let attempt = s.attempt.as_ref().map(|(_, a)| a);
            q.bind(s.delivery_id)
                .bind(s.lease)
                .bind(state)
                .bind(i64::from(attempt.is_some()))
                .bind(due_at.map(Timestamp::as_millis))
                .bind(attempt.map(|a| a.at.as_millis()))
                .bind(attempt.and_then(|a| a.status_code).map(i64::from))
                .bind(s.error.as_deref())
                .bind(now.as_millis())
        },
    )
    .await?
    .iter()
    .map(|r| r.try_get::<i64, _>(0))
    .collect::<Result<_, _>>()
    .map_err(db_err)?;
    if kept.len() < outcomes.len() {
        tracing::debug!(dropped = outcomes.len() - kept.len(), "leases lost before settling; outcomes dropped");
    }
    let attempts: Vec<(&Settlement, &AttemptId, &AttemptRecord)> = outcomes
        .iter()
        .filter(|s| kept.contains(&s.delivery_id))
        .filter_map(|s| s.attempt.as_ref().map(|(id, a)| (s, id, a)))
        .collect();
    values::run(
        &mut tx,
        "INSERT INTO attempts (id, app_id, msg_id, endpoint_id, attempt_number, url, created_at, status_code,
                               error, latency_ms, response_body, success)
         SELECT * FROM (VALUES ",
        ") WHERE column1 IS NOT NULL",
        12,
        &attempts,
        |q, (s, id, a)| {
            q.bind(id.as_str())
                .bind(s.app_id.as_str())
                .bind(s.msg_id.as_str())
                .bind(s.endpoint_id.as_str())
                .bind(i64::from(a.attempt_number))
                .bind(a.url.as_str())
                .bind(a.at.as_millis())
                .bind(a.status_code.map(i64::from))
                .bind(a.error.as_deref())
                .bind(i64::try_from(a.latency_ms).unwrap_or(i64::MAX))
                .bind(a.response_body.as_deref())
                .bind(a.success)
        },
    )
    .await?;
    let rollups =
        herald_store::stats::rollups(outcomes.iter().filter(|s| kept.contains(&s.delivery_id)), now.as_millis());
    herald_store::sql::stats::record::<crate::SqliteStore>(&mut tx, &rollups).await?;
    let settled: Vec<&Settlement> = outcomes.iter().filter(|s| kept.contains(&s.delivery_id)).collect();
    herald_store::sql::health::record::<crate::SqliteStore>(&mut tx, &settled, channels, now).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(kept.len())
}
