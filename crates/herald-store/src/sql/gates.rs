//! Gated endpoints (paused, rate limited or capped in flight): their gates
//! as the catalog writes them, and the claim that leases their deliveries
//! through them. The claim locks each gate it serves (PostgreSQL: `FOR
//! UPDATE SKIP LOCKED`, so another node skips it meanwhile; SQLite: the
//! write transaction), refills and spends its bucket and counts its leases
//! in flight, so a limit holds for all nodes together.

use herald_core::flow::{self, Bucket, Gate};
use herald_core::profile::Profile;
use herald_core::Timestamp;
use serde_json::{json, Value};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, Sql, SqlRow};
use crate::rows::{self, RowGet};
use crate::*;

/// Most gates one claim serves.
const GATES_PER_CLAIM: i64 = 256;

/// One gate a claim serves, as stored.
struct Served {
    endpoint: String,
    app: String,
    /// The application's shared rate applies too.
    app_rate: bool,
    gate: Gate,
    bucket: Bucket,
    /// Its circuit's cool-down is over: one probe at a time.
    probing: bool,
}

fn to_json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
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
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
{
    /// The application's own profile, inside the caller's transaction.
    pub(super) async fn app_profile(&self, conn: &mut DB::Connection, app: &str) -> StoreResult<Option<Profile>> {
        let found = sqlx::query("SELECT profile FROM applications WHERE id = $1")
            .bind(app)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::from_sqlx)?;
        let text = all(&found, |r| r.opt_text("profile"))?.into_iter().next().flatten();
        rows::profile(text)
    }

    /// Stores the rate the application's profile has all its endpoints
    /// share: a new bucket starts full, a smaller burst cuts the tokens held.
    pub(super) async fn write_app_gate(
        &self,
        conn: &mut DB::Connection,
        app: &str,
        profile: Option<&Profile>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let shared = profile.and_then(|p| p.app_rate_limit).and_then(|r| Gate::of(Some(r), None, None));
        let Some(gate) = shared else {
            sqlx::query("DELETE FROM app_gates WHERE app_id = $1")
                .bind(app)
                .execute(&mut *conn)
                .await
                .map_err(StoreError::from_sqlx)?;
            return Ok(());
        };
        sqlx::query(
            "INSERT INTO app_gates (app_id, rate_milli, burst, tokens, refilled_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (app_id) DO UPDATE SET rate_milli = excluded.rate_milli, burst = excluded.burst,
                 tokens = CASE WHEN app_gates.tokens > excluded.tokens THEN excluded.tokens ELSE app_gates.tokens END",
        )
        .bind(app)
        .bind(gate.rate_milli)
        .bind(gate.burst)
        .bind(gate.full())
        .bind(now.as_millis())
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_sqlx)?;
        Ok(())
    }

    /// Stores whether the endpoint is paused and the gate its effective
    /// profile sets; a new bucket starts full, a smaller burst cuts the
    /// tokens held. Returns the gate.
    pub(super) async fn write_gate(
        &self,
        conn: &mut DB::Connection,
        endpoint: &str,
        paused: bool,
        effective: &Profile,
        now: Timestamp,
    ) -> StoreResult<Option<Gate>> {
        let gate = effective.gate();
        let gated = paused || effective.gated();
        sqlx::query(
            "UPDATE endpoints SET paused = $2, gated = ($3 OR circuit_open_until IS NOT NULL), rate_milli = $4,
                                  rate_burst = $5, max_in_flight = $6, fifo = $7, app_rate = $8
             WHERE id = $1",
        )
        .bind(endpoint)
        .bind(paused)
        .bind(gated)
        .bind(gate.and_then(|g| g.rate_milli))
        .bind(gate.map(|g| g.burst))
        .bind(gate.and_then(|g| g.max_in_flight))
        .bind(gate.is_some_and(|g| g.fifo))
        .bind(effective.app_rate_limit.is_some())
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_sqlx)?;
        if gate.is_some_and(|g| g.fifo) {
            // Deliveries queued before the endpoint turned FIFO have no key:
            // they join the endpoint's one unkeyed order (as published
            // without a key), or the FIFO claim would never find them.
            sqlx::query(
                "UPDATE deliveries SET ordering_key = '' WHERE endpoint_id = $1 AND ordering_key IS NULL
                 AND state IN ('pending', 'retrying')",
            )
            .bind(endpoint)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from_sqlx)?;
        }
        if gated {
            let full = gate.map_or(0, |g| g.full());
            sqlx::query(
                "INSERT INTO endpoint_gates (endpoint_id, tokens, refilled_at) VALUES ($1, $2, $3)
                 ON CONFLICT (endpoint_id) DO UPDATE SET
                     tokens = CASE WHEN endpoint_gates.tokens > excluded.tokens THEN excluded.tokens
                              ELSE endpoint_gates.tokens END",
            )
            .bind(endpoint)
            .bind(full)
            .bind(now.as_millis())
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from_sqlx)?;
        } else {
            // An open circuit keeps its gate until it closes.
            sqlx::query(
                "DELETE FROM endpoint_gates WHERE endpoint_id = $1
                 AND NOT EXISTS (SELECT 1 FROM endpoints WHERE id = $1 AND circuit_open_until IS NOT NULL)",
            )
            .bind(endpoint)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from_sqlx)?;
        }
        Ok(gate)
    }

    /// Leases due deliveries of gated endpoints, as many as each gate
    /// allows now (at most `per_endpoint` each, `limit` in all), the gates
    /// waiting longest first.
    pub async fn claim_gated(&self, req: &ClaimRequest<'_>, node: Option<&str>) -> StoreResult<GatedClaim> {
        let now = req.now.as_millis();
        // Most databases have no gated endpoint: a read through the partial
        // index `endpoints_gated` says so without taking the writer.
        let any = sqlx::query("SELECT id FROM endpoints WHERE gated = TRUE LIMIT 1")
            .fetch_optional(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        if any.is_none() {
            return Ok(GatedClaim::default());
        }
        let mut tx = super::begin(self.writer, self.begin).await?;
        let skip = to_json(&req.skip.iter().map(|e| e.as_str()).collect::<Vec<_>>())?;
        let skip_apps = to_json(&req.skip_apps.iter().map(|a| a.as_str()).collect::<Vec<_>>())?;
        let sql = format!(
            "SELECT g.endpoint_id, g.tokens, g.refilled_at, e.rate_milli, e.rate_burst, e.max_in_flight,
                    e.fifo, e.circuit_open_until, e.app_id, e.app_rate
             FROM endpoint_gates g JOIN endpoints e ON e.id = g.endpoint_id
             WHERE e.gated = TRUE AND e.paused = FALSE AND e.disabled = FALSE
               AND (e.circuit_open_until IS NULL OR e.circuit_open_until <= $2)
               AND g.endpoint_id NOT IN (SELECT value FROM {texts})
               AND e.app_id NOT IN (SELECT value FROM {apps})
               AND EXISTS (SELECT 1 FROM deliveries d
                           WHERE d.endpoint_id = g.endpoint_id AND d.state IN ('pending', 'retrying')
                             AND d.due_at <= $2 AND (d.leased_until IS NULL OR d.leased_until <= $2))
             ORDER BY g.refilled_at, g.endpoint_id LIMIT $3{lock}",
            texts = self.json_texts,
            apps = self.json_texts.replace("$1", "$4"),
            lock = self.lock_gates,
        );
        let found = sqlx::query(&sql)
            .bind(skip)
            .bind(now)
            .bind(GATES_PER_CLAIM)
            .bind(skip_apps)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        let served = all(&found, |r| {
            let probing = r.opt_int("circuit_open_until")?.is_some();
            let mut max_in_flight = r.opt_int("max_in_flight")?;
            if probing {
                max_in_flight = Some(1);
            }
            let rate_milli = r.opt_int("rate_milli")?;
            Ok(Served {
                endpoint: r.text("endpoint_id")?,
                app: r.text("app_id")?,
                app_rate: r.boolean("app_rate")?,
                gate: Gate {
                    rate_milli,
                    burst: r.opt_int("rate_burst")?.unwrap_or(1),
                    max_in_flight,
                    fifo: r.boolean("fifo")?,
                },
                bucket: Bucket { tokens: r.int("tokens")?, at_ms: r.int("refilled_at")? },
                probing,
            })
        })?;
        if served.is_empty() {
            tx.commit().await.map_err(StoreError::from_sqlx)?;
            return Ok(GatedClaim::default());
        }
        let capped: Vec<&str> =
            served.iter().filter(|s| s.gate.max_in_flight.is_some()).map(|s| s.endpoint.as_str()).collect();
        let in_flight = self.in_flight(&mut tx, &capped, now).await?;
        let mut shared = self.app_buckets(&mut tx, &served).await?;
        let mut spent_apps: Vec<String> = Vec::new();

        let token: i64 = rand::random();
        let until = req.now.plus(req.lease).as_millis();
        let mut left = req.limit;
        let mut next_at: Option<i64> = None;
        let mut leased: Vec<i64> = Vec::new();
        let mut tracked: Vec<Value> = Vec::new();
        for s in &served {
            if left == 0 {
                next_at = Some(now);
                break;
            }
            let n = in_flight.iter().find(|(e, _)| *e == s.endpoint).map_or(0, |(_, n)| *n);
            let want = if s.probing { 1 } else { req.per_endpoint.min(left) };
            let a = flow::allowance(&s.gate, s.bucket, n, want, now);
            let mut take = a.take;
            // The application's shared bucket, spent by all its endpoints.
            let mut app_spend = None;
            if let Some((app_gate, bucket)) = shared.iter().find(|x| x.0 == s.app).map(|x| (x.1, x.2)) {
                if take > 0 {
                    let aa = flow::allowance(&app_gate, bucket, 0, take, now);
                    take = aa.take;
                    app_spend = Some(aa);
                    if let Some(t) = aa.next_at_ms {
                        next_at = Some(next_at.map_or(t, |x| x.min(t)));
                    }
                }
            }
            if let Some(t) = a.next_at_ms {
                next_at = Some(next_at.map_or(t, |x| x.min(t)));
            }
            if take == 0 {
                continue;
            }
            let ids = self.lease(&mut tx, &s.endpoint, s.gate.fifo, take, token, until, node, now).await?;
            let taken = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            left = left.saturating_sub(taken);
            let unspent = |took: u32| i64::from(took - taken.min(took)) * flow::TOKEN;
            if let Some(aa) = app_spend {
                if let Some(x) = shared.iter_mut().find(|x| x.0 == s.app) {
                    x.2 = Bucket { tokens: aa.bucket.tokens + unspent(aa.take), at_ms: aa.bucket.at_ms };
                }
                if !spent_apps.contains(&s.app) {
                    spent_apps.push(s.app.clone());
                }
            }
            // A gate without a rate of its own goes to the back of the turn
            // once served, so the endpoints of one shared rate take turns.
            let (tokens, at) = match s.gate.rate_milli {
                Some(_) => (a.bucket.tokens + unspent(a.take), a.bucket.at_ms),
                None => (0, now),
            };
            sqlx::query("UPDATE endpoint_gates SET tokens = $2, refilled_at = $3 WHERE endpoint_id = $1")
                .bind(s.endpoint.as_str())
                .bind(tokens)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
            if s.gate.max_in_flight.is_some() {
                tracked.extend(ids.iter().map(|id| json!([id, s.endpoint, token])));
            }
            leased.extend(ids);
        }
        if !tracked.is_empty() {
            let sql = format!(
                "INSERT INTO gate_leases (delivery_id, endpoint_id, lease)
                 SELECT CAST(r.value ->> 0 AS BIGINT), r.value ->> 1, CAST(r.value ->> 2 AS BIGINT)
                 FROM {values} AS r WHERE TRUE
                 ON CONFLICT (delivery_id) DO UPDATE SET endpoint_id = excluded.endpoint_id, lease = excluded.lease",
                values = self.json_values,
            );
            sqlx::query(&sql).bind(to_json(&tracked)?).execute(&mut *tx).await.map_err(StoreError::from_sqlx)?;
        }
        for (app, _, bucket) in shared.iter().filter(|x| spent_apps.contains(&x.0)) {
            sqlx::query("UPDATE app_gates SET tokens = $2, refilled_at = $3 WHERE app_id = $1")
                .bind(app.as_str())
                .bind(bucket.tokens)
                .bind(bucket.at_ms)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
        }
        let deliveries =
            if leased.is_empty() { Vec::new() } else { self.leased(&mut tx, &leased, token, until).await? };
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        Ok(GatedClaim { deliveries, next_at: next_at.map(Timestamp::from_millis) })
    }

    /// The shared buckets of the served endpoints' applications, locked
    /// (PostgreSQL) after the endpoints' gates, as every writer of both
    /// takes them, so two cannot wait for each other.
    async fn app_buckets(
        &self,
        conn: &mut DB::Connection,
        served: &[Served],
    ) -> StoreResult<Vec<(String, Gate, Bucket)>> {
        let mut apps: Vec<&str> = served.iter().filter(|s| s.app_rate).map(|s| s.app.as_str()).collect();
        if apps.is_empty() {
            return Ok(Vec::new());
        }
        apps.sort_unstable();
        apps.dedup();
        let sql = format!(
            "SELECT app_id, rate_milli, burst, tokens, refilled_at FROM app_gates
             WHERE app_id IN (SELECT value FROM {texts}) ORDER BY app_id{lock}",
            texts = self.json_texts,
            lock = if self.lock_gates.is_empty() { "" } else { " FOR UPDATE" },
        );
        let found =
            sqlx::query(&sql).bind(to_json(&apps)?).fetch_all(&mut *conn).await.map_err(StoreError::from_sqlx)?;
        all(&found, |r| {
            let gate = Gate {
                rate_milli: Some(r.int("rate_milli")?),
                burst: r.int("burst")?,
                max_in_flight: None,
                fifo: false,
            };
            Ok((r.text("app_id")?, gate, Bucket { tokens: r.int("tokens")?, at_ms: r.int("refilled_at")? }))
        })
    }

    /// The leases each capped endpoint has out now; the rows of leases
    /// that ended (settled, given back, run out) are removed on the way.
    async fn in_flight(&self, conn: &mut DB::Connection, capped: &[&str], now: i64) -> StoreResult<Vec<(String, i64)>> {
        if capped.is_empty() {
            return Ok(Vec::new());
        }
        let list = to_json(&capped)?;
        let live = "SELECT 1 FROM deliveries d WHERE d.id = gate_leases.delivery_id AND d.lease = gate_leases.lease
                    AND d.leased_until > $2";
        let sql = format!(
            "DELETE FROM gate_leases WHERE endpoint_id IN (SELECT value FROM {texts}) AND NOT EXISTS ({live})",
            texts = self.json_texts
        );
        sqlx::query(&sql).bind(list.clone()).bind(now).execute(&mut *conn).await.map_err(StoreError::from_sqlx)?;
        let sql = format!(
            "SELECT endpoint_id, COUNT(*) AS n FROM gate_leases
             WHERE endpoint_id IN (SELECT value FROM {texts}) AND EXISTS ({live})
             GROUP BY endpoint_id",
            texts = self.json_texts
        );
        let found =
            sqlx::query(&sql).bind(list).bind(now).fetch_all(&mut *conn).await.map_err(StoreError::from_sqlx)?;
        all(&found, |r| Ok((r.text("endpoint_id")?, r.int("n")?)))
    }

    /// Leases up to `n` of the endpoint's due deliveries under `token`:
    /// the earliest due, or at a FIFO endpoint its due key heads (the first
    /// active delivery of each ordering key, when it is due and not in
    /// flight; the walk over the keys is one index probe each through
    /// `deliveries_fifo`, so its cost follows the keys, not the backlog).
    #[allow(clippy::too_many_arguments)]
    async fn lease(
        &self,
        conn: &mut DB::Connection,
        endpoint: &str,
        fifo: bool,
        n: u32,
        token: i64,
        until: i64,
        node: Option<&str>,
        now: i64,
    ) -> StoreResult<Vec<i64>> {
        let set = "UPDATE deliveries SET lease = $1, leased_until = $2, leased_by = $3, updated_at = $4";
        let sql = if fifo {
            format!(
                "WITH RECURSIVE {heads}
                 {set}
                 WHERE id IN (SELECT d.id FROM heads JOIN deliveries d ON d.id = heads.id
                              WHERE d.due_at <= $4 AND (d.leased_until IS NULL OR d.leased_until <= $4)
                              ORDER BY d.id LIMIT $6)
                 RETURNING id",
                heads = self.fifo_heads,
            )
        } else {
            format!(
                "{set}
                 WHERE id IN (SELECT id FROM deliveries
                              WHERE endpoint_id = $5 AND state IN ('pending', 'retrying') AND due_at <= $4
                                AND (leased_until IS NULL OR leased_until <= $4)
                              ORDER BY due_at, id LIMIT $6{skip})
                 RETURNING id",
                skip = self.skip_locked,
            )
        };
        let found = sqlx::query(&sql)
            .bind(token)
            .bind(until)
            .bind(node)
            .bind(now)
            .bind(endpoint)
            .bind(i64::from(n))
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::from_sqlx)?;
        all(&found, |r| r.int("id"))
    }

    /// What sending needs of the deliveries just leased under `token`.
    async fn leased(
        &self,
        conn: &mut DB::Connection,
        ids: &[i64],
        token: i64,
        until: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let sql = format!(
            "SELECT {columns}
             FROM deliveries d
             JOIN messages m ON m.id = d.msg_id
             JOIN endpoints e ON e.id = d.endpoint_id
             JOIN applications a ON a.id = d.app_id
             WHERE d.id IN (SELECT CAST(value AS BIGINT) FROM {texts}) AND d.lease = $2
             ORDER BY d.due_at, d.id",
            columns = rows::CLAIM_COLUMNS,
            texts = self.json_texts,
        );
        let found = sqlx::query(&sql)
            .bind(to_json(&ids)?)
            .bind(token)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::from_sqlx)?;
        let mut claims = rows::ClaimBuilder::new(Timestamp::from_millis(until));
        for r in &found {
            claims.add(&SqlRow(r, None))?;
        }
        self.cache.claims::<DB>(conn, self.json_texts, self.sealer, claims).await
    }
}
