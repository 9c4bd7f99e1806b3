//! Delivery statistics per application and per endpoint over a window:
//! attempts, successes, failed deliveries, success rate, average and p95
//! response time, retries, and the backlog now. Read from the per-minute
//! rollups every settle adds to (`herald_store::stats`).

use std::time::Duration;

use axum::extract::{Path, State};
use axum::Json;
use herald_core::{EndpointId, Timestamp};
use herald_store::stats::Totals;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{apps, time};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(app_stats)).routes(routes!(endpoint_stats))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct StatsQuery {
    /// `hour`, `day` (the default) or `week`, ending at `until`; `since`,
    /// when given, takes its place.
    #[param(value_type = Option<super::formats::StatsWindow>)]
    window: Option<String>,
    /// Start of the window (RFC 3339; minute granularity). At or after
    /// `until`, the window is empty: its figures are zeros.
    #[param(format = DateTime)]
    since: Option<String>,
    /// End of the window (RFC 3339); default now.
    #[param(format = DateTime)]
    until: Option<String>,
    /// Also split the window into this many equal parts (1 to 96), each
    /// with its attempts, deliveries and failures: the `series`.
    #[param(minimum = 1, maximum = 96)]
    buckets: Option<u32>,
}

/// One part of the window.
#[derive(Serialize, ToSchema)]
struct BucketView {
    #[schema(value_type = String, format = DateTime)]
    since: Timestamp,
    /// Requests made.
    attempts: u64,
    /// Deliveries that reached delivered.
    delivered: u64,
    /// Deliveries that ended failed and are failed still.
    failed: u64,
}

/// The window cut into `buckets` parts, from one read of its minutes.
async fn series(
    state: &AppState,
    app: &herald_core::AppId,
    endpoint: Option<&EndpointId>,
    (since, until): (Timestamp, Timestamp),
    buckets: Option<u32>,
) -> ApiResult<Option<Vec<BucketView>>> {
    let Some(n) = buckets else { return Ok(None) };
    if !(1..=96).contains(&n) {
        return Err(ApiError::validation("buckets", "must be between 1 and 96"));
    }
    // Rollups are per minute: parts start on whole minutes, so each minute
    // falls in exactly one; the last part runs to `until`.
    let (from, span) = (since.as_millis(), until.as_millis() - since.as_millis());
    let starts: Vec<i64> = (0..i64::from(n))
        .map(|i| {
            let at = from + span * i / i64::from(n);
            at - at.rem_euclid(60_000)
        })
        .collect();
    // Net counts per part (a failure undone later counts where it was undone).
    let mut sums = vec![(0_u64, 0_i64, 0_i64); starts.len()];
    for m in state.store.stats_per_minute(app, endpoint, since, until).await? {
        // The last part starting at or before this minute.
        let Some(part) = starts.partition_point(|s| *s <= m.minute).checked_sub(1) else { continue };
        let b = &mut sums[part];
        b.0 += m.attempts;
        b.1 += m.delivered;
        b.2 += m.failures;
    }
    let clamp = |n: i64| u64::try_from(n).unwrap_or(0);
    let out = starts
        .iter()
        .zip(sums)
        .map(|(s, (attempts, delivered, failed))| BucketView {
            since: Timestamp::from_millis(*s),
            attempts,
            delivered: clamp(delivered),
            failed: clamp(failed),
        })
        .collect();
    Ok(Some(out))
}

/// A window's figures.
#[derive(Serialize, ToSchema)]
struct StatsView {
    #[schema(value_type = String, format = DateTime)]
    since: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    until: Timestamp,
    /// Requests made (attempts), the worker's and replays.
    attempts: u64,
    /// Attempts answered with a success status (any 2xx, or exactly the
    /// profile's `success_status`).
    attempts_succeeded: u64,
    /// Attempts that were not: another status, a timeout, a refused
    /// connection.
    attempts_failed: u64,
    /// Deliveries (one message to one endpoint) that reached delivered in
    /// the window, each counted once: a replay of a delivered one does not
    /// count again. With `failed`, the same count as the delivery log's.
    delivered: u64,
    /// Deliveries that ended failed in the window (out of retries, or not
    /// sendable) and are failed still: one a replay delivered, or a
    /// recovery re-queued, is not counted.
    failed: u64,
    /// attempts_succeeded / attempts; null without attempts.
    success_rate: Option<f64>,
    avg_response_ms: Option<f64>,
    /// Upper bound of the latency bucket holding the 95th percentile
    /// (buckets: 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000 ms).
    p95_response_ms: Option<u64>,
    /// Attempts after a delivery's first.
    retries: u64,
    /// Deliveries waiting now (pending or retrying).
    backlog: u64,
    /// With `buckets`: the window part by part, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    series: Option<Vec<BucketView>>,
}

impl StatsView {
    fn new(since: Timestamp, until: Timestamp, t: &Totals) -> Self {
        Self {
            since,
            until,
            attempts: t.attempts,
            attempts_succeeded: t.successes,
            attempts_failed: t.attempts.saturating_sub(t.successes),
            delivered: t.delivered,
            failed: t.failures,
            success_rate: t.success_rate(),
            avg_response_ms: t.average_latency_ms(),
            p95_response_ms: t.p95_latency_ms(),
            retries: t.retries,
            backlog: t.backlog,
            series: None,
        }
    }
}

fn window(state: &AppState, q: &StatsQuery) -> Result<(Timestamp, Timestamp), ApiError> {
    let until = match q.until.as_deref() {
        Some(u) => time("until", u)?,
        None => state.clock.now(),
    };
    let length = match q.window.as_deref().unwrap_or("day") {
        "hour" => Duration::from_secs(3_600),
        "day" => Duration::from_secs(86_400),
        "week" => Duration::from_secs(7 * 86_400),
        _ => return Err(ApiError::validation("window", "must be hour, day or week")),
    };
    let since = match q.since.as_deref() {
        // An explicit start is more precise than a named length: it wins.
        Some(s) => time("since", s)?,
        None => Timestamp::from_millis(until.as_millis() - i64::try_from(length.as_millis()).unwrap_or(0)),
    };
    // A window that ends before it starts holds nothing: it is read as the
    // empty window at `until` (zeros), as a client computing one expects.
    Ok((Timestamp::from_millis(since.as_millis().min(until.as_millis())), until))
}

#[utoipa::path(get, path = "/apps/{app}/stats", tag = "delivery log", summary = "Delivery statistics of an application over a window",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), StatsQuery),
    responses((status = 200, description = "OK", body = StatsView), crate::api::openapi::Errors))]
async fn app_stats(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<StatsView>> {
    let app = apps::resolve(&state, &app).await?;
    let (since, until) = window(&state, &q)?;
    let t = state.store.stats(&app.id, None, since, until).await?;
    let series = series(&state, &app.id, None, (since, until), q.buckets).await?;
    Ok(Json(StatsView { series, ..StatsView::new(since, until, &t) }))
}

#[utoipa::path(get, path = "/apps/{app}/endpoints/{endpoint}/stats", tag = "delivery log", summary = "Delivery statistics of an endpoint over a window",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)"), StatsQuery),
    responses((status = 200, description = "OK", body = StatsView), crate::api::openapi::Errors))]
async fn endpoint_stats(
    State(state): State<AppState>,
    Path((app, endpoint)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<StatsView>> {
    let app = apps::resolve(&state, &app).await?;
    let id = EndpointId::parse(&endpoint).map_err(|_| ApiError::not_found("endpoint"))?;
    state.store.get_endpoint(&app.id, &id).await?;
    let (since, until) = window(&state, &q)?;
    let t = state.store.stats(&app.id, Some(&id), since, until).await?;
    let series = series(&state, &app.id, Some(&id), (since, until), q.buckets).await?;
    Ok(Json(StatsView { series, ..StatsView::new(since, until, &t) }))
}
