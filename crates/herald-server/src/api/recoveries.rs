//! Bulk recovery: re-queue the failed deliveries of an application (or one
//! endpoint) since a time, as a background job stored in the database.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use herald_core::event_type::EventTypeName;
use herald_core::{EndpointId, RecoveryId, Timestamp};
use herald_store::{NewRecovery, Recovery};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{apps, opt_time, time, ListQuery, ListResponse};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_recoveries, create_recovery))
        .routes(routes!(get_recovery))
        .routes(routes!(cancel_recovery))
}

/// A recovery job and its progress.
#[derive(Serialize, ToSchema)]
pub(super) struct RecoveryView {
    #[schema(value_type = String)]
    id: RecoveryId,
    /// `queued`, `running`, `done` or `cancelled`.
    status: &'static str,
    #[schema(value_type = Option<String>)]
    endpoint_id: Option<EndpointId>,
    event_types: Option<Vec<String>>,
    #[schema(value_type = String, format = DateTime)]
    since: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    until: Option<Timestamp>,
    /// Failed deliveries the job covers (counted when it was made).
    total: u64,
    /// Re-queued so far.
    done: u64,
    /// The node running it.
    runner: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    finished_at: Option<Timestamp>,
}

impl From<Recovery> for RecoveryView {
    fn from(r: Recovery) -> Self {
        Self {
            id: r.id,
            status: r.state.as_str(),
            endpoint_id: r.endpoint,
            event_types: r.event_types,
            since: r.since,
            until: r.until,
            total: r.total,
            done: r.done,
            runner: r.runner,
            created_at: r.created_at,
            updated_at: r.updated_at,
            finished_at: r.finished_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"since": "2026-11-30T00:00:00Z", "event_types": ["invoice.paid"]}))]
struct CreateRecovery {
    /// Failed deliveries whose last attempt was at or after this time (RFC 3339).
    #[schema(value_type = super::formats::TimeText)]
    since: String,
    /// ... and before this time (at or before `since`: nothing to re-queue).
    #[schema(value_type = Option<super::formats::TimeText>)]
    until: Option<String>,
    /// Only this endpoint's (`ep_...`); none: the whole application's.
    #[schema(value_type = Option<super::formats::EndpointIdText>)]
    endpoint: Option<String>,
    /// Only messages of these event types (exact names), 1 to 256.
    #[schema(value_type = Option<Vec<super::formats::EventTypeText>>, min_items = 1, max_items = 256)]
    event_types: Option<Vec<String>>,
}

#[utoipa::path(post, path = "/apps/{app}/recoveries", tag = "delivery log",
    summary = "Re-queue failed deliveries since a time, as a background job",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid")),
    request_body = CreateRecovery,
    responses((status = 202, description = "queued; poll it for progress", body = RecoveryView), crate::api::openapi::Errors))]
async fn create_recovery(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiJson(body): ApiJson<CreateRecovery>,
) -> ApiResult<(StatusCode, Json<RecoveryView>)> {
    let app = apps::resolve(&state, &app).await?;
    let since = time("since", &body.since)?;
    let until = opt_time("until", body.until.as_deref())?;
    let endpoint = match body.endpoint.as_deref() {
        None => None,
        Some(e) => {
            let id = EndpointId::parse(e).map_err(|err| ApiError::validation("endpoint", err))?;
            // Names nothing that exists: 404, as a path naming it would.
            state.store.get_endpoint(&app.id, &id).await?;
            Some(id)
        }
    };
    if let Some(types) = &body.event_types {
        if types.is_empty() || types.len() > 256 {
            return Err(ApiError::validation("event_types", "1 to 256 names; leave it out for every type"));
        }
        for t in types {
            EventTypeName::parse(t).map_err(|e| ApiError::validation("event_types", e))?;
        }
    }
    let now = state.clock.now();
    let new = NewRecovery {
        id: RecoveryId::generate(now.as_millis()),
        app_id: app.id,
        endpoint,
        event_types: body.event_types,
        since,
        until,
    };
    let job = state.store.create_recovery(&new, now).await?;
    Ok((StatusCode::ACCEPTED, Json(job.into())))
}

#[utoipa::path(get, path = "/apps/{app}/recoveries", tag = "delivery log", summary = "List recovery jobs, newest first",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), super::ListQuery),
    responses((status = 200, description = "OK", body = super::ListResponse<RecoveryView>), crate::api::openapi::Errors))]
async fn list_recoveries(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListResponse<RecoveryView>>> {
    let app = apps::resolve(&state, &app).await?;
    let page = state.store.list_recoveries(&app.id, q.page()?).await?;
    Ok(Json(ListResponse::from_page(page, RecoveryView::from)))
}

fn recovery_id(s: &str) -> ApiResult<RecoveryId> {
    RecoveryId::parse(s).map_err(|_| ApiError::not_found("recovery"))
}

#[utoipa::path(get, path = "/apps/{app}/recoveries/{recovery}", tag = "delivery log", summary = "A recovery job and its progress",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("recovery" = String, Path, description = "the job id (`rcv_...`)")),
    responses((status = 200, description = "OK", body = RecoveryView), crate::api::openapi::Errors))]
async fn get_recovery(
    State(state): State<AppState>,
    Path((app, id)): Path<(String, String)>,
) -> ApiResult<Json<RecoveryView>> {
    let app = apps::resolve(&state, &app).await?;
    Ok(Json(state.store.get_recovery(&app.id, &recovery_id(&id)?).await?.into()))
}

#[utoipa::path(post, path = "/apps/{app}/recoveries/{recovery}/cancel", tag = "delivery log",
    summary = "Cancel a recovery job (what it re-queued stays queued)",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("recovery" = String, Path, description = "the job id (`rcv_...`)")),
    responses((status = 200, description = "OK", body = RecoveryView), crate::api::openapi::Errors))]
async fn cancel_recovery(
    State(state): State<AppState>,
    Path((app, id)): Path<(String, String)>,
) -> ApiResult<Json<RecoveryView>> {
    let app = apps::resolve(&state, &app).await?;
    let job = state.store.cancel_recovery(&app.id, &recovery_id(&id)?, state.clock.now()).await?;
    Ok(Json(job.into()))
}
