//! Publishing many events in one request: `POST /apps/{app}/messages/batch`
//! with `{"events": [...]}`, each element exactly a single publish's body.
//! The valid ones are stored as one unit (one transaction, durable before
//! the answer, as a single publish); each element gets its own answer, in
//! order: accepted, a duplicate of an earlier `event_id`, or the error of
//! that element alone.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::apps;
use super::messages::{prepare, CreateMessage, MessageView};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_messages))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"events": [
    {"event_type": "referral.converted", "event_id": "evt_1", "payload": {"referral_id": "ref_1"}},
    {"event_type": "referral.converted", "event_id": "evt_2", "payload": {"referral_id": "ref_2"}}]}))]
struct CreateBatch {
    /// 1 to `limits.batch_events` (100) events, each a single publish's
    /// body; one that is not valid fails alone.
    #[schema(value_type = Vec<CreateMessage>, min_items = 1)]
    events: Vec<Value>,
}

/// One element's answer.
#[derive(Serialize, ToSchema)]
struct BatchItem {
    /// The status a single publish of it would have had: 202 stored, 200 an
    /// earlier message with its `event_id` (returned as it was), 4xx its
    /// error (503: the database refused it).
    status: u16,
    /// The message (stored now, or earlier with the same `event_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<MessageView>,
    /// What was wrong with this element.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ItemError>,
}

#[derive(Serialize, ToSchema)]
struct ItemError {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

impl From<ApiError> for BatchItem {
    fn from(e: ApiError) -> Self {
        Self {
            status: e.status.as_u16(),
            message: None,
            error: Some(ItemError { code: e.code, message: e.message, field: e.field }),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct BatchView {
    /// One answer per element of `events`, in the same order.
    data: Vec<BatchItem>,
    /// How many were stored now.
    accepted: usize,
    /// How many were earlier messages (same `event_id`).
    duplicates: usize,
    /// How many failed.
    rejected: usize,
}

#[utoipa::path(post, path = "/apps/{app}/messages/batch", tag = "messages",
    summary = "Publish up to 100 events in one request (one commit, durable before the answer; one answer per event)",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid")),
    request_body = CreateBatch,
    responses((status = 200, description = "every event's answer, in order", body = BatchView), crate::api::openapi::Errors))]
async fn create_messages(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiJson(body): ApiJson<CreateBatch>,
) -> ApiResult<Json<BatchView>> {
    let max = state.limits.batch_events;
    if body.events.is_empty() || body.events.len() > max {
        return Err(ApiError::validation("events", format!("give 1 to {max} events (limits.batch_events)")));
    }
    // Read once for the whole batch: a missing application is one 404.
    let app_id = apps::resolve(&state, &app).await?.id;
    let now = state.clock.now();
    let mut items: Vec<Option<BatchItem>> = Vec::with_capacity(body.events.len());
    let mut news = Vec::with_capacity(body.events.len());
    for (i, event) in body.events.into_iter().enumerate() {
        let checked = match serde_json::from_value::<CreateMessage>(event) {
            Ok(one) => prepare(&state, one, now).await,
            Err(e) => Err(ApiError::validation(&format!("events[{i}]"), e.to_string())),
        };
        match checked {
            Ok(new) => {
                items.push(None);
                news.push(new);
            }
            Err(e) => items.push(Some(prefixed(e, i).into())),
        }
    }
    let mut stored = state.publish_many(&app_id, news, now).await?.into_iter();
    let data: Vec<BatchItem> = items
        .into_iter()
        .map(|item| {
            item.unwrap_or_else(|| match stored.next() {
                Some(Ok(p)) => BatchItem {
                    status: if p.created { StatusCode::ACCEPTED } else { StatusCode::OK }.as_u16(),
                    message: Some(MessageView::new(p.message, None)),
                    error: None,
                },
                Some(Err(e)) => ApiError::from(e).into(),
                None => ApiError::internal().into(),
            })
        })
        .collect();
    let count = |s: u16| data.iter().filter(|d| d.status == s).count();
    let (accepted, duplicates) = (count(202), count(200));
    Ok(Json(BatchView { rejected: data.len() - accepted - duplicates, accepted, duplicates, data }))
}

/// The error of element `i`, its field named as `events[i].field`.
fn prefixed(mut e: ApiError, i: usize) -> ApiError {
    if let Some(field) = &e.field {
        if !field.starts_with("events[") {
            e.message = format!("events[{i}].{}", e.message);
            e.field = Some(format!("events[{i}].{field}"));
        }
    }
    e
}
