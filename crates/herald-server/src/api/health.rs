//! Liveness and readiness, public (no token): `/health/live` says the
//! process serves requests; `/health/ready` (and `/health`, its older name)
//! says it can take work now: the database answers and takes writes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(get_readiness))
        .route("/health/ready", get(get_readiness))
        .route("/health/live", get(get_liveness))
}

/// 200 while the process serves requests, whatever the database does (for
/// a supervisor deciding whether to restart it).
async fn get_liveness() -> Json<Value> {
    ok()
}

/// 200 when the database answers within a second and is not known to
/// refuse writes, 503 otherwise, within a second either way (for a load
/// balancer deciding whether to send traffic here). Back to 200 within a
/// second of the database's return.
async fn get_readiness(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.readiness.check().await.map_err(|down| {
        let mut e = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", down.message());
        e.retry_after = Some(1);
        e
    })?;
    Ok(ok())
}

fn ok() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
