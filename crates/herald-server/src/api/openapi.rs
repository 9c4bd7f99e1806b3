//! The API's OpenAPI 3.1 document, generated from the handlers' annotations
//! (`utoipa`), served at `/api/v1/openapi.json` with a reference page at
//! `/docs` (Swagger UI, embedded in the binary). Its `webhooks` section is
//! the event catalog as it is when the document is fetched: one entry per
//! event type, the default envelope around the type's schema and example.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use herald_store::PageRequest;
use serde::Serialize;
use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

use crate::error::ApiResult;
use crate::state::AppState;

/// Every error, from any layer: a stable code and a message for people.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "not_found", "message": "application not found"}))]
pub struct ErrorBody {
    /// Stable, machine-readable: `invalid_request`, `validation_failed`,
    /// `unauthorized`, `not_found`, `conflict`, `payload_too_large`,
    /// `database_unavailable`, ...
    code: String,
    message: String,
    /// With a validation error: the request field it is about (`url`,
    /// `event_types`, `oauth2.token_url`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

/// The error answers every operation may give.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Errors {
    /// Malformed request (JSON syntax, query string, path).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No or a wrong bearer token.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The token may not do this (an application-scoped token outside its
    /// application's routes).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// The path names nothing that exists.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// A conflict with how things are now: a uid, name or event id already
    /// taken, or a state that does not allow this (a disabled endpoint, a
    /// rotation to the current secret, the portal turned off, ...); the
    /// message says which.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body is larger than `server.max_body_bytes`.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// A body that is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// A field breaks a rule; the message names it.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// This token sent more requests than its rate; retry after `Retry-After`.
    #[response(status = 429)]
    TooManyRequests(ErrorBody),
    /// The database cannot take the request now; retry after `Retry-After`.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "an API token: the admin token, or one created with POST /tokens (admin or application-scoped)",
            ))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Herald", description = "Self-hosted webhook delivery: event types, applications, endpoints, messages and the delivery log.

The schemas say exactly what the server accepts, with these limits:
- An optional query parameter given empty (`?status=`) is the same as one left out.
- Text is UTF-8 JSON. A string holding the NUL character (`\\u0000`, `%00`) or a lone surrogate is refused (422 or 400): neither JSON text nor PostgreSQL can carry it.
- Some rules depend on what the server holds or sees when the request arrives, which no schema can state: a payload must match its event type's schema as the catalog is then (this document carries the catalog as it was when fetched, as `if`/`then` rules and under `webhooks`); an event type's `example` must match its `schema`; an endpoint's URL must resolve to an address deliveries may reach, within `limits.endpoints_per_app`; a certificate must parse; a token's `expires_at` must be in the future. Those answer 422 naming the field.
- A reference in a body to something that does not exist (`app` of a token, `endpoint` of a recovery) answers 404, as a path naming it would."),
    servers((url = "/api/v1")),
    security(("bearer" = [])),
    modifiers(&Bearer),
    components(schemas(ErrorBody, super::formats::EventTypeText, super::formats::EventPatternText,
        super::formats::SecretText, super::formats::EndpointIdText, super::formats::AppRefText,
        super::formats::MessageIdText, super::formats::NumberCursorText, super::formats::TimeText,
        super::formats::DeliveryStatus, super::formats::StatsWindow)),
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`: the document, with the catalog's webhooks.
pub async fn serve_document(
    State(state): State<AppState>,
    doc: std::sync::Arc<utoipa::openapi::OpenApi>,
) -> ApiResult<Response> {
    let mut doc = serde_json::to_value(&*doc).unwrap_or(Value::Null);
    let (webhooks, schemas) = webhooks(&state).await?;
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("webhooks".into(), webhooks);
    }
    exact(&mut doc, &schemas);
    super::links::add(&mut doc);
    Ok(Json(doc).into_response())
}

/// What the document says beyond the handlers' annotations, so that it
/// states exactly what is accepted: the shape of every path parameter, and
/// the rules between fields (a payload matches its event type's schema, an
/// application token names its application).
fn exact(doc: &mut Value, catalog: &[(String, Value)]) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut().filter_map(Value::as_object_mut) {
                for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                    let place = param.get("in").and_then(Value::as_str).unwrap_or("");
                    let pattern = param.get("name").and_then(Value::as_str).and_then(super::formats::path_pattern);
                    match (place, pattern) {
                        ("path", Some(pattern)) => param["schema"]["pattern"] = pattern.into(),
                        // `?status=` is what a form with an empty field sends:
                        // the same as leaving the parameter out (`ApiQuery`).
                        ("query", _) if param.get("required") != Some(&Value::Bool(true)) => {
                            let given = param["schema"].take();
                            param["schema"] = json!({ "anyOf": [given, { "type": "string", "const": "" }] });
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    super::formats::refine_profile(schemas);
    // As the catalog is now: a payload of a type with a schema matches it
    // (a type not in the catalog takes any payload).
    if let Some(message) = schemas.get_mut("CreateMessage") {
        let rules: Vec<Value> = catalog
            .iter()
            .map(|(name, schema)| {
                json!({
                    "if": { "properties": { "event_type": { "const": name } }, "required": ["event_type"] },
                    "then": { "properties": { "payload": schema } }
                })
            })
            .collect();
        if !rules.is_empty() {
            message["allOf"] = Value::Array(rules);
        }
    }
    if let Some(token) = schemas.get_mut("CreateToken") {
        token["oneOf"] = json!([
            { "properties": { "scope": { "const": "admin" }, "app": { "type": "null" } } },
            { "properties": { "scope": { "const": "application" }, "app": { "type": "string" } }, "required": ["app"] }
        ]);
    }
}

/// One webhook per event type in the catalog (archived ones too, marked
/// deprecated): a POST whose body is the envelope around its payload; and
/// each type's schema, by name.
async fn webhooks(state: &AppState) -> ApiResult<(Value, Vec<(String, Value)>)> {
    let mut out = Map::new();
    let mut schemas = Vec::new();
    let mut before = None;
    loop {
        let page = state.store.list_event_types(PageRequest { limit: 250, before }).await?;
        for t in &page.items {
            if let Some(schema) = &t.schema {
                schemas.push((t.name.as_str().to_owned(), schema.clone()));
            }
            let data = t.schema.clone().unwrap_or_else(|| json!({}));
            let mut body = json!({
                "type": "object",
                "required": ["id", "type", "timestamp", "data"],
                "properties": {
                    "id": { "type": "string", "description": "the message id (`msg_...`), also in `webhook-id`" },
                    "type": { "type": "string", "const": t.name.as_str() },
                    "timestamp": { "type": "string", "format": "date-time" },
                    "data": data,
                }
            });
            if let Some(example) = &t.example {
                body["examples"] = json!([{ "id": "msg_2aKhLy9nQk3Tt1b8xYz", "type": t.name.as_str(),
                    "timestamp": "2026-01-15T10:30:00.000Z", "data": example }]);
            }
            out.insert(
                t.name.as_str().to_owned(),
                json!({ "post": {
                    "summary": t.name.as_str(),
                    "description": t.description,
                    "deprecated": t.archived,
                    "parameters": [
                        { "name": "webhook-id", "in": "header", "required": true, "schema": { "type": "string" } },
                        { "name": "webhook-timestamp", "in": "header", "required": true, "schema": { "type": "string" } },
                        { "name": "webhook-signature", "in": "header", "required": true, "schema": { "type": "string" },
                          "description": "`v1,<base64 HMAC-SHA256 of \"id.timestamp.body\">` (Standard Webhooks)" }
                    ],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": body } } },
                    "responses": { "2XX": { "description": "received; anything else is retried" } }
                }}),
            );
        }
        match page.next_cursor {
            Some(next) => before = Some(next),
            None => return Ok((Value::Object(out), schemas)),
        }
    }
}

/// `GET /docs`: the reference page, rendered in the browser by the Swagger
/// UI files embedded in the binary.
pub fn docs_router() -> axum::Router<AppState> {
    utoipa_swagger_ui::SwaggerUi::new("/docs").config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")).into()
}
