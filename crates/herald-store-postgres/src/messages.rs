//! Messages and the attempt log (publishing is in `publish.rs`).

use herald_core::{AppId, MessageId};
use herald_store::*;
use sqlx::PgPool;

use crate::{db_err, rows};

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
