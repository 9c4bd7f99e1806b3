//! Group commit for publishing. API calls queue their messages; one task
//! takes whatever has queued up and writes the whole batch in a single
//! transaction with a fixed number of statements (rows travel as one JSON
//! array through `json_each`), then answers every caller. An answer is sent
//! only after the commit, so "accepted" still means "on disk".

use std::collections::{HashMap, HashSet};

use herald_core::event_type::EventFilter;
use herald_store::batch::{self, Known, Plan, PublishRequest, Publisher};
use herald_store::*;
use serde_json::{json, Value};
use sqlx::{SqliteConnection, SqlitePool};

use crate::{db_err, rows};

/// The group-commit queue in front of this store's writes.
pub(crate) fn start(writer: SqlitePool) -> Publisher {
    Publisher::start(move |reqs| {
        let writer = writer.clone();
        async move { write_batch(&writer, &reqs).await }
    })
}

async fn write_batch(writer: &SqlitePool, reqs: &[PublishRequest]) -> StoreResult<Vec<StoreResult<Published>>> {
    let mut tx = writer.begin().await.map_err(db_err)?;
    let apps_json = serde_json::to_string(&batch::app_ids(reqs)).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let apps: HashSet<String> =
        sqlx::query_scalar("SELECT id FROM applications WHERE id IN (SELECT value FROM json_each(?1))")
            .bind(&apps_json)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect();
    let by_event_id = existing_by_event_id(&mut tx, reqs).await?;
    let endpoints = endpoints_by_app(&mut tx, &apps_json).await?;
    let plans = batch::plan(reqs, &Known { apps: &apps, by_event_id: &by_event_id, endpoints: &endpoints });

    let mut messages = Vec::new();
    let mut deliveries = Vec::new();
    for (r, plan) in reqs.iter().zip(&plans) {
        let Plan::New { targets } = plan else { continue };
        let n = &r.new;
        messages.push(json!([
            n.id.as_str(),
            r.app.as_str(),
            n.event_id,
            n.event_type.as_str(),
            n.payload,
            n.timestamp.as_millis(),
            r.now.as_millis()
        ]));
        for ep in targets {
            deliveries.push(json!([r.app.as_str(), n.id.as_str(), ep, r.now.as_millis()]));
        }
    }
    if !messages.is_empty() {
        sqlx::query(
            "INSERT INTO messages (id, app_id, event_id, event_type, payload, timestamp, created_at)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6
             FROM json_each(?1)",
        )
        .bind(Value::Array(messages).to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    if !deliveries.is_empty() {
        sqlx::query(
            "INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, created_at, updated_at)
             SELECT value ->> 0, value ->> 1, value ->> 2, 'pending', 0, value ->> 3, value ->> 3, value ->> 3
             FROM json_each(?1)",
        )
        .bind(Value::Array(deliveries).to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(batch::results(reqs, plans))
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
    Ok(batch::index_by_event_id(rows::all(&rows, rows::message)?))
}

/// The enabled, verified endpoints of the batch's applications.
async fn endpoints_by_app(
    conn: &mut SqliteConnection,
    apps_json: &str,
) -> StoreResult<HashMap<String, Vec<(String, EventFilter)>>> {
    let rows = sqlx::query(
        "SELECT id, app_id, event_types FROM endpoints
         WHERE disabled = 0 AND (verify_state IS NULL OR verify_state = 'verified')
           AND app_id IN (SELECT value FROM json_each(?1))",
    )
    .bind(apps_json)
    .fetch_all(conn)
    .await
    .map_err(db_err)?;
    Ok(batch::group_by_app(rows::all(&rows, rows::endpoint_filter)?))
}
