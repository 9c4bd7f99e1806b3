//! Group commit for publishing. API calls queue their messages; one task
//! takes whatever has queued up and writes the whole batch in a single
//! transaction with a fixed number of statements (rows travel as one JSON
//! array through `json_each`), then answers every caller. An answer is sent
//! only after the commit, so "accepted" still means "on disk".

use std::collections::{HashMap, HashSet};

use herald_core::event_type::{EventFilter, EventPattern};
use herald_core::{AppId, Timestamp};
use herald_store::*;
use serde_json::{json, Value};
use sqlx::{Row, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::{db_err, rows};

/// Most messages written in one transaction.
const MAX_BATCH: usize = 512;

pub(crate) struct PublishJob {
    pub app: AppId,
    pub new: NewMessage,
    pub now: Timestamp,
    pub reply: oneshot::Sender<StoreResult<Published>>,
}

pub(crate) fn start(writer: SqlitePool) -> mpsc::Sender<PublishJob> {
    let (tx, rx) = mpsc::channel(8 * MAX_BATCH);
    tokio::spawn(run(writer, rx));
    tx
}

async fn run(writer: SqlitePool, mut rx: mpsc::Receiver<PublishJob>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        match write_batch(&writer, &jobs).await {
            Ok(results) => {
                for (job, result) in jobs.drain(..).zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, count = jobs.len(), "publishing a batch failed");
                let msg = e.to_string();
                for job in jobs.drain(..) {
                    let _ = job.reply.send(Err(StoreError::Backend(msg.clone().into())));
                }
            }
        }
    }
}

/// What each job turned into, decided before anything is written.
enum Plan {
    Missing,
    Existing(Message),
    /// Same event id as an earlier job of this batch.
    SameAs(usize),
    New {
        targets: Vec<String>,
    },
}

async fn write_batch(writer: &SqlitePool, jobs: &[PublishJob]) -> StoreResult<Vec<StoreResult<Published>>> {
    let mut tx = writer.begin().await.map_err(db_err)?;
    let apps: Vec<&str> = jobs.iter().map(|j| j.app.as_str()).collect::<HashSet<_>>().into_iter().collect();
    let apps_json = serde_json::to_string(&apps).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let existing_apps: HashSet<String> =
        sqlx::query_scalar("SELECT id FROM applications WHERE id IN (SELECT value FROM json_each(?1))")
            .bind(&apps_json)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect();
    let earlier = existing_by_event_id(&mut tx, jobs).await?;
    let endpoints = endpoints_by_app(&mut tx, &apps_json).await?;

    let mut plans = Vec::with_capacity(jobs.len());
    let mut first_with_key: HashMap<(&str, &str), usize> = HashMap::new();
    let mut messages = Vec::new();
    let mut deliveries = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        if !existing_apps.contains(job.app.as_str()) {
            plans.push(Plan::Missing);
            continue;
        }
        if let Some(event_id) = job.new.event_id.as_deref() {
            if let Some(m) = earlier.get(&(job.app.to_string(), event_id.to_owned())) {
                plans.push(Plan::Existing(m.clone()));
                continue;
            }
            if let Some(first) = first_with_key.get(&(job.app.as_str(), event_id)) {
                plans.push(Plan::SameAs(*first));
                continue;
            }
            first_with_key.insert((job.app.as_str(), event_id), i);
        }
        let n = &job.new;
        messages.push(json!([
            n.id.as_str(),
            job.app.as_str(),
            n.event_id,
            n.event_type.as_str(),
            n.payload,
            n.timestamp.as_millis(),
            job.now.as_millis()
        ]));
        let targets: Vec<String> = endpoints
            .get(job.app.as_str())
            .map(|eps| {
                eps.iter()
                    .filter(|(id, f)| match &n.only_endpoint {
                        Some(only) => only.as_str() == id,
                        None => f.matches(n.event_type.as_str()),
                    })
                    .map(|(id, _)| id.clone())
                    .collect()
            })
            .unwrap_or_default();
        for ep in &targets {
            deliveries.push(json!([job.app.as_str(), n.id.as_str(), ep, job.now.as_millis()]));
        }
        plans.push(Plan::New { targets });
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

    let mut results: Vec<StoreResult<Published>> = Vec::with_capacity(jobs.len());
    for (job, plan) in jobs.iter().zip(plans) {
        let result = match plan {
            Plan::Missing => Err(StoreError::NotFound("application")),
            Plan::Existing(message) => Ok(Published { message, created: false, fanned_out: 0 }),
            Plan::SameAs(first) => match &results[first] {
                Ok(p) => Ok(Published { message: p.message.clone(), created: false, fanned_out: 0 }),
                Err(_) => Err(StoreError::NotFound("application")),
            },
            Plan::New { targets } => Ok(Published {
                message: Message {
                    id: job.new.id.clone(),
                    app_id: job.app.clone(),
                    event_id: job.new.event_id.clone(),
                    event_type: job.new.event_type.clone(),
                    payload: job.new.payload.clone(),
                    timestamp: job.new.timestamp,
                    created_at: job.now,
                },
                created: true,
                fanned_out: targets.len(),
            }),
        };
        results.push(result);
    }
    Ok(results)
}

/// Messages already stored under the batch's (app, event id) pairs.
async fn existing_by_event_id(
    conn: &mut SqliteConnection,
    jobs: &[PublishJob],
) -> StoreResult<HashMap<(String, String), Message>> {
    let keys: Vec<Value> =
        jobs.iter().filter_map(|j| j.new.event_id.as_ref().map(|e| json!([j.app.as_str(), e]))).collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query(
        "SELECT m.* FROM json_each(?1) AS k
         JOIN messages m ON m.app_id = k.value ->> 0 AND m.event_id = k.value ->> 1",
    )
    .bind(Value::Array(keys).to_string())
    .fetch_all(conn)
    .await
    .map_err(db_err)?;
    let mut out = HashMap::new();
    for row in &rows {
        let m = rows::message(&rows::R(row))?;
        if let Some(e) = &m.event_id {
            out.insert((m.app_id.to_string(), e.clone()), m);
        }
    }
    Ok(out)
}

/// The enabled endpoints of the batch's applications, with their filters.
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
    let mut out: HashMap<String, Vec<(String, EventFilter)>> = HashMap::new();
    for row in &rows {
        let text: Option<String> = row.try_get("event_types").map_err(db_err)?;
        let filter = match text {
            None => EventFilter::All,
            Some(t) => EventFilter::Only(
                serde_json::from_str::<Vec<EventPattern>>(&t)
                    .map_err(|e| StoreError::Corrupt(format!("endpoint filter: {e}")))?,
            ),
        };
        out.entry(row.try_get("app_id").map_err(db_err)?)
            .or_default()
            .push((row.try_get("id").map_err(db_err)?, filter));
    }
    Ok(out)
}
