//! Publishing (message + fan-out in one transaction), messages and the
//! attempt log.

use herald_core::event_type::EventFilter;
use herald_core::{AppId, MessageId, Timestamp};
use herald_store::*;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::{db_err, rows};

async fn by_event_id(conn: &mut SqliteConnection, app: &AppId, event_id: &str) -> StoreResult<Option<Message>> {
    let row = sqlx::query("SELECT * FROM messages WHERE app_id = ?1 AND event_id = ?2")
        .bind(app.as_str())
        .bind(event_id)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    row.as_ref().map(|r| rows::message(&rows::R(r))).transpose()
}

pub(crate) async fn publish(pool: &SqlitePool, app: &AppId, new: NewMessage, now: Timestamp) -> StoreResult<Published> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let app_exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM applications WHERE id = ?1")
        .bind(app.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    if app_exists.is_none() {
        return Err(StoreError::NotFound("application"));
    }
    if let Some(event_id) = &new.event_id {
        if let Some(message) = by_event_id(&mut tx, app, event_id).await? {
            return Ok(Published { message, created: false, fanned_out: 0 });
        }
    }
    sqlx::query(
        "INSERT INTO messages (id, app_id, event_id, event_type, payload, timestamp, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(new.id.as_str())
    .bind(app.as_str())
    .bind(&new.event_id)
    .bind(new.event_type.as_str())
    .bind(&new.payload)
    .bind(new.timestamp.as_millis())
    .bind(now.as_millis())
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;

    let endpoints = sqlx::query("SELECT id, event_types FROM endpoints WHERE app_id = ?1 AND disabled = 0")
        .bind(app.as_str())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    let mut fanned_out = 0;
    for ep in &endpoints {
        if !matches_filter(ep, new.event_type.as_str())? {
            continue;
        }
        let endpoint_id: String = ep.try_get("id").map_err(db_err)?;
        sqlx::query(
            "INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?4, ?4)",
        )
        .bind(app.as_str())
        .bind(new.id.as_str())
        .bind(endpoint_id)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        fanned_out += 1;
    }
    tx.commit().await.map_err(db_err)?;
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

fn matches_filter(row: &SqliteRow, event_type: &str) -> StoreResult<bool> {
    let text: Option<String> = row.try_get("event_types").map_err(db_err)?;
    let Some(text) = text else { return Ok(true) };
    let list = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("endpoint filter: {e}")))?;
    Ok(EventFilter::from_list(Some(list)).matches(event_type))
}

pub(crate) async fn get_message(pool: &SqlitePool, app: &AppId, id: &MessageId) -> StoreResult<Message> {
    let row = sqlx::query("SELECT * FROM messages WHERE id = ?1 AND app_id = ?2")
        .bind(id.as_str())
        .bind(app.as_str())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("message"))?;
    rows::message(&rows::R(&row))
}

pub(crate) async fn list_messages(pool: &SqlitePool, app: &AppId, page: PageRequest) -> StoreResult<Page<Message>> {
    let rows =
        sqlx::query("SELECT * FROM messages WHERE app_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3")
            .bind(app.as_str())
            .bind(&page.before)
            .bind(i64::from(page.limit) + 1)
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    Ok(Page::from_rows(rows::all(&rows, rows::message)?, page.limit, |m| m.id.to_string()))
}

pub(crate) async fn message_deliveries(
    pool: &SqlitePool,
    app: &AppId,
    id: &MessageId,
) -> StoreResult<Vec<DeliveryStatus>> {
    let rows = sqlx::query("SELECT * FROM deliveries WHERE msg_id = ?1 AND app_id = ?2 ORDER BY endpoint_id")
        .bind(id.as_str())
        .bind(app.as_str())
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows::all(&rows, rows::delivery_status)
}

pub(crate) async fn list_attempts(
    pool: &SqlitePool,
    app: &AppId,
    filter: AttemptFilter,
    page: PageRequest,
) -> StoreResult<Page<Attempt>> {
    let (sql, key) = match &filter {
        AttemptFilter::Message(id) => (
            "SELECT * FROM attempts WHERE msg_id = ?1 AND app_id = ?2 AND (?3 IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?4",
            id.as_str(),
        ),
        AttemptFilter::Endpoint(id) => (
            "SELECT * FROM attempts WHERE endpoint_id = ?1 AND app_id = ?2 AND (?3 IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?4",
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
