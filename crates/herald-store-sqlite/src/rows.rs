//! Turning SQLite rows back into domain records.

use herald_core::delivery::DeliveryState;
use herald_core::endpoint::{CustomHeaders, EndpointSecret, EndpointUrl};
use herald_core::event_type::{EventFilter, EventPattern, EventTypeName};
use herald_core::{AppId, AttemptId, EndpointId, EventTypeId, MessageId, Timestamp};
use herald_store::*;
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::db_err;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn json(text: &str, what: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}

fn opt_json(text: Option<String>, what: &str) -> Result<Option<Value>, StoreError> {
    text.map(|t| json(&t, what)).transpose()
}

fn ts(row: &SqliteRow, col: &str) -> Result<Timestamp, StoreError> {
    Ok(Timestamp::from_millis(row.try_get(col).map_err(db_err)?))
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(
    row: &'r SqliteRow,
    col: &str,
) -> Result<T, StoreError> {
    row.try_get(col).map_err(db_err)
}

pub(crate) fn application(row: &SqliteRow) -> Result<Application, StoreError> {
    Ok(Application {
        id: AppId::from_trusted(get(row, "id")?),
        uid: get(row, "uid")?,
        name: get(row, "name")?,
        live: get(row, "live")?,
        metadata: json(&get::<String>(row, "metadata")?, "application metadata")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
    })
}

pub(crate) fn event_type(row: &SqliteRow) -> Result<EventType, StoreError> {
    Ok(EventType {
        id: EventTypeId::from_trusted(get(row, "id")?),
        name: EventTypeName::parse(&get::<String>(row, "name")?).map_err(|e| corrupt("event type name", e))?,
        description: get(row, "description")?,
        schema: opt_json(get(row, "schema")?, "event type schema")?,
        example: opt_json(get(row, "example")?, "event type example")?,
        archived: get(row, "archived")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
    })
}

pub(crate) fn filter_to_text(filter: &EventFilter) -> Option<String> {
    filter.to_list().map(|l| Value::from(l).to_string())
}

fn filter_from_text(text: Option<String>) -> Result<EventFilter, StoreError> {
    let Some(text) = text else { return Ok(EventFilter::All) };
    let list: Vec<EventPattern> = serde_json::from_str(&text).map_err(|e| corrupt("endpoint filter", e))?;
    Ok(EventFilter::Only(list))
}

/// An endpoint from columns named with the given prefix (`""` or `"e_"`).
pub(crate) fn endpoint_prefixed(row: &SqliteRow, p: &str) -> Result<Endpoint, StoreError> {
    let c = |name: &str| format!("{p}{name}");
    let headers: String = get(row, &c("headers"))?;
    Ok(Endpoint {
        id: EndpointId::from_trusted(get(row, &c("id"))?),
        app_id: AppId::from_trusted(get(row, &c("app_id"))?),
        url: EndpointUrl::parse(&get::<String>(row, &c("url"))?).map_err(|e| corrupt("endpoint url", e))?,
        description: get(row, &c("description"))?,
        filter: filter_from_text(get(row, &c("event_types"))?)?,
        disabled: get(row, &c("disabled"))?,
        disabled_reason: get(row, &c("disabled_reason"))?,
        headers: serde_json::from_str::<CustomHeaders>(&headers).map_err(|e| corrupt("endpoint headers", e))?,
        secret: EndpointSecret::parse(&get::<String>(row, &c("secret"))?).map_err(|e| corrupt("endpoint secret", e))?,
        metadata: json(&get::<String>(row, &c("metadata"))?, "endpoint metadata")?,
        created_at: ts(row, &c("created_at"))?,
        updated_at: ts(row, &c("updated_at"))?,
    })
}

pub(crate) fn endpoint(row: &SqliteRow) -> Result<Endpoint, StoreError> {
    endpoint_prefixed(row, "")
}

pub(crate) fn message_prefixed(row: &SqliteRow, p: &str) -> Result<Message, StoreError> {
    let c = |name: &str| format!("{p}{name}");
    Ok(Message {
        id: MessageId::from_trusted(get(row, &c("id"))?),
        app_id: AppId::from_trusted(get(row, &c("app_id"))?),
        event_id: get(row, &c("event_id"))?,
        event_type: EventTypeName::parse(&get::<String>(row, &c("event_type"))?)
            .map_err(|e| corrupt("message event type", e))?,
        payload: get(row, &c("payload"))?,
        timestamp: ts(row, &c("timestamp"))?,
        created_at: ts(row, &c("created_at"))?,
    })
}

pub(crate) fn message(row: &SqliteRow) -> Result<Message, StoreError> {
    message_prefixed(row, "")
}

fn status_code(row: &SqliteRow, col: &str) -> Result<Option<u16>, StoreError> {
    let code: Option<i64> = get(row, col)?;
    Ok(code.and_then(|c| u16::try_from(c).ok()))
}

pub(crate) fn delivery_status(row: &SqliteRow) -> Result<DeliveryStatus, StoreError> {
    let state_text: String = get(row, "state")?;
    let state = DeliveryState::parse(&state_text).ok_or_else(|| corrupt("delivery state", &state_text))?;
    let active = matches!(state, DeliveryState::Pending | DeliveryState::Retrying);
    Ok(DeliveryStatus {
        endpoint_id: EndpointId::from_trusted(get(row, "endpoint_id")?),
        state,
        attempts: u32::try_from(get::<i64>(row, "attempts")?).unwrap_or(0),
        next_attempt_at: if active { Some(ts(row, "due_at")?) } else { None },
        last_attempt_at: get::<Option<i64>>(row, "last_attempt_at")?.map(Timestamp::from_millis),
        last_status_code: status_code(row, "last_status_code")?,
        last_error: get(row, "last_error")?,
    })
}

pub(crate) fn attempt(row: &SqliteRow) -> Result<Attempt, StoreError> {
    Ok(Attempt {
        id: AttemptId::from_trusted(get(row, "id")?),
        app_id: AppId::from_trusted(get(row, "app_id")?),
        msg_id: MessageId::from_trusted(get(row, "msg_id")?),
        endpoint_id: EndpointId::from_trusted(get(row, "endpoint_id")?),
        record: AttemptRecord {
            attempt_number: u32::try_from(get::<i64>(row, "attempt_number")?).unwrap_or(0),
            url: get(row, "url")?,
            at: ts(row, "created_at")?,
            status_code: status_code(row, "status_code")?,
            error: get(row, "error")?,
            latency_ms: u64::try_from(get::<i64>(row, "latency_ms")?).unwrap_or(0),
            response_body: get(row, "response_body")?,
            success: get(row, "success")?,
        },
    })
}

/// Collects rows through a converter.
pub(crate) fn all<T>(rows: &[SqliteRow], f: fn(&SqliteRow) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
    rows.iter().map(f).collect()
}
