//! An application's dashboard: its delivery figures over the last 24 hours
//! and the last 7 days, and each endpoint's health, in one answer (the
//! portal's landing view). Health is judged as the operator view judges an
//! application: Healthy at 95% of attempts delivered or more, Degraded from
//! 50%, Failing below, Idle without attempts.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::Json;
use herald_core::{AppId, EndpointId, Timestamp};
use herald_store::stats::Totals;
use herald_store::PageRequest;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::apps;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(app_dashboard))
}

const DAY: Duration = Duration::from_secs(86_400);
const WEEK: Duration = Duration::from_secs(7 * 86_400);
/// The endpoints a dashboard lists (the first ones, oldest first).
const MAX_ENDPOINTS: u32 = 250;

/// Figures over one window.
#[derive(Serialize, ToSchema)]
struct Figures {
    #[schema(value_type = String, format = DateTime)]
    since: Timestamp,
    /// Requests made (attempts).
    attempts: u64,
    /// Attempts answered with a success status.
    attempts_succeeded: u64,
    /// Deliveries that reached delivered, each once (as in the delivery log).
    delivered: u64,
    /// Deliveries that ended failed and are failed still.
    failed: u64,
    /// attempts_succeeded / attempts; null without attempts.
    success_rate: Option<f64>,
    avg_response_ms: Option<f64>,
    /// Attempts after a delivery's first.
    retries: u64,
    /// `healthy` (95% delivered or more), `degraded` (from 50%), `failing`
    /// (below), `idle` (no attempts).
    #[schema(example = "healthy")]
    health: &'static str,
}

impl Figures {
    fn new(since: Timestamp, t: &Totals) -> Self {
        let rate = t.success_rate();
        Self {
            since,
            attempts: t.attempts,
            attempts_succeeded: t.successes,
            delivered: t.delivered,
            failed: t.failures,
            success_rate: rate,
            avg_response_ms: t.average_latency_ms(),
            retries: t.retries,
            health: health(rate),
        }
    }
}

/// How a success rate is judged (`None`: no attempts).
pub fn health(rate: Option<f64>) -> &'static str {
    match rate {
        None => "idle",
        Some(r) if r >= 0.95 => "healthy",
        Some(r) if r >= 0.5 => "degraded",
        Some(_) => "failing",
    }
}

/// One endpoint on the dashboard.
#[derive(Serialize, ToSchema)]
struct EndpointHealth {
    id: String,
    url: String,
    description: String,
    disabled: bool,
    paused: bool,
    /// The last 24 hours; its `health` is the endpoint's.
    day: Figures,
    /// The last 7 days.
    week: Figures,
}

/// The application's figures and its endpoints' health.
#[derive(Serialize, ToSchema)]
struct Dashboard {
    #[schema(value_type = String, format = DateTime)]
    until: Timestamp,
    /// The last 24 hours, all endpoints together.
    day: Figures,
    /// The last 7 days, all endpoints together.
    week: Figures,
    /// Deliveries waiting now (pending or retrying).
    backlog: u64,
    /// Every endpoint (up to 250), the failing first, then degraded,
    /// healthy and idle ones (over 24 hours, then over 7 days).
    endpoints: Vec<EndpointHealth>,
}

fn ago(now: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_millis(now.as_millis() - i64::try_from(d.as_millis()).unwrap_or(0))
}

async fn figures(
    state: &AppState,
    app: &AppId,
    endpoint: Option<&EndpointId>,
    now: Timestamp,
) -> ApiResult<(Figures, Figures, u64)> {
    let (day_since, week_since) = (ago(now, DAY), ago(now, WEEK));
    let day = state.store.stats(app, endpoint, day_since, now).await?;
    let week = state.store.stats(app, endpoint, week_since, now).await?;
    Ok((Figures::new(day_since, &day), Figures::new(week_since, &week), day.backlog))
}

#[utoipa::path(get, path = "/apps/{app}/dashboard", tag = "delivery log",
    summary = "An application's delivery figures (24 hours and 7 days) and each endpoint's health",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid")),
    responses((status = 200, description = "OK", body = Dashboard), crate::api::openapi::Errors))]
async fn app_dashboard(State(state): State<AppState>, Path(app): Path<String>) -> ApiResult<Json<Dashboard>> {
    let app = apps::resolve(&state, &app).await?;
    let now = state.clock.now();
    let (day, week, backlog) = figures(&state, &app.id, None, now).await?;
    let page = state.store.list_endpoints(&app.id, PageRequest { limit: MAX_ENDPOINTS, before: None }).await?;
    let mut endpoints = Vec::with_capacity(page.items.len());
    for ep in page.items {
        let (day, week, _) = figures(&state, &app.id, Some(&ep.id), now).await?;
        endpoints.push(EndpointHealth {
            id: ep.id.to_string(),
            url: ep.url.as_str().to_owned(),
            description: ep.description.clone(),
            disabled: ep.disabled,
            paused: ep.paused,
            day,
            week,
        });
    }
    let rank = |h: &str| ["failing", "degraded", "healthy", "idle"].iter().position(|x| *x == h).unwrap_or(4);
    endpoints.sort_by_key(|e| (rank(e.day.health), rank(e.week.health)));
    Ok(Json(Dashboard { until: now, day, week, backlog, endpoints }))
}
