//! Group commit for publishing. API calls queue their messages; one task
//! takes whatever has queued up and writes the whole batch in a single
//! transaction with a fixed number of statements (rows travel as one JSON
//! array through `json_each`), then answers every caller. An answer is sent
//! only after the commit, so "accepted" still means "on disk".

use std::collections::HashMap;
use std::sync::Arc;

use herald_store::batch::{self, Known, Plan, PublishRequest, Publisher};
use herald_store::rows;
use herald_store::sql::all;
use herald_store::*;
use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::{db_err, values};

/// The group-commit queue in front of this store's writes.
pub(crate) fn start(writer: SqlitePool) -> Publisher {
    Publisher::start(move |reqs| {
        let writer = writer.clone();
        async move { write_batch(&writer, &reqs).await }
    })
}

async fn write_batch(writer: &SqlitePool, reqs: &[PublishRequest]) -> StoreResult<Vec<StoreResult<Published>>> {
    let mut tx = crate::begin(writer).await?;
    let apps_json = serde_json::to_string(&batch::app_ids(reqs)).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let app_rows = sqlx::query("SELECT * FROM applications WHERE id IN (SELECT value FROM json_each(?1))")
        .bind(&apps_json)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    let apps = batch::index_apps(all(&app_rows, rows::application)?);
    let by_event_id = existing_by_event_id(&mut tx, reqs).await?;
    let endpoints = endpoints_by_app(&mut tx, &apps_json).await?;
    let known = Known { apps: &apps, by_event_id: &by_event_id, endpoints: &endpoints };
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
                                 created_at, updated_at)
         SELECT column1, column2, column3, 'pending', 0, column4, column5, column6, column4, column4 FROM (VALUES ",
        ") WHERE column1 IS NOT NULL RETURNING id, msg_id, endpoint_id",
        6,
        &deliveries,
        |q, d| {
            q.bind(d.app)
                .bind(d.msg)
                .bind(d.endpoint)
                .bind(d.now.as_millis())
                .bind(d.lease.map(|(t, _)| t))
                .bind(d.lease.map(|(_, u)| u.as_millis()))
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

/// Messages already stored under the batch's (app, event id) pairs.
async fn existing_by_event_id(
    conn: &mut SqliteConnection,
    reqs: &[PublishRequest],
) -> StoreResult<HashMap<(String, String), Message>> {
    let keys = batch::event_keys(reqs);
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query(
        "SELECT m.* FROM json_each(?1) AS k
         JOIN messages m ON m.app_id = k.value ->> 0 AND m.event_id = k.value ->> 1",
    )
    .bind(serde_json::to_string(&keys).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    .fetch_all(conn)
    .await
    .map_err(db_err)?;
    Ok(batch::index_by_event_id(all(&rows, rows::message)?))
}

/// The enabled, verified endpoints of the batch's applications.
async fn endpoints_by_app(
    conn: &mut SqliteConnection,
    apps_json: &str,
) -> StoreResult<HashMap<String, Vec<Arc<Endpoint>>>> {
    let rows = sqlx::query(
        "SELECT * FROM endpoints
         WHERE disabled = 0 AND (verify_state IS NULL OR verify_state = 'verified')
           AND app_id IN (SELECT value FROM json_each(?1))",
    )
    .bind(apps_json)
    .fetch_all(conn)
    .await
    .map_err(db_err)?;
    Ok(batch::group_by_app(all(&rows, rows::endpoint)?))
}
