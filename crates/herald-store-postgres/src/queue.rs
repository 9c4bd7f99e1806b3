//! The delivery queue on PostgreSQL: many nodes claim with
//! `FOR UPDATE SKIP LOCKED`, so no two lease the same row; outcomes are
//! settled in one statement per batch.

use herald_core::Timestamp;
use herald_store::rows;
use herald_store::seal::Sealer;
use herald_store::sql::SqlRow;
use herald_store::*;
use sqlx::PgPool;

use crate::db_err;

/// The claim statement, with the shared column list.
static CLAIM_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH RECURSIVE eps(e, due) AS (
             (SELECT endpoint_id, due_at FROM deliveries
              WHERE state IN ('pending', 'retrying') AND endpoint_id > $5
              ORDER BY endpoint_id, due_at LIMIT 1)
             UNION ALL
             SELECT nxt.endpoint_id, nxt.due_at FROM eps, LATERAL (
                 SELECT endpoint_id, due_at FROM deliveries
                 WHERE state IN ('pending', 'retrying') AND endpoint_id > eps.e
                 ORDER BY endpoint_id, due_at LIMIT 1) nxt
         ),
         due AS (
             SELECT x.id FROM eps, LATERAL (
                 SELECT id FROM deliveries
                 WHERE endpoint_id = eps.e AND state IN ('pending', 'retrying') AND due_at <= $1
                   AND (leased_until IS NULL OR leased_until <= $1)
                 ORDER BY due_at
                 LIMIT $7
                 FOR UPDATE SKIP LOCKED) x
             WHERE eps.due <= $1 AND NOT (eps.e = ANY($6))
               AND NOT EXISTS (SELECT 1 FROM endpoints g WHERE g.id = eps.e AND (g.gated OR g.app_id = ANY($9)))
             LIMIT $2
         )
         UPDATE deliveries d SET leased_until = $3, lease = $4, leased_by = $8, updated_at = $1
         FROM due, messages m, endpoints e, applications a
         WHERE d.id = due.id AND m.id = d.msg_id AND e.id = d.endpoint_id AND a.id = d.app_id
         RETURNING {}",
        herald_store::rows::CLAIM_COLUMNS
    )
});

/// Leases due deliveries fairly across endpoints and returns them with
/// their message and endpoint, in one statement. A recursive walk over the
/// `deliveries_ready` index visits endpoints in id order after the worker's
/// position, one index probe each (an endpoint's first entry is its
/// earliest due time), and a lateral subquery takes at most `per_endpoint`
/// due rows of each, skipping rows other nodes hold. The walk stops once
/// `limit` rows are found: its cost follows the endpoints visited, not the
/// size of the queue.
pub(crate) async fn claim(
    pool: &PgPool,
    sealer: &Sealer,
    cache: &herald_store::sql::cache::Cache,
    req: &ClaimRequest<'_>,
    node: &str,
) -> StoreResult<Vec<ClaimedDelivery>> {
    let token: i64 = rand::random();
    let now = req.now;
    let skip: Vec<&str> = req.skip.iter().map(|e| e.as_str()).collect();
    let skip_apps: Vec<&str> = req.skip_apps.iter().map(|a| a.as_str()).collect();
    let rows = sqlx::query(&CLAIM_SQL)
        .bind(now.as_millis())
        .bind(i64::from(req.limit))
        .bind(now.plus(req.lease).as_millis())
        .bind(token)
        .bind(req.after)
        .bind(&skip)
        .bind(i64::from(req.per_endpoint.max(1)))
        .bind(node)
        .bind(&skip_apps)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let mut claims = rows::ClaimBuilder::new(now.plus(req.lease));
    for r in &rows {
        claims.add(&SqlRow(r, None))?;
    }
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = pool.acquire().await.map_err(db_err)?;
    cache
        .claims::<sqlx::Postgres>(
            &mut conn,
            <crate::PgStore as herald_store::sql::SqlBackend>::JSON_TEXTS,
            sealer,
            claims,
        )
        .await
}

/// Extends the leases still held, in one statement.
pub(crate) async fn renew(pool: &PgPool, leases: &[(i64, i64)], until: Timestamp) -> StoreResult<usize> {
    if leases.is_empty() {
        return Ok(0);
    }
    // In id order, as the settle locks them: a node's renewal and its own
    // settle run on two connections at once, and a delivery settled just
    // after the renewal's snapshot is in both; locked in two orders (the
    // snapshot's is a hash map's), the two could deadlock.
    let mut sorted = leases.to_vec();
    sorted.sort_unstable();
    let (ids, tokens): (Vec<i64>, Vec<i64>) = sorted.into_iter().unzip();
    let done = sqlx::query(
        "UPDATE deliveries d SET leased_until = $3
         FROM UNNEST($1::bigint[], $2::bigint[]) AS u(id, lease)
         WHERE d.id = u.id AND d.lease = u.lease",
    )
    .bind(&ids)
    .bind(&tokens)
    .bind(until.as_millis())
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(usize::try_from(done.rows_affected()).unwrap_or(usize::MAX))
}

/// Gives back the leases taken under this node's name before it started.
pub(crate) async fn recover_leases(pool: &PgPool, node: &str) -> StoreResult<usize> {
    let done = sqlx::query(
        "UPDATE deliveries SET lease = NULL, leased_until = NULL, leased_by = NULL
         WHERE state IN ('pending', 'retrying') AND leased_by = $1 AND leased_until IS NOT NULL",
    )
    .bind(node)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(usize::try_from(done.rows_affected()).unwrap_or(usize::MAX))
}

/// Settles a batch in one transaction: one UPDATE over arrays (only rows
/// whose lease still matches), then the attempts of the rows it updated.
pub(crate) async fn settle(
    pool: &PgPool,
    outcomes: &[Settlement],
    channels: herald_store::NotifyChannels,
    now: Timestamp,
) -> StoreResult<usize> {
    if outcomes.is_empty() {
        return Ok(0);
    }
    let n = outcomes.len();
    let (mut ids, mut leases, mut states, mut attempted, mut due) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut last_at, mut codes, mut errors) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    // Rows are updated, and so locked, in delivery id order, as the
    // renewal locks them (see `renew`).
    let mut by_id: Vec<&Settlement> = outcomes.iter().collect();
    by_id.sort_unstable_by_key(|s| s.delivery_id);
    for s in by_id {
        let (state, due_at) = s.next.stored(now);
        ids.push(s.delivery_id);
        leases.push(s.lease);
        states.push(state);
        due.push(due_at.map(Timestamp::as_millis));
        attempted.push(i64::from(s.attempt.is_some()));
        last_at.push(s.attempt.as_ref().map(|(_, a)| a.at.as_millis()));
        codes.push(s.attempt.as_ref().and_then(|(_, a)| a.status_code.map(i64::from)));
        errors.push(s.error.clone());
    }
    let mut tx = pool.begin().await.map_err(db_err)?;
    let updated: Vec<i64> = sqlx::query_scalar(
        "UPDATE deliveries d
         SET state = COALESCE(u.state, d.state), attempts = d.attempts + u.attempted,
             due_at = COALESCE(u.due_at, d.due_at), lease = NULL, leased_until = NULL,
             last_attempt_at = COALESCE(u.last_at, d.last_attempt_at),
             last_status_code = COALESCE(u.code, d.last_status_code),
             last_error = CASE WHEN u.state IS NULL THEN d.last_error ELSE u.err END, updated_at = $9
         FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[])
              AS u(id, lease, state, attempted, due_at, last_at, code, err)
         WHERE d.id = u.id AND d.lease = u.lease
         RETURNING d.id",
    )
    .bind(&ids)
    .bind(&leases)
    .bind(&states)
    .bind(&attempted)
    .bind(&due)
    .bind(&last_at)
    .bind(&codes)
    .bind(&errors)
    .bind(now.as_millis())
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    let kept: std::collections::HashSet<i64> = updated.iter().copied().collect();
    if kept.len() < n {
        tracing::debug!(dropped = n - kept.len(), "leases lost before settling; outcomes dropped");
    }

    let settled: Vec<&Settlement> = outcomes.iter().filter(|s| kept.contains(&s.delivery_id)).collect();
    let mut cols = AttemptColumns::default();
    for s in &settled {
        if let Some((id, a)) = &s.attempt {
            cols.push(s, id.as_str(), a);
        }
    }
    if !cols.id.is_empty() {
        sqlx::query(
            "INSERT INTO attempts (id, app_id, msg_id, endpoint_id, attempt_number, url, created_at, status_code,
                                   error, latency_ms, response_body, success)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                                  $7::bigint[], $8::bigint[], $9::text[], $10::bigint[], $11::text[], $12::bool[])",
        )
        .bind(&cols.id)
        .bind(&cols.app_id)
        .bind(&cols.msg_id)
        .bind(&cols.endpoint_id)
        .bind(&cols.number)
        .bind(&cols.url)
        .bind(&cols.at)
        .bind(&cols.code)
        .bind(&cols.error)
        .bind(&cols.latency)
        .bind(&cols.body)
        .bind(&cols.success)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    let rollups = herald_store::stats::rollups(settled.iter().copied(), now.as_millis());
    herald_store::sql::stats::record::<crate::PgStore>(&mut tx, &rollups).await?;
    herald_store::sql::health::record::<crate::PgStore>(&mut tx, &settled, channels, now).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(kept.len())
}

/// Attempts as column arrays, for one `INSERT ... SELECT * FROM UNNEST`.
#[derive(Default)]
struct AttemptColumns<'a> {
    id: Vec<&'a str>,
    app_id: Vec<&'a str>,
    msg_id: Vec<&'a str>,
    endpoint_id: Vec<&'a str>,
    number: Vec<i64>,
    url: Vec<&'a str>,
    at: Vec<i64>,
    code: Vec<Option<i64>>,
    error: Vec<Option<&'a str>>,
    latency: Vec<i64>,
    body: Vec<Option<&'a str>>,
    success: Vec<bool>,
}

impl<'a> AttemptColumns<'a> {
    fn push(&mut self, s: &'a Settlement, id: &'a str, a: &'a AttemptRecord) {
        self.id.push(id);
        self.app_id.push(s.app_id.as_str());
        self.msg_id.push(s.msg_id.as_str());
        self.endpoint_id.push(s.endpoint_id.as_str());
        self.number.push(i64::from(a.attempt_number));
        self.url.push(&a.url);
        self.at.push(a.at.as_millis());
        self.code.push(a.status_code.map(i64::from));
        self.error.push(a.error.as_deref());
        self.latency.push(i64::try_from(a.latency_ms).unwrap_or(i64::MAX));
        self.body.push(a.response_body.as_deref());
        self.success.push(a.success);
    }
}
