//! Endpoint health, kept inside each settle's transaction: one upsert for
//! the batch's endpoints moves their failing streaks; the rare transitions
//! (an endpoint disabled, the owner warned) take one statement each; the
//! operational events they cause are queued in the same transaction, so
//! each is sent once whichever node settled it.

use std::collections::HashMap;

use herald_core::health::{self, AutoDisable, Delta, Outcome, Streak, Transition};
use herald_core::Timestamp;
use serde_json::{json, Value};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::notifications::enqueue;
use super::{all, SqlBackend, SqlRow};
use crate::rows::RowGet;
use crate::*;

/// One endpoint's part of a settled batch.
struct Batch<'a> {
    app_id: &'a herald_core::AppId,
    rule: AutoDisable,
    circuit: Option<herald_core::flow::CircuitBreaker>,
    delta: Delta,
    outcomes: Vec<(Outcome, &'a Settlement)>,
    last_failure: Option<(Timestamp, Option<&'a str>)>,
    last_success: Option<Timestamp>,
}

fn group<'a>(settled: &[&'a Settlement]) -> Vec<(&'a str, Batch<'a>)> {
    let mut order: Vec<&str> = Vec::new();
    let mut by: HashMap<&str, Batch<'_>> = HashMap::new();
    for s in settled {
        let (Some(rule), Some((_, a))) = (s.auto_disable, &s.attempt) else { continue };
        let b = by.entry(s.endpoint_id.as_str()).or_insert_with(|| {
            order.push(s.endpoint_id.as_str());
            Batch {
                app_id: &s.app_id,
                rule,
                circuit: s.circuit,
                delta: Delta::default(),
                outcomes: Vec::new(),
                last_failure: None,
                last_success: None,
            }
        });
        let outcome = if a.success {
            b.last_success = Some(a.at);
            Outcome::Success
        } else {
            b.last_failure = Some((a.at, a.error.as_deref()));
            Outcome::Failure { exhausted: matches!(s.next, NextState::Failed) }
        };
        b.rule = rule;
        b.circuit = s.circuit;
        b.delta.add(outcome, a.at);
        b.outcomes.push((outcome, s));
    }
    // By endpoint id: the upsert locks the rows in this order, so settles
    // of several nodes always lock shared endpoints' rows in the same order
    // (in the order first seen, two of them could deadlock on PostgreSQL).
    order.sort_unstable();
    order.into_iter().filter_map(|id| by.remove(id).map(|b| (id, b))).collect()
}

/// The ids of a message event's data.
fn message_data(s: &Settlement) -> Value {
    let attempt = s
        .attempt
        .as_ref()
        .map(|(id, a)| json!({ "id": id, "at": a.at.to_rfc3339(), "status_code": a.status_code, "error": a.error }));
    json!({
        "app_id": s.app_id,
        "endpoint_id": s.endpoint_id,
        "msg_id": s.msg_id,
        "last_attempt": attempt,
    })
}

fn notification(channel: Channel, event_type: &str, s: &Settlement, data: Value) -> NewNotification {
    NewNotification {
        channel,
        event_type: event_type.to_owned(),
        app_id: Some(s.app_id.clone()),
        endpoint_id: Some(s.endpoint_id.clone()),
        data,
    }
}

fn push_disabled(queued: &mut Vec<NewNotification>, channels: NotifyChannels, s: &Settlement, data: Value) {
    if channels.webhook {
        queued.push(notification(Channel::Webhook, "endpoint.disabled", s, data.clone()));
    }
    if channels.email {
        queued.push(notification(Channel::Email, "endpoint.disabled", s, data));
    }
}

/// The message events a batch's attempts at one endpoint cause, in order,
/// from the streak stored before it.
fn message_events(queued: &mut Vec<NewNotification>, b: &Batch<'_>, old: u64) {
    let outcomes: Vec<Outcome> = b.outcomes.iter().map(|(o, _)| *o).collect();
    for (i, t) in health::transitions(old, &outcomes) {
        let s = b.outcomes[i].1;
        let mut data = message_data(s);
        let kind = match t {
            Transition::Failing { consecutive } => {
                data["consecutive_failures"] = json!(consecutive);
                "message.attempt.failing"
            }
            Transition::Exhausted => "message.attempt.exhausted",
            Transition::Recovered { after } => {
                data["after_failures"] = json!(after);
                "message.attempt.recovered"
            }
        };
        queued.push(notification(Channel::Webhook, kind, s, data));
    }
}

/// Moves the streaks of the batch's endpoints, disables those the rule (or
/// a 410) says to, and queues the operational events that causes.
pub async fn record<B>(
    conn: &mut <B::Db as Database>::Connection,
    settled: &[&Settlement],
    channels: NotifyChannels,
    now: Timestamp,
) -> StoreResult<()>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'r> SqlRow<'r, <B::Db as Database>::Row>: RowGet,
    for<'q> &'q str: Encode<'q, B::Db> + Type<B::Db>,
    for<'q> String: Encode<'q, B::Db> + Type<B::Db>,
    for<'q> i64: Encode<'q, B::Db> + Type<B::Db>,
{
    let batches = group(settled);
    let mut queued: Vec<NewNotification> = Vec::new();
    let stored = if batches.is_empty() { Stored::new() } else { upsert::<B>(conn, &batches, now).await? };
    for (id, b) in &batches {
        let Some((streak, ended, warned)) = stored.get(*id) else { continue };
        if channels.webhook {
            let old = if b.delta.reset {
                ended.saturating_sub(b.delta.failures_before_reset)
            } else {
                streak.consecutive_failures.saturating_sub(b.delta.failures)
            };
            message_events(&mut queued, b, old);
        }
        if let Some(rule) = b.circuit {
            if rule.opens_at(streak.consecutive_failures) {
                let until = now.plus(std::time::Duration::from_secs(rule.cool_down_secs));
                let error = b.last_failure.and_then(|f| f.1).unwrap_or("failed");
                let reason = format!("{} consecutive failures (last: {error})", streak.consecutive_failures);
                open_circuit::<B>(conn, id, until, &reason, now).await?;
            } else if b.delta.reset && rule.opens_at(*ended) {
                close_circuit::<B>(conn, id).await?;
            }
        }
        let Some((_, last)) = b.outcomes.last() else { continue };
        // Built only for a warning or a disable: most batches have neither.
        let detail = || {
            json!({
                "app_id": b.app_id,
                "endpoint_id": id,
                "url": last.attempt.as_ref().map(|(_, a)| a.url.clone()),
                "failing_since": streak.failing_since.map(Timestamp::to_rfc3339),
                "consecutive_failures": streak.consecutive_failures,
                "exhausted": streak.exhausted,
                "rule": { "after_secs": b.rule.after_secs, "min_failures": b.rule.min_failures,
                          "notice_secs": b.rule.notice(), "in_words": b.rule.describe() },
            })
        };
        let mut warned_at = warned.map(Timestamp::from_millis);
        if warned.is_none() && b.rule.warn_due(streak, now) && warn::<B>(conn, id, now).await? {
            warned_at = Some(now);
            if channels.email {
                let mut data = detail();
                data["disables_at"] = json!(b.rule.disables_at(streak, now).to_rfc3339());
                queued.push(notification(Channel::Email, "endpoint.warning", last, data));
            }
        }
        if b.rule.disable_due(streak, warned_at, now) {
            let reason = b.rule.reason(streak, warned_at, now);
            if disable::<B>(conn, id, &reason, now).await? {
                let mut data = detail();
                data["reason"] = json!(reason);
                push_disabled(&mut queued, channels, last, data);
            }
        }
    }
    for s in settled {
        let Some(reason) = &s.disable_endpoint else { continue };
        if disable::<B>(conn, s.endpoint_id.as_str(), reason, now).await? {
            let data = json!({
                "app_id": s.app_id,
                "endpoint_id": s.endpoint_id,
                "url": s.attempt.as_ref().map(|(_, a)| a.url.clone()),
                "reason": reason,
            });
            push_disabled(&mut queued, channels, s, data);
        }
    }
    enqueue::<B::Db>(conn, B::JSON_VALUES, &queued, now).await
}

type Stored = HashMap<String, (Streak, u64, Option<i64>)>;

/// How stale a healthy endpoint's `last_success_at` may grow: a batch of
/// successes at an endpoint with no streak rewrites its row at most this
/// often, so steady delivery does not write the health table every batch.
/// (Such an endpoint's row is not returned, which is right: it has no
/// streak to move, warn about or disable.)
const SUCCESS_GRAIN_MS: i64 = 1000;

/// One statement for the batch: each endpoint's streak moved by its delta.
/// A success in the batch (`last_success_at` given) ends the stored streak,
/// keeping its length in `ended_streak`; the failures after it start anew.
async fn upsert<B>(
    conn: &mut <B::Db as Database>::Connection,
    batches: &[(&str, Batch<'_>)],
    now: Timestamp,
) -> StoreResult<Stored>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'r> SqlRow<'r, <B::Db as Database>::Row>: RowGet,
    for<'q> String: Encode<'q, B::Db> + Type<B::Db>,
    for<'q> i64: Encode<'q, B::Db> + Type<B::Db>,
{
    let rows: Vec<Value> = batches
        .iter()
        .map(|(id, b)| {
            let d = &b.delta;
            json!([
                id,
                b.app_id,
                d.failures,
                d.first_failure_at.map(Timestamp::as_millis),
                d.exhausted,
                b.last_failure.map(|f| f.0.as_millis()),
                b.last_success.map(Timestamp::as_millis),
                b.last_failure.and_then(|f| f.1),
                d.failures_before_reset,
            ])
        })
        .collect();
    let json = serde_json::to_string(&rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let int = |i: usize| format!("CAST(r.value ->> {i} AS BIGINT)");
    let reset = "excluded.last_success_at IS NOT NULL";
    let sql = format!(
        "INSERT INTO endpoint_health (endpoint_id, app_id, consecutive_failures, failing_since, exhausted,
                                      last_failure_at, last_success_at, last_error, ended_streak, updated_at)
         SELECT r.value ->> 0, r.value ->> 1, {c}, {f}, {e}, {lf}, {ls}, r.value ->> 7, {es}, $2
         FROM {src} AS r WHERE TRUE
         ON CONFLICT (endpoint_id) DO UPDATE SET
             consecutive_failures = CASE WHEN {reset} THEN excluded.consecutive_failures
                                    ELSE endpoint_health.consecutive_failures + excluded.consecutive_failures END,
             failing_since = CASE WHEN {reset} THEN excluded.failing_since
                             ELSE COALESCE(endpoint_health.failing_since, excluded.failing_since) END,
             exhausted = CASE WHEN {reset} THEN excluded.exhausted
                         ELSE endpoint_health.exhausted + excluded.exhausted END,
             ended_streak = CASE WHEN {reset} THEN endpoint_health.consecutive_failures + excluded.ended_streak
                            ELSE 0 END,
             warned_at = CASE WHEN {reset} THEN NULL ELSE endpoint_health.warned_at END,
             last_failure_at = COALESCE(excluded.last_failure_at, endpoint_health.last_failure_at),
             last_success_at = COALESCE(excluded.last_success_at, endpoint_health.last_success_at),
             last_error = COALESCE(excluded.last_error, endpoint_health.last_error),
             updated_at = excluded.updated_at
         WHERE excluded.consecutive_failures > 0 OR endpoint_health.consecutive_failures > 0
            OR endpoint_health.last_success_at IS NULL
            OR endpoint_health.last_success_at < excluded.last_success_at - {SUCCESS_GRAIN_MS}
         RETURNING endpoint_id, consecutive_failures, failing_since, exhausted, ended_streak, warned_at",
        c = int(2),
        f = int(3),
        e = int(4),
        lf = int(5),
        ls = int(6),
        es = int(8),
        src = B::JSON_VALUES,
    );
    let found =
        sqlx::query(&sql).bind(json).bind(now.as_millis()).fetch_all(conn).await.map_err(StoreError::from_sqlx)?;
    let list = all(&found, |r| {
        let streak = Streak {
            consecutive_failures: uint(r, "consecutive_failures")?,
            failing_since: r.opt_int("failing_since")?.map(Timestamp::from_millis),
            exhausted: uint(r, "exhausted")?,
        };
        Ok((r.text("endpoint_id")?, (streak, uint(r, "ended_streak")?, r.opt_int("warned_at")?)))
    })?;
    Ok(list.into_iter().collect())
}

fn uint(r: &dyn RowGet, c: &str) -> StoreResult<u64> {
    r.int(c).map(|v| u64::try_from(v).unwrap_or(0))
}

/// Disables the endpoint unless it already is; whether this did.
async fn disable<B>(
    conn: &mut <B::Db as Database>::Connection,
    id: &str,
    reason: &str,
    now: Timestamp,
) -> StoreResult<bool>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'q> &'q str: Encode<'q, B::Db> + Type<B::Db>,
    for<'q> i64: Encode<'q, B::Db> + Type<B::Db>,
{
    let row = sqlx::query(
        "UPDATE endpoints SET disabled = TRUE, disabled_reason = $2, disabled_at = $3, updated_at = $3
         WHERE id = $1 AND disabled = FALSE RETURNING id",
    )
    .bind(id)
    .bind(reason)
    .bind(now.as_millis())
    .fetch_optional(conn)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(row.is_some())
}

/// Opens (or keeps open, to `until`) the endpoint's circuit: its due
/// deliveries wait behind its gate until then.
async fn open_circuit<B>(
    conn: &mut <B::Db as Database>::Connection,
    id: &str,
    until: Timestamp,
    reason: &str,
    now: Timestamp,
) -> StoreResult<()>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'q> &'q str: Encode<'q, B::Db> + Type<B::Db>,
    for<'q> i64: Encode<'q, B::Db> + Type<B::Db>,
{
    sqlx::query("UPDATE endpoints SET circuit_open_until = $2, circuit_reason = $3, gated = TRUE WHERE id = $1")
        .bind(id)
        .bind(until.as_millis())
        .bind(reason)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_sqlx)?;
    // Writing the gate's row takes its lock (PostgreSQL): a claim serving
    // the gate meanwhile either finishes first (and counted the probe as
    // still in flight) or skips the gate, so a half-open circuit lets only
    // one probe through.
    sqlx::query(
        "INSERT INTO endpoint_gates (endpoint_id, tokens, refilled_at) VALUES ($1, 0, $2)
         ON CONFLICT (endpoint_id) DO UPDATE SET refilled_at = endpoint_gates.refilled_at",
    )
    .bind(id)
    .bind(now.as_millis())
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Closes the endpoint's circuit: it is gated again only by its own
/// limits, if any.
async fn close_circuit<B>(conn: &mut <B::Db as Database>::Connection, id: &str) -> StoreResult<()>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'q> &'q str: Encode<'q, B::Db> + Type<B::Db>,
{
    sqlx::query(
        "UPDATE endpoints SET circuit_open_until = NULL, circuit_reason = NULL,
                              gated = (paused = TRUE OR fifo = TRUE OR rate_milli IS NOT NULL
                                       OR max_in_flight IS NOT NULL OR app_rate = TRUE)
         WHERE id = $1 AND circuit_open_until IS NOT NULL",
    )
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Marks the streak as warned about, once; whether this did.
async fn warn<B>(conn: &mut <B::Db as Database>::Connection, id: &str, now: Timestamp) -> StoreResult<bool>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'q> &'q str: Encode<'q, B::Db> + Type<B::Db>,
    for<'q> i64: Encode<'q, B::Db> + Type<B::Db>,
{
    let row = sqlx::query(
        "UPDATE endpoint_health SET warned_at = $2 WHERE endpoint_id = $1 AND warned_at IS NULL RETURNING endpoint_id",
    )
    .bind(id)
    .bind(now.as_millis())
    .fetch_optional(conn)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(row.is_some())
}
