//! Publishing (message + fan-out + NOTIFY in one transaction), messages and
//! the attempt log.

use herald_core::event_type::EventFilter;
use herald_core::{AppId, MessageId, Timestamp};
use herald_store::*;
use sqlx::{PgConnection, PgPool, Row};

use crate::{db_err, is_unique_violation, rows, WORK_CHANNEL};

async fn by_event_id(conn: &mut PgConnection, app: &AppId, event_id: &str) -> StoreResult<Option<Message>> {
    let row = sqlx::query("SELECT * FROM messages WHERE app_id = $1 AND event_id = $2")
        .bind(app.as_str())
        .bind(event_id)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    row.as_ref().map(|r| rows::message(&rows::R(r))).transpose()
}

pub(crate) async fn publish(pool: &PgPool, app: &AppId, new: NewMessage, now: Timestamp) -> StoreResult<Published> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let endpoints = sqlx::query(
        "SELECT id, event_types FROM endpoints
         WHERE app_id = $1 AND NOT disabled AND (verify_state IS NULL OR verify_state = 'verified')",
    )
    .bind(app.as_str())
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    if let Some(event_id) = &new.event_id {
        if let Some(message) = by_event_id(&mut tx, app, event_id).await? {
            return Ok(Published { message, created: false, fanned_out: 0 });
        }
    }
    let inserted = sqlx::query(
        "INSERT INTO messages (id, app_id, event_id, event_type, payload, timestamp, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.id.as_str())
    .bind(app.as_str())
    .bind(&new.event_id)
    .bind(new.event_type.as_str())
    .bind(&new.payload)
    .bind(new.timestamp.as_millis())
    .bind(now.as_millis())
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        // Another node stored the same event id first: return its message.
        Err(e) if is_unique_violation(&e) && new.event_id.is_some() => {
            drop(tx);
            let mut conn = pool.acquire().await.map_err(db_err)?;
            let event_id = new.event_id.as_deref().unwrap_or_default();
            let message = by_event_id(&mut conn, app, event_id).await?.ok_or(StoreError::NotFound("message"))?;
            return Ok(Published { message, created: false, fanned_out: 0 });
        }
        Err(e) if e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()) => {
            return Err(StoreError::NotFound("application"));
        }
        Err(e) => return Err(db_err(e)),
    }

    let mut targets: Vec<String> = Vec::with_capacity(endpoints.len());
    for ep in &endpoints {
        let id: String = ep.try_get("id").map_err(db_err)?;
        let text: Option<String> = ep.try_get("event_types").map_err(db_err)?;
        let matches = match (&new.only_endpoint, text) {
            (Some(only), _) => only.as_str() == id,
            (None, None) => true,
            (None, Some(t)) => {
                let list =
                    serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("endpoint filter: {e}")))?;
                EventFilter::from_list(Some(list)).matches(new.event_type.as_str())
            }
        };
        if matches {
            targets.push(id);
        }
    }
    if !targets.is_empty() {
        sqlx::query(
            "INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, created_at, updated_at)
             SELECT $1, $2, t, 'pending', 0, $4, $4, $4 FROM UNNEST($3::text[]) AS t",
        )
        .bind(app.as_str())
        .bind(new.id.as_str())
        .bind(&targets)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        // Delivered to listening nodes when (and only if) this commits.
        sqlx::query("SELECT pg_notify($1, '')").bind(WORK_CHANNEL).execute(&mut *tx).await.map_err(db_err)?;
    }
    tx.commit().await.map_err(db_err)?;
    let fanned_out = targets.len();
    let message = Message {
        id: new.id,
        app_id: app.clone(),
        event_id: new.event_id,
        event_type: new.event_type,
        payload: new.payload,
        timestamp: new.timestamp,
        created_at: now,
    };
    Ok(Published { message, created: true, fanned_out })
}

pub(crate) async fn get_message(pool: &PgPool, app: &AppId, id: &MessageId) -> StoreResult<Message> {
    let row = sqlx::query("SELECT * FROM messages WHERE id = $1 AND app_id = $2")
        .bind(id.as_str())
        .bind(app.as_str())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("message"))?;
    rows::message(&rows::R(&row))
}

pub(crate) async fn list_messages(pool: &PgPool, app: &AppId, page: PageRequest) -> StoreResult<Page<Message>> {
    let rows = sqlx::query(
        "SELECT * FROM messages WHERE app_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
    )
    .bind(app.as_str())
    .bind(&page.before)
    .bind(i64::from(page.limit) + 1)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(Page::from_rows(rows::all(&rows, rows::message)?, page.limit, |m| m.id.to_string()))
}

pub(crate) async fn message_deliveries(pool: &PgPool, app: &AppId, id: &MessageId) -> StoreResult<Vec<DeliveryStatus>> {
    let rows = sqlx::query("SELECT * FROM deliveries WHERE msg_id = $1 AND app_id = $2 ORDER BY endpoint_id")
        .bind(id.as_str())
        .bind(app.as_str())
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows::all(&rows, rows::delivery_status)
}

pub(crate) async fn list_attempts(
    pool: &PgPool,
    app: &AppId,
    filter: AttemptFilter,
    page: PageRequest,
) -> StoreResult<Page<Attempt>> {
    let (sql, key) = match &filter {
        AttemptFilter::Message(id) => (
            "SELECT * FROM attempts WHERE msg_id = $1 AND app_id = $2 AND ($3::text IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
            id.as_str(),
        ),
        AttemptFilter::Endpoint(id) => (
            "SELECT * FROM attempts WHERE endpoint_id = $1 AND app_id = $2 AND ($3::text IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
            id.as_str(),
        ),
    };
    let rows = sqlx::query(sql)
        .bind(key)
        .bind(app.as_str())
        .bind(&page.before)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(Page::from_rows(rows::all(&rows, rows::attempt)?, page.limit, |a| a.id.to_string()))
}
