//! Replay: send one message to one endpoint again, now, by hand. The
//! delivery must have ended (delivered, or failed after its last retry); the
//! attempt is logged as manual. A success leaves the delivery delivered; a
//! failure leaves it as it was. Replaying publishes nothing, so no event id
//! deduplication can swallow it. `?only_failed=true` (as the portal asks)
//! refuses a delivery that is delivered by now.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::Json;
use herald_core::delivery::DeliveryState;
use herald_core::EndpointId;
use herald_store::{Attempt, NextState};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::messages::{self, AttemptView};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(replay))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ReplayQuery {
    /// Replay only a failed delivery: a delivered one answers 409.
    only_failed: Option<bool>,
}

/// How long past the delivery timeout the replay's lease lasts.
const LEASE_MARGIN: Duration = Duration::from_secs(10);

#[utoipa::path(post, path = "/apps/{app}/messages/{message}/endpoints/{endpoint}/replay", tag = "delivery log",
    summary = "Send a message to one endpoint again, now (a manual attempt, logged as such)",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"),
           ("message" = String, Path, description = "the message id (`msg_...`)"),
           ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)"), ReplayQuery),
    responses((status = 200, description = "the attempt made, successful or not", body = AttemptView),
              crate::api::openapi::Errors,
              (status = 409, description = "Nothing to send now: the delivery is still scheduled or being attempted (replay it once it has ended), the endpoint is disabled, or (with `only_failed`) it was delivered since.", body = crate::api::openapi::ErrorBody)))]
async fn replay(
    State(state): State<AppState>,
    Path((app, message, endpoint)): Path<(String, String, String)>,
    ApiQuery(q): ApiQuery<ReplayQuery>,
) -> ApiResult<Json<AttemptView>> {
    let msg = messages::resolve(&state, &app, &message).await?;
    let ep = EndpointId::parse(&endpoint).map_err(|_| ApiError::not_found("endpoint"))?;
    if q.only_failed == Some(true) {
        let deliveries = state.store.message_deliveries(&msg.app_id, &msg.id).await?;
        if deliveries.iter().any(|d| d.endpoint_id == ep && d.state == DeliveryState::Delivered) {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "already_delivered",
                "this delivery has been delivered since; there is nothing to send again",
            ));
        }
    }
    let now = state.clock.now();
    let lease = state.sender.timeout.saturating_mul(2) + LEASE_MARGIN;
    let leased = state.store.lease_for_replay(&msg.app_id, &msg.id, &ep, rand::random(), now, now.plus(lease)).await?;
    let mut outcome = state.sender.deliver(leased.claimed).await;
    let Some((attempt_id, record)) = outcome.attempt.clone() else {
        // Nothing was sent (the endpoint is disabled): give the lease back.
        outcome.next = NextState::Released;
        let why = outcome.error.clone().unwrap_or_else(|| "not sent".into());
        state.store.settle(&[outcome], state.clock.now()).await?;
        return Err(ApiError::new(axum::http::StatusCode::CONFLICT, "conflict", why));
    };
    outcome.next = if record.success || leased.was_delivered { NextState::Delivered } else { NextState::Failed };
    outcome.replay_of = Some(if leased.was_delivered { DeliveryState::Delivered } else { DeliveryState::Failed });
    state.store.settle(std::slice::from_ref(&outcome), state.clock.now()).await?;
    state.store.mark_attempt_manual(&attempt_id).await?;
    let attempt = Attempt {
        id: attempt_id,
        app_id: outcome.app_id,
        msg_id: outcome.msg_id,
        endpoint_id: outcome.endpoint_id,
        record,
        manual: true,
    };
    Ok(Json(attempt.into()))
}
