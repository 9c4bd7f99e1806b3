//! Group commit for publishing. API calls queue their messages; one task
//! takes whatever has queued up and writes the whole batch in a single
//! transaction with a fixed number of statements (rows travel as one JSON
//! array through `json_each`), then answers every caller. An answer is sent
//! only after the commit, so "accepted" still means "on disk".

use std::collections::HashMap;
use std::sync::Arc;

use herald_store::batch::{self, Plan, PublishRequest, Publisher};
use herald_store::seal::Sealer;
use herald_store::sql::cache::Cache;
use herald_store::sql::fanout;
use herald_store::sync::FileSync;
use herald_store::*;
use sqlx::{Row, SqlitePool};

use crate::{db_err, values, SqliteStore};

/// The group-commit queue in front of this store's writes.
/// With `sync`, callers are answered once their commit is fsynced.
pub(crate) fn start(writer: SqlitePool, sync: Option<FileSync>, sealer: Arc<Sealer>, cache: Arc<Cache>) -> Publisher {
    Publisher::start_synced(
        move |reqs| {
            let (writer, sealer, cache) = (writer.clone(), sealer.clone(), cache.clone());
            async move { write_batch(&writer, &sealer, &cache, &reqs).await }
        },
        sync,
    )
}

async fn write_batch(
    writer: &SqlitePool,
    sealer: &Sealer,
    cache: &Cache,
    reqs: &[PublishRequest],
) -> StoreResult<Vec<StoreResult<Published>>> {
    let mut tx = crate::begin(writer).await?;
    let found = fanout::lookup::<SqliteStore>(&mut tx, sealer, cache, reqs).await?;
    let known = found.known();
    let plans = batch::plan(reqs, &known);

    let messages: Vec<&PublishRequest> =
        reqs.iter().zip(&plans).filter(|(_, plan)| matches!(plan, Plan::New { .. })).map(|(r, _)| r).collect();
    values::run(
        &mut tx,
        "INSERT INTO messages (id, app_id, event_id, event_type, payload, timestamp, created_at)
         SELECT * FROM (VALUES ",
        ") WHERE column1 IS NOT NULL",
        7,
        &messages,
        |q, r| {
            q.bind(r.new.id.as_str())
                .bind(r.app.as_str())
                .bind(r.new.event_id.as_deref())
                .bind(r.new.event_type.as_str())
                .bind(r.new.payload.as_str())
                .bind(r.new.timestamp.as_millis())
                .bind(r.now.as_millis())
        },
    )
    .await?;
    let token: i64 = rand::random();
    let deliveries = batch::new_deliveries(reqs, &plans, token);
    let inserted = values::run(
        &mut tx,
        "INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, lease, leased_until,
                                 created_at, updated_at, ordering_key)
         SELECT column1, column2, column3, 'pending', 0, column4, column5, column6, column4, column4, column7
         FROM (VALUES ",
        ") WHERE column1 IS NOT NULL RETURNING id, msg_id, endpoint_id",
        7,
        &deliveries,
        |q, d| {
            q.bind(d.app)
                .bind(d.msg)
                .bind(d.endpoint)
                .bind(d.now.as_millis())
                .bind(d.lease.map(|(t, _)| t))
                .bind(d.lease.map(|(_, u)| u.as_millis()))
                .bind(d.ordering_key)
        },
    )
    .await?;
    let mut ids = HashMap::with_capacity(inserted.len());
    for row in &inserted {
        let (id, msg, ep): (i64, String, String) =
            (row.try_get(0).map_err(db_err)?, row.try_get(1).map_err(db_err)?, row.try_get(2).map_err(db_err)?);
        ids.insert((msg, ep), id);
    }
    tx.commit().await.map_err(db_err)?;
    Ok(batch::results(reqs, plans, &known, &ids, token))
}
