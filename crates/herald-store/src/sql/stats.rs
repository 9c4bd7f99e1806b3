//! The rollups behind the statistics: written inside each settle's
//! transaction (one statement for the batch's few rows), summed per window.

use herald_core::{AppId, EndpointId, Timestamp};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, Sql, SqlBackend, SqlRow};
use crate::rows::RowGet;
use crate::stats::{MinuteCounts, Rollup, Totals};
use crate::*;

/// The summed columns besides the histogram's, in the rows' JSON order.
const COUNTERS: [&str; 6] = ["attempts", "successes", "failures", "retries", "latency_sum_ms", "delivered"];
const BUCKETS: [&str; 12] = ["b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11"];

/// Adds `rollups` to the stored ones, inside the caller's transaction.
pub async fn record<B>(conn: &mut <B::Db as Database>::Connection, rollups: &[Rollup]) -> StoreResult<()>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'q> String: Encode<'q, B::Db> + Type<B::Db>,
{
    record_in::<B::Db>(conn, rollups, B::JSON_VALUES).await
}

/// [`record`], for code that knows the database but not the backend
/// (`json_values`: the backend's `JSON_VALUES`).
pub async fn record_in<DB>(conn: &mut DB::Connection, rollups: &[Rollup], json_values: &str) -> StoreResult<()>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
{
    if rollups.is_empty() {
        return Ok(());
    }
    let rows: Vec<serde_json::Value> = rollups
        .iter()
        .map(|r| {
            let mut v = vec![
                serde_json::json!(r.endpoint_id),
                serde_json::json!(r.app_id),
                serde_json::json!(r.minute),
                serde_json::json!(r.attempts),
                serde_json::json!(r.successes),
                serde_json::json!(r.failures),
                serde_json::json!(r.retries),
                serde_json::json!(r.latency_sum_ms),
                serde_json::json!(r.delivered),
            ];
            v.extend(r.buckets.iter().map(|b| serde_json::json!(b)));
            serde_json::Value::Array(v)
        })
        .collect();
    let json = serde_json::to_string(&rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let columns: Vec<&str> = COUNTERS.iter().chain(BUCKETS.iter()).copied().collect();
    let values: Vec<String> = (0..columns.len()).map(|i| format!("CAST(r.value ->> {} AS BIGINT)", i + 3)).collect();
    let sums: Vec<String> = columns.iter().map(|c| format!("{c} = endpoint_stats.{c} + excluded.{c}")).collect();
    let sql = format!(
        "INSERT INTO endpoint_stats (endpoint_id, app_id, minute, {})
         SELECT r.value ->> 0, r.value ->> 1, CAST(r.value ->> 2 AS BIGINT), {} FROM {} AS r WHERE TRUE
         ON CONFLICT (endpoint_id, minute) DO UPDATE SET {}",
        columns.join(", "),
        values.join(", "),
        json_values,
        sums.join(", ")
    );
    sqlx::query(&sql).bind(json).execute(conn).await.map_err(StoreError::from_sqlx)?;
    Ok(())
}

fn totals(row: &dyn RowGet) -> StoreResult<Totals> {
    let n = |c: &str| row.opt_int(c).map(|v| u64::try_from(v.unwrap_or(0)).unwrap_or(0));
    let mut buckets = [0; 12];
    for (i, b) in BUCKETS.iter().enumerate() {
        buckets[i] = n(b)?;
    }
    Ok(Totals {
        attempts: n("attempts")?,
        successes: n("successes")?,
        // Net counts: a window may start after a failure it sees undone.
        delivered: n("delivered")?,
        failures: n("failures")?,
        retries: n("retries")?,
        latency_sum_ms: n("latency_sum_ms")?,
        buckets,
        backlog: 0,
    })
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
{
    /// Sums over `[since, until)` (minute granularity) for the application,
    /// or one of its endpoints; with the backlog as it is now.
    pub async fn stats(
        &self,
        app: &AppId,
        endpoint: Option<&EndpointId>,
        since: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Totals> {
        let cols: Vec<String> = COUNTERS
            .iter()
            .chain(BUCKETS.iter())
            // PostgreSQL sums BIGINT as NUMERIC: cast back.
            .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
            .collect();
        let sql = format!("SELECT {} FROM endpoint_stats WHERE {}", cols.join(", "), scope(endpoint));
        let ep = endpoint.map(EndpointId::as_str);
        let rows = window_query(&sql, app, endpoint, since, until)
            .fetch_all(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        let mut t = all(&rows, totals)?.into_iter().next().unwrap_or_default();
        let backlog = sqlx::query(
            "SELECT COUNT(*) AS n FROM deliveries
             WHERE state IN ('pending', 'retrying') AND app_id = $1 AND (CAST($2 AS TEXT) IS NULL OR endpoint_id = $2)",
        )
        .bind(app.as_str())
        .bind(ep)
        .fetch_all(self.reader)
        .await
        .map_err(StoreError::from_sqlx)?;
        t.backlog = all(&backlog, |r| r.int("n"))?.first().map_or(0, |n| u64::try_from(*n).unwrap_or(0));
        Ok(t)
    }

    /// The window's counts per minute, summed over the endpoints in scope.
    pub async fn stats_per_minute(
        &self,
        app: &AppId,
        endpoint: Option<&EndpointId>,
        since: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Vec<MinuteCounts>> {
        let sql = format!(
            "SELECT minute, CAST(SUM(attempts) AS BIGINT) AS attempts, CAST(SUM(successes) AS BIGINT) AS successes,
                    CAST(SUM(delivered) AS BIGINT) AS delivered, CAST(SUM(failures) AS BIGINT) AS failures
             FROM endpoint_stats WHERE {} GROUP BY minute ORDER BY minute",
            scope(endpoint)
        );
        let rows = window_query(&sql, app, endpoint, since, until)
            .fetch_all(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        all(&rows, minute_counts)
    }
}

fn minute_counts(row: &dyn RowGet) -> StoreResult<MinuteCounts> {
    let count = |c: &str| row.int(c).map(|v| u64::try_from(v).unwrap_or(0));
    Ok(MinuteCounts {
        minute: row.int("minute")?,
        attempts: count("attempts")?,
        successes: count("successes")?,
        delivered: row.int("delivered")?,
        failures: row.int("failures")?,
    })
}

/// The rollup rows of a window: `$1` the application, `$2` the endpoint
/// (or NULL: all of its endpoints), `[$3, $4)` the minutes.
fn scope(endpoint: Option<&EndpointId>) -> &'static str {
    match endpoint {
        Some(_) => "endpoint_id = $2 AND app_id = $1 AND minute >= $3 AND minute < $4",
        None => "app_id = $1 AND CAST($2 AS TEXT) IS NULL AND minute >= $3 AND minute < $4",
    }
}

/// `sql` (written with [`scope`]) with the window's parameters bound; the
/// start is taken back to its whole minute.
fn window_query<'q, DB: Database>(
    sql: &'q str,
    app: &'q AppId,
    endpoint: Option<&'q EndpointId>,
    since: Timestamp,
    until: Timestamp,
) -> sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    for<'a> &'a str: Encode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
{
    sqlx::query(sql)
        .bind(app.as_str())
        .bind(endpoint.map(EndpointId::as_str))
        .bind(since.as_millis() - since.as_millis().rem_euclid(60_000))
        .bind(until.as_millis())
}
