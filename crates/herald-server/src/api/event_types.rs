//! The event-type catalog: names, descriptions, optional JSON Schemas that
//! published payloads must satisfy, example payloads.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use herald_core::event_type::EventTypeName;
use herald_core::{EventTypeId, Timestamp};
use herald_store::{EventType, EventTypePatch, NewEventType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{check_text, nullable, ListQuery, ListResponse};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::schemas::CompiledType;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/event-types", get(list_event_types).post(create_event_type))
        .route("/event-types/{name}", get(get_event_type).patch(update_event_type).delete(delete_event_type))
}

#[derive(Serialize)]
struct EventTypeView {
    id: EventTypeId,
    name: EventTypeName,
    description: String,
    schema: Option<Value>,
    example: Option<Value>,
    archived: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<EventType> for EventTypeView {
    fn from(t: EventType) -> Self {
        Self {
            id: t.id,
            name: t.name,
            description: t.description,
            schema: t.schema,
            example: t.example,
            archived: t.archived,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Checks that `schema` is a usable JSON Schema and that `example`, when
/// both are present, satisfies it.
fn check_schema(schema: Option<&Value>, example: Option<&Value>) -> Result<(), ApiError> {
    let Some(schema) = schema else { return Ok(()) };
    let validator = jsonschema::validator_for(schema).map_err(|e| ApiError::validation("schema", e))?;
    if let Some(example) = example {
        if let Some(err) = validator.iter_errors(example).next() {
            return Err(ApiError::validation("example", format!("does not match the schema: {err}")));
        }
    }
    Ok(())
}

/// Validates a payload against a compiled event-type schema.
pub fn validate_payload(compiled: &CompiledType, payload: &Value) -> Result<(), ApiError> {
    let et = &compiled.event_type;
    let errors: Vec<String> = compiled
        .validator
        .iter_errors(payload)
        .take(5)
        .map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation("payload", format!("does not match the schema of `{}`: {}", et.name, errors.join("; "))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateEventType {
    name: String,
    #[serde(default)]
    description: String,
    schema: Option<Value>,
    example: Option<Value>,
    #[serde(default)]
    archived: bool,
}

async fn create_event_type(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateEventType>,
) -> ApiResult<(StatusCode, Json<EventTypeView>)> {
    let name = EventTypeName::parse(&body.name).map_err(|e| ApiError::validation("name", e))?;
    check_text("description", &body.description, 4096, true)?;
    check_schema(body.schema.as_ref(), body.example.as_ref())?;
    let now = state.clock.now();
    let new = NewEventType {
        id: EventTypeId::generate(now.as_millis()),
        name,
        description: body.description,
        schema: body.schema,
        example: body.example,
        archived: body.archived,
    };
    let et = state.store.create_event_type(new, now).await?;
    state.schemas.forget(et.name.as_str());
    Ok((StatusCode::CREATED, Json(et.into())))
}

async fn list_event_types(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListResponse<EventTypeView>>> {
    let page = state.store.list_event_types(q.page()?).await?;
    Ok(Json(ListResponse::from_page(page, EventTypeView::from)))
}

async fn get_event_type(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult<Json<EventTypeView>> {
    Ok(Json(state.store.get_event_type(&name).await?.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateEventType {
    description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    schema: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    example: Option<Option<Value>>,
    archived: Option<bool>,
}

async fn update_event_type(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<UpdateEventType>,
) -> ApiResult<Json<EventTypeView>> {
    let current = state.store.get_event_type(&name).await?;
    if let Some(d) = &body.description {
        check_text("description", d, 4096, true)?;
    }
    let schema = body.schema.clone().unwrap_or(current.schema);
    let example = body.example.clone().unwrap_or(current.example);
    check_schema(schema.as_ref(), example.as_ref())?;
    let patch = EventTypePatch {
        description: body.description,
        schema: body.schema,
        example: body.example,
        archived: body.archived,
    };
    let updated = state.store.update_event_type(&name, patch, state.clock.now()).await?;
    state.schemas.forget(&name);
    Ok(Json(updated.into()))
}

async fn delete_event_type(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult<StatusCode> {
    state.store.delete_event_type(&name).await?;
    state.schemas.forget(&name);
    Ok(StatusCode::NO_CONTENT)
}
