//! The event-type catalog: names, descriptions, optional JSON Schemas that
//! published payloads must satisfy, example payloads.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
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
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_event_types, create_event_type)).routes(routes!(
        get_event_type,
        update_event_type,
        delete_event_type
    ))
}

#[derive(Serialize, ToSchema)]
struct EventTypeView {
    #[schema(value_type = String)]
    id: EventTypeId,
    #[schema(value_type = String)]
    name: EventTypeName,
    description: String,
    #[schema(value_type = Option<Object>)]
    schema: Option<Value>,
    /// Any JSON value that matches `schema`.
    #[schema(value_type = Option<serde_json::Value>)]
    example: Option<Value>,
    archived: bool,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
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
    // JSON Schema allows `true` and `false` too; a catalog entry is an
    // object, so that it can be published as the webhook's contract.
    if !schema.is_object() {
        return Err(ApiError::validation("schema", "must be a JSON Schema object"));
    }
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "referral.converted", "description": "A referred customer paid.", "schema": {"type": "object", "required": ["referral_id"], "properties": {"referral_id": {"type": "string"}}}, "example": {"referral_id": "ref_123"}}))]
struct CreateEventType {
    #[schema(min_length = 1, max_length = 256, pattern = "^[A-Za-z0-9_.:-]+$")]
    name: String,
    #[serde(default)]
    #[schema(max_length = 4096)]
    description: String,
    #[schema(value_type = Option<Object>)]
    schema: Option<Value>,
    /// Any JSON value that matches `schema`.
    #[schema(value_type = Option<serde_json::Value>)]
    example: Option<Value>,
    #[serde(default)]
    archived: bool,
}

#[utoipa::path(post, path = "/event-types", tag = "event types", summary = "Create an event type", request_body = CreateEventType, responses((status = 201, description = "created", body = EventTypeView), crate::api::openapi::Errors))]
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

#[utoipa::path(get, path = "/event-types", tag = "event types", summary = "List event types", params(super::ListQuery), responses((status = 200, description = "OK", body = super::ListResponse<EventTypeView>), crate::api::openapi::Errors))]
async fn list_event_types(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListResponse<EventTypeView>>> {
    let page = state.store.list_event_types(q.page()?).await?;
    Ok(Json(ListResponse::from_page(page, EventTypeView::from)))
}

#[utoipa::path(get, path = "/event-types/{name}", tag = "event types", summary = "Get an event type", params(("name" = String, Path, description = "the event type name, e.g. `invoice.paid`")), responses((status = 200, description = "OK", body = EventTypeView), crate::api::openapi::Errors))]
async fn get_event_type(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult<Json<EventTypeView>> {
    Ok(Json(state.store.get_event_type(&name).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateEventType {
    #[schema(max_length = 4096)]
    description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Object>)]
    schema: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<serde_json::Value>)]
    example: Option<Option<Value>>,
    archived: Option<bool>,
}

#[utoipa::path(patch, path = "/event-types/{name}", tag = "event types", summary = "Update an event type", params(("name" = String, Path, description = "the event type name, e.g. `invoice.paid`")), request_body = UpdateEventType, responses((status = 200, description = "OK", body = EventTypeView), crate::api::openapi::Errors))]
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

#[utoipa::path(delete, path = "/event-types/{name}", tag = "event types", summary = "Delete an event type", params(("name" = String, Path, description = "the event type name, e.g. `invoice.paid`")), responses((status = 204, description = "done"), crate::api::openapi::Errors))]
async fn delete_event_type(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult<StatusCode> {
    state.store.delete_event_type(&name).await?;
    state.schemas.forget(&name);
    Ok(StatusCode::NO_CONTENT)
}
