//! The JSON API under `/api/v1`, one module per resource, each with its own
//! `router()`; shared pieces (pagination, field checks) live here.

mod apps;
mod attempt_request;
mod batch;
mod dashboard;
mod dead_letters;
mod endpoint_auth;
mod endpoint_ops;
mod endpoints;
mod event_types;
mod formats;
mod health;
mod links;
mod messages;
pub mod openapi;
mod policy;
mod portal;
mod reconcile;
mod recoveries;
mod replay;
mod retention;
mod stats;
mod tokens;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::{middleware, Router};
use herald_store::{Page, PageRequest};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::auth::{authenticate, Auth};
use crate::error::ApiError;
use crate::state::AppState;

/// The `/api/v1` routes with their OpenAPI document, built together so that
/// neither can name a route the other lacks.
pub fn v1() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi;
    utoipa_axum::router::OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(apps::router())
        .merge(event_types::router())
        .merge(endpoints::router())
        .merge(endpoint_ops::router())
        .merge(messages::router())
        .merge(batch::router())
        .merge(attempt_request::router())
        .merge(dead_letters::router())
        .merge(replay::router())
        .merge(reconcile::router())
        .merge(recoveries::router())
        .merge(stats::router())
        .merge(dashboard::router())
        .merge(retention::router())
        .merge(tokens::router())
        .merge(portal::router())
        .split_for_parts()
}

pub fn router(state: AppState, auth: Arc<Auth>, max_body_bytes: usize) -> Router {
    let (v1, doc) = v1();
    let doc = Arc::new(doc);
    // The document is public: it describes the API, it holds no data.
    let metrics = state.sender.metrics.clone();
    let v1 = v1
        .route_layer(middleware::from_fn_with_state(auth, authenticate))
        .route_layer(middleware::from_fn_with_state(metrics, count_request))
        .route("/openapi.json", axum::routing::get(move |s| openapi::serve_document(s, doc.clone())));
    let portal =
        if state.portal.enabled { crate::portal::router(&state.portal.frame_ancestors) } else { Router::new() };
    Router::new()
        .nest("/api/v1", v1)
        .merge(portal)
        .merge(openapi::docs_router())
        .merge(health::router())
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this route does not take that method")
        })
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::from_fn(reject_nul_in_uri))
        .layer(middleware::map_response(json_errors))
        .with_state(state)
}

/// Counts the request by route template and times it.
async fn count_request(
    axum::extract::State(metrics): axum::extract::State<Arc<crate::metrics::Metrics>>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let route = req.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let method = req.method().clone();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    metrics.request(method.as_str(), &route, res.status().as_u16(), started.elapsed());
    res
}

/// Every error answer carries the API's JSON body: a rejection from the
/// framework itself (an extractor's plain text, an empty body) is rewritten
/// into `{code, message}`, keeping its status and headers.
async fn json_errors(res: axum::response::Response) -> axum::response::Response {
    use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let status = res.status();
    let is_json = res.headers().get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).trim().to_owned());
    let message = match text {
        Ok(t) if !t.is_empty() => t,
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let code = match status.as_u16() {
        400 => "invalid_request",
        401 => "unauthorized",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_error",
        503 => "unavailable",
        s if s >= 500 => "internal_error",
        _ => "invalid_request",
    };
    let mut out = ApiError::new(status, code, message).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// A NUL (`%00`) in a path segment or query parameter is refused before any
/// handler sees it: no stored id or cursor can hold one.
async fn reject_nul_in_uri(req: axum::extract::Request, next: middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    if crate::extract::uri_has_nul(req.uri()) {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the path and query must not contain the NUL character (%00)",
        )
        .into_response();
    }
    next.run(req).await
}

/// Only `/health`, for nodes that run workers alone.
pub fn health_only(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "this node serves only /health") })
        .with_state(state)
}

// --- pagination -----------------------------------------------------------

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 250;

/// `?limit=50&iterator=<cursor>`: newest first.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 250 (default 50).
    #[param(minimum = 1, maximum = 250)]
    pub(super) limit: Option<u32>,
    /// The `iterator` of the previous page, to get the next one.
    pub(super) iterator: Option<String>,
}

impl ListQuery {
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::validation("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        Ok(PageRequest { limit, before: self.iterator.clone().filter(|s| !s.is_empty()) })
    }
}

/// `{"data": [...], "iterator": "<next cursor>", "done": bool}`
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListResponse<T> {
    data: Vec<T>,
    iterator: Option<String>,
    done: bool,
}

impl<T> ListResponse<T> {
    pub fn from_page<R>(page: Page<R>, view: impl FnMut(R) -> T) -> Self {
        let done = page.next_cursor.is_none();
        Self { data: page.items.into_iter().map(view).collect(), iterator: page.next_cursor, done }
    }
}

// --- field checks ---------------------------------------------------------

/// For PATCH bodies: absent -> `None`, `null` -> `Some(None)`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// An RFC 3339 time in a field or query parameter; 422 naming it if not.
pub fn time(field: &str, v: &str) -> Result<herald_core::Timestamp, ApiError> {
    herald_core::Timestamp::parse_rfc3339(v).map_err(|e| ApiError::validation(field, e))
}

/// As [`time`], for an optional one.
pub fn opt_time(field: &str, v: Option<&str>) -> Result<Option<herald_core::Timestamp>, ApiError> {
    v.map(|t| time(field, t)).transpose()
}

pub fn check_text(field: &str, s: &str, max: usize, allow_empty: bool) -> Result<(), ApiError> {
    if !allow_empty && s.trim().is_empty() {
        return Err(ApiError::validation(field, "must not be empty"));
    }
    if s.chars().count() > max {
        return Err(ApiError::validation(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// A delivery profile given as a JSON object (an integral `30.0` is an
/// integer, as in the rest of a body).
pub fn check_profile(field: &str, mut v: Value) -> Result<herald_core::profile::Profile, ApiError> {
    if !v.is_object() {
        return Err(ApiError::validation(field, "must be a JSON object"));
    }
    match herald_core::profile::Profile::from_json(&v) {
        Err(e) if crate::extract::integral_floats_to_integers(&mut v) => {
            herald_core::profile::Profile::from_json(&v).map_err(|_| ApiError::validation(field, e))
        }
        r => r.map_err(|e| ApiError::validation(field, e)),
    }
}

/// Metadata is a JSON object (default `{}`), at most 16 KiB serialised.
pub fn check_metadata(field: &str, v: Option<Value>) -> Result<Value, ApiError> {
    let v = v.unwrap_or_else(|| Value::Object(Default::default()));
    if !v.is_object() {
        return Err(ApiError::validation(field, "must be a JSON object"));
    }
    if v.to_string().len() > 16 * 1024 {
        return Err(ApiError::validation(field, "must be at most 16 KiB"));
    }
    Ok(v)
}
