//! Publishing messages (events) and reading them back with their delivery
//! status and attempts.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use herald_core::delivery::DeliveryState;
use herald_core::event_type::EventTypeName;
use herald_core::{AppId, AttemptId, EndpointId, MessageId, Timestamp};
use herald_store::{Attempt, AttemptFilter, DeliveryStatus, Message, NewMessage};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::event_types::validate_payload;
use super::{apps, check_text, ListQuery, ListResponse};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_messages, create_message))
        .routes(routes!(get_message))
        .routes(routes!(list_message_attempts))
}

#[derive(Serialize, ToSchema)]
pub(super) struct MessageView {
    #[schema(value_type = String)]
    id: MessageId,
    #[schema(value_type = String)]
    app_id: AppId,
    #[schema(value_type = String)]
    event_type: EventTypeName,
    event_id: Option<String>,
    /// The payload as published, any JSON value; `null` once expunged.
    #[schema(value_type = serde_json::Value)]
    payload: Box<RawValue>,
    /// When the payload was removed (retention, or by request).
    #[schema(value_type = Option<String>, format = DateTime)]
    expunged_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    timestamp: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    deliveries: Option<Vec<DeliveryView>>,
}

impl MessageView {
    pub(super) fn new(m: Message, deliveries: Option<Vec<DeliveryView>>) -> Self {
        // The payload was stored as serialised JSON; pass it through as is.
        let text = if m.expunged_at.is_some() { "null".to_owned() } else { m.payload };
        let payload = RawValue::from_string(text).unwrap_or_else(|e| {
            tracing::error!(msg_id = %m.id, error = %e, "stored payload is not JSON");
            RawValue::from_string("null".to_owned()).expect("null is JSON")
        });
        Self {
            id: m.id,
            app_id: m.app_id,
            event_type: m.event_type,
            event_id: m.event_id,
            payload,
            expunged_at: m.expunged_at,
            timestamp: m.timestamp,
            created_at: m.created_at,
            deliveries,
        }
    }
}

impl MessageView {
    /// The message with its deliveries, taken out of what
    /// `Store::deliveries_of` read for a page of messages.
    pub(super) fn taking_deliveries(m: Message, all: &mut HashMap<String, Vec<DeliveryStatus>>) -> Self {
        let ds = all.remove(m.id.as_str()).unwrap_or_default();
        Self::new(m, Some(ds.into_iter().map(DeliveryView::from).collect()))
    }
}

#[derive(Serialize, ToSchema)]
pub(super) struct DeliveryView {
    #[schema(value_type = String)]
    endpoint_id: EndpointId,
    #[schema(value_type = String)]
    status: DeliveryState,
    attempts: u32,
    #[schema(value_type = Option<String>, format = DateTime)]
    next_attempt_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    last_attempt_at: Option<Timestamp>,
    last_status_code: Option<u16>,
    last_error: Option<String>,
}

impl From<DeliveryStatus> for DeliveryView {
    fn from(d: DeliveryStatus) -> Self {
        Self {
            endpoint_id: d.endpoint_id,
            status: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_attempt_at: d.last_attempt_at,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    #[schema(value_type = String)]
    id: AttemptId,
    #[schema(value_type = String)]
    msg_id: MessageId,
    #[schema(value_type = String)]
    endpoint_id: EndpointId,
    attempt_number: u32,
    url: String,
    #[schema(value_type = String, format = DateTime)]
    timestamp: Timestamp,
    #[schema(value_type = String)]
    status: &'static str,
    status_code: Option<u16>,
    error: Option<String>,
    latency_ms: u64,
    response_body: Option<String>,
    /// Asked for by hand (a replay), outside the retry schedule.
    manual: bool,
}

impl From<Attempt> for AttemptView {
    fn from(a: Attempt) -> Self {
        let r = a.record;
        Self {
            id: a.id,
            msg_id: a.msg_id,
            endpoint_id: a.endpoint_id,
            attempt_number: r.attempt_number,
            url: r.url,
            timestamp: r.at,
            status: if r.success { "success" } else { "failed" },
            status_code: r.status_code,
            error: r.error,
            latency_ms: r.latency_ms,
            response_body: r.response_body,
            manual: a.manual,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"event_type": "referral.converted", "event_id": "evt_8f2c1", "payload": {"referral_id": "ref_123"}}))]
pub(super) struct CreateMessage {
    #[schema(min_length = 1, max_length = 256, pattern = "^[A-Za-z0-9_.:-]+$")]
    event_type: String,
    #[schema(value_type = serde_json::Value)]
    payload: Value,
    /// Your id for the event: a repeat with the same one is stored once.
    #[schema(min_length = 1, max_length = 256, pattern = "\\S")]
    event_id: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    timestamp: Option<Timestamp>,
    /// At endpoints with `ordering = "fifo"`, a message is sent only once
    /// the one before it with the same key was delivered or finally failed
    /// (e.g. a customer id). Keys are independent of each other.
    #[schema(max_length = 256)]
    ordering_key: Option<String>,
}

#[utoipa::path(post, path = "/apps/{app}/messages", tag = "messages", summary = "Publish an event (durable before the answer; deduplicated by event_id)", params(("app" = String, Path, description = "the application id (`app_...`) or uid")), request_body = CreateMessage, responses((status = 202, description = "stored and queued", body = MessageView), (status = 200, description = "an earlier message with this `event_id`, returned as it was", body = MessageView), crate::api::openapi::Errors))]
async fn create_message(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiJson(body): ApiJson<CreateMessage>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let app_id = apps::resolve_id(&state, &app).await?;
    let now = state.clock.now();
    let new = prepare(&state, body, now).await?;
    let published = state.publish(&app_id, new, now).await?;
    let status = if published.created { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok((status, Json(MessageView::new(published.message, None))))
}

/// A publish's body checked (the event type's name and schema, the ids'
/// lengths) and made into the message to store: the single route's and
/// each element of the batch route's.
pub(super) async fn prepare(state: &AppState, body: CreateMessage, now: Timestamp) -> ApiResult<NewMessage> {
    let event_type = EventTypeName::parse(&body.event_type).map_err(|e| ApiError::validation("event_type", e))?;
    if let Some(id) = &body.event_id {
        check_text("event_id", id, 256, false)?;
    }
    if let Some(key) = &body.ordering_key {
        check_text("ordering_key", key, 256, true)?;
    }
    if let Some(compiled) = state.schemas.get(state.store.as_ref(), event_type.as_str()).await? {
        validate_payload(&compiled, &body.payload)?;
    }
    Ok(NewMessage {
        id: MessageId::generate(now.as_millis()),
        event_id: body.event_id,
        event_type,
        payload: body.payload.to_string(),
        timestamp: body.timestamp.unwrap_or(now),
        only_endpoint: None,
        ordering_key: body.ordering_key,
    })
}

#[utoipa::path(get, path = "/apps/{app}/messages", tag = "messages", summary = "List messages, newest first, filtered by event type, time, delivery status and endpoint (reconciliation)", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), super::reconcile::MessagesQuery), responses((status = 200, description = "OK", body = super::ListResponse<MessageView>), crate::api::openapi::Errors))]
async fn list_messages(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<super::reconcile::MessagesQuery>,
) -> ApiResult<Json<ListResponse<MessageView>>> {
    let app = apps::resolve(&state, &app).await?;
    let page = state.store.list_messages(&app.id, &q.filter()?, q.page()?).await?;
    if q.with_deliveries != Some(true) {
        return Ok(Json(ListResponse::from_page(page, |m| MessageView::new(m, None))));
    }
    let ids: Vec<MessageId> = page.items.iter().map(|m| m.id.clone()).collect();
    let mut deliveries = state.store.deliveries_of(&app.id, &ids).await?;
    Ok(Json(ListResponse::from_page(page, |m| MessageView::taking_deliveries(m, &mut deliveries))))
}

pub(super) async fn resolve(state: &AppState, app: &str, message: &str) -> ApiResult<Message> {
    let app = apps::resolve(state, app).await?;
    resolve_in(state, &app.id, message).await
}

/// The message `message` (its id as given) of an application already found.
pub(super) async fn resolve_in(state: &AppState, app: &AppId, message: &str) -> ApiResult<Message> {
    let id = MessageId::parse(message).map_err(|_| ApiError::not_found("message"))?;
    Ok(state.store.get_message(app, &id).await?)
}

#[utoipa::path(get, path = "/apps/{app}/messages/{message}", tag = "messages", summary = "Get a message with its delivery status per endpoint", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("message" = String, Path, description = "the message id (`msg_...`)")), responses((status = 200, description = "OK", body = MessageView), crate::api::openapi::Errors))]
async fn get_message(
    State(state): State<AppState>,
    Path((app, msg)): Path<(String, String)>,
) -> ApiResult<Json<MessageView>> {
    let msg = resolve(&state, &app, &msg).await?;
    let deliveries = state.store.message_deliveries(&msg.app_id, &msg.id).await?;
    let views = deliveries.into_iter().map(DeliveryView::from).collect();
    Ok(Json(MessageView::new(msg, Some(views))))
}

#[utoipa::path(get, path = "/apps/{app}/messages/{message}/attempts", tag = "delivery log", summary = "List the attempts made for a message", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("message" = String, Path, description = "the message id (`msg_...`)"), super::ListQuery), responses((status = 200, description = "OK", body = super::ListResponse<AttemptView>), crate::api::openapi::Errors))]
async fn list_message_attempts(
    State(state): State<AppState>,
    Path((app, msg)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListResponse<AttemptView>>> {
    let msg = resolve(&state, &app, &msg).await?;
    let page = state.store.list_attempts(&msg.app_id, AttemptFilter::Message(msg.id), q.page()?).await?;
    Ok(Json(ListResponse::from_page(page, AttemptView::from)))
}
