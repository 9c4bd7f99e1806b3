use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(get_health)).route("/health/live", get(get_liveness))
}

/// 200 while the process serves requests, whatever the database does (for
/// a supervisor deciding whether to restart it).
async fn get_liveness() -> Json<Value> {
    ok()
}

/// 200 when the database answers, 503 otherwise (for a load balancer
/// deciding whether to send traffic here).
async fn get_health(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "health check failed");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", "the database does not answer")
    })?;
    Ok(ok())
}

fn ok() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
