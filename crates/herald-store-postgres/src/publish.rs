//! Group commit for publishing on PostgreSQL: one task per node takes what
//! has queued up and writes it in one transaction (one fsync) with a fixed
//! number of statements over arrays; callers are answered after the commit.
//! The decisions are shared with SQLite (`herald_store::batch`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use herald_store::batch::{self, Plan, PublishRequest, Publisher};
use herald_store::seal::Sealer;
use herald_store::sql::cache::Cache;
use herald_store::sql::fanout;
use herald_store::*;
use sqlx::PgPool;

use crate::{db_err, PgStore, WORK_CHANNEL};

/// `node` is written as the holder of the leases publishing takes.
pub(crate) fn start(pool: PgPool, node: Arc<str>, sealer: Arc<Sealer>, cache: Arc<Cache>) -> Publisher {
    Publisher::start(move |reqs| {
        let (pool, node, sealer, cache) = (pool.clone(), node.clone(), sealer.clone(), cache.clone());
        async move { write_batch(&pool, &sealer, &cache, &reqs, &node).await }
    })
}

async fn write_batch(
    pool: &PgPool,
    sealer: &Sealer,
    cache: &Cache,
    reqs: &[PublishRequest],
    node: &str,
) -> StoreResult<Vec<StoreResult<Published>>> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let found = fanout::lookup::<PgStore>(&mut tx, sealer, cache, reqs).await?;
    let known = found.known();
    let mut plans = batch::plan(reqs, &known);

    let new: Vec<&PublishRequest> =
        reqs.iter().zip(&plans).filter(|(_, p)| matches!(p, Plan::New { .. })).map(|(r, _)| r).collect();
    let inserted: HashSet<String> = if new.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_scalar(
            "INSERT INTO messages (id, app_id, event_id, event_type, payload, timestamp, created_at)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
             ON CONFLICT (app_id, event_id) WHERE event_id IS NOT NULL DO NOTHING
             RETURNING id",
        )
        .bind(new.iter().map(|r| r.new.id.as_str()).collect::<Vec<_>>())
        .bind(new.iter().map(|r| r.app.as_str()).collect::<Vec<_>>())
        .bind(new.iter().map(|r| r.new.event_id.as_deref()).collect::<Vec<_>>())
        .bind(new.iter().map(|r| r.new.event_type.as_str()).collect::<Vec<_>>())
        .bind(new.iter().map(|r| r.new.payload.as_str()).collect::<Vec<_>>())
        .bind(new.iter().map(|r| r.new.timestamp.as_millis()).collect::<Vec<_>>())
        .bind(new.iter().map(|r| r.now.as_millis()).collect::<Vec<_>>())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?
        .into_iter()
        .collect()
    };

    // Another node stored the same event id since we looked: answer with its message.
    let raced: Vec<(String, String)> = new
        .iter()
        .filter(|r| !inserted.contains(r.new.id.as_str()))
        .filter_map(|r| r.new.event_id.clone().map(|e| (r.app.to_string(), e)))
        .collect();
    let theirs = if raced.is_empty() {
        HashMap::new()
    } else {
        fanout::existing_by_event_id::<PgStore>(&mut tx, &raced).await?
    };

    for (r, plan) in reqs.iter().zip(plans.iter_mut()) {
        if matches!(plan, Plan::New { .. }) && !inserted.contains(r.new.id.as_str()) {
            let key = (r.app.to_string(), r.new.event_id.clone().unwrap_or_default());
            *plan = theirs.get(&key).map_or(Plan::Missing, |m| Plan::Existing(m.clone()));
        }
    }
    let token: i64 = rand::random();
    let rows = batch::new_deliveries(reqs, &plans, token);
    let mut ids = HashMap::with_capacity(rows.len());
    if !rows.is_empty() {
        let returned: Vec<(i64, String, String)> = sqlx::query_as(
            "INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, lease, leased_until,
                                     leased_by, created_at, updated_at, ordering_key)
             SELECT a, m, e, 'pending', 0, t, l, u, CASE WHEN l IS NULL THEN NULL ELSE $7 END, t, t, k
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $8::text[])
                  AS r(a, m, e, t, l, u, k)
             RETURNING id, msg_id, endpoint_id",
        )
        .bind(rows.iter().map(|d| d.app).collect::<Vec<_>>())
        .bind(rows.iter().map(|d| d.msg).collect::<Vec<_>>())
        .bind(rows.iter().map(|d| d.endpoint).collect::<Vec<_>>())
        .bind(rows.iter().map(|d| d.now.as_millis()).collect::<Vec<_>>())
        .bind(rows.iter().map(|d| d.lease.map(|(t, _)| t)).collect::<Vec<_>>())
        .bind(rows.iter().map(|d| d.lease.map(|(_, u)| u.as_millis())).collect::<Vec<_>>())
        .bind(node)
        .bind(rows.iter().map(|d| d.ordering_key).collect::<Vec<_>>())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        ids.extend(returned.into_iter().map(|(id, msg, ep)| ((msg, ep), id)));
        // Other nodes have something to claim only if some rows are not
        // leased to this one; they hear of it when (and only if) this commits.
        if rows.iter().any(|d| d.lease.is_none()) {
            sqlx::query("SELECT pg_notify($1, '')").bind(WORK_CHANNEL).execute(&mut *tx).await.map_err(db_err)?;
        }
    }
    tx.commit().await.map_err(db_err)?;
    Ok(batch::results(reqs, plans, &known, &ids, token))
}
