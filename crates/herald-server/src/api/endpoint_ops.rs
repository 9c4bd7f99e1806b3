//! Operating an endpoint: its health in the API view, enabling it again
//! (optionally re-sending what failed meanwhile) and rotating its secret.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::Json;
use herald_core::{RecoveryId, Timestamp};
use herald_store::{Endpoint, EndpointHealth, EndpointPatch, NewRecovery};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::endpoints::{new_secret, resolve, EndpointView, Signing};
use super::recoveries::RecoveryView;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(enable_endpoint)).routes(routes!(rotate_secret))
}

/// An endpoint's failing streak: consecutive failed attempts since the
/// last success, and the deliveries that used up their retries meanwhile.
#[derive(Serialize, ToSchema)]
pub(super) struct HealthView {
    consecutive_failures: u64,
    #[schema(value_type = Option<String>, format = DateTime)]
    failing_since: Option<Timestamp>,
    /// Deliveries exhausted during the streak.
    exhausted_deliveries: u64,
    #[schema(value_type = Option<String>, format = DateTime)]
    last_failure_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    last_success_at: Option<Timestamp>,
    last_error: Option<String>,
    /// When the owner was emailed a warning about this streak.
    #[schema(value_type = Option<String>, format = DateTime)]
    warned_at: Option<Timestamp>,
}

impl From<EndpointHealth> for HealthView {
    fn from(h: EndpointHealth) -> Self {
        Self {
            consecutive_failures: h.streak.consecutive_failures,
            failing_since: h.streak.failing_since,
            exhausted_deliveries: h.streak.exhausted,
            last_failure_at: h.last_failure_at,
            last_success_at: h.last_success_at,
            last_error: h.last_error,
            warned_at: h.warned_at,
        }
    }
}

impl EndpointView {
    pub(super) fn with_health(mut self, h: Option<EndpointHealth>) -> Self {
        self.health = h.map(HealthView::from);
        self
    }
}

/// The endpoint's API view with its health.
pub(super) async fn view(state: &AppState, ep: Endpoint) -> ApiResult<EndpointView> {
    let mut health = state.store.endpoint_health(&ep.app_id, std::slice::from_ref(&ep.id)).await?;
    let h = health.remove(ep.id.as_str());
    let app = state.store.get_app(ep.app_id.as_str()).await?;
    let effective = super::policy::PolicyView::of(&state.sender, app.profile.as_ref(), ep.profile.as_ref());
    let mut view = EndpointView::from(ep).with_health(h);
    view.effective = Some(effective);
    Ok(view)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct EnableEndpoint {
    /// Also re-queue the deliveries that failed since the endpoint started
    /// failing (or was disabled), as a bulk recovery job.
    #[serde(default)]
    recover: bool,
}

#[derive(Serialize, ToSchema)]
struct Enabled {
    endpoint: EndpointView,
    /// The recovery job, when `recover` was asked for.
    recovery: Option<RecoveryView>,
}

#[utoipa::path(post, path = "/apps/{app}/endpoints/{endpoint}/enable", tag = "endpoints",
    summary = "Enable an endpoint again, optionally re-sending what failed while it was failing or disabled",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)")),
    request_body = EnableEndpoint,
    responses((status = 200, description = "enabled", body = Enabled), crate::api::openapi::Errors))]
async fn enable_endpoint(
    State(state): State<AppState>,
    Path((app, ep)): Path<(String, String)>,
    ApiJson(body): ApiJson<EnableEndpoint>,
) -> ApiResult<Json<Enabled>> {
    let ep = resolve(&state, &app, &ep).await?;
    let health = state.store.endpoint_health(&ep.app_id, std::slice::from_ref(&ep.id)).await?;
    let failing_since = health.get(ep.id.as_str()).and_then(|h| h.streak.failing_since);
    let since = [failing_since, ep.disabled_at].into_iter().flatten().min_by_key(|t| t.as_millis());
    let now = state.clock.now();
    let patch = EndpointPatch { disabled: Some(false), ..EndpointPatch::default() };
    let updated = state.store.update_endpoint(&ep.app_id, &ep.id, patch, now).await?;
    let recovery = match (body.recover, since) {
        (true, Some(since)) => {
            let new = NewRecovery {
                id: RecoveryId::generate(now.as_millis()),
                app_id: ep.app_id.clone(),
                endpoint: Some(ep.id.clone()),
                event_types: None,
                since,
                until: None,
            };
            Some(state.store.create_recovery(&new, now).await?.into())
        }
        _ => None,
    };
    state.wake.notify_one();
    Ok(Json(Enabled { endpoint: view(&state, updated).await?, recovery }))
}

/// The longest grace period a rotation may give the old secret.
const MAX_GRACE: Duration = Duration::from_secs(30 * 86_400);

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct RotateSecret {
    /// The new secret (`whsec_…` for HMAC, `whsk_…` for ed25519);
    /// generated when absent. Rotating from one kind to the other signs
    /// with both (`v1,` and `v1a,`) during the grace period.
    #[schema(value_type = Option<super::formats::SecretText>)]
    key: Option<String>,
    /// The kind of secret to generate when `key` is absent (default: the
    /// current secret's kind).
    signing: Option<Signing>,
    /// How long the old secret keeps signing beside the new one (default
    /// 86400, a day; 0 ends it at once; at most 30 days).
    #[schema(maximum = 2_592_000)]
    grace_period_secs: Option<u64>,
}

#[derive(Serialize, ToSchema)]
struct Rotated {
    /// The new secret.
    key: String,
    /// With an ed25519 secret: its public key (`whpk_…`).
    public_key: Option<String>,
    /// Until when deliveries also carry the old secret's signature.
    #[schema(value_type = Option<String>, format = DateTime)]
    previous_secret_until: Option<Timestamp>,
}

#[utoipa::path(post, path = "/apps/{app}/endpoints/{endpoint}/secret/rotate", tag = "endpoints",
    summary = "Rotate an endpoint's signing secret, keeping the old one valid for a grace period",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)")),
    request_body = RotateSecret,
    responses((status = 200, description = "rotated", body = Rotated), crate::api::openapi::Errors,
              (status = 409, description = "The key is the endpoint's current secret.", body = crate::api::openapi::ErrorBody)))]
async fn rotate_secret(
    State(state): State<AppState>,
    Path((app, ep)): Path<(String, String)>,
    ApiJson(body): ApiJson<RotateSecret>,
) -> ApiResult<Json<Rotated>> {
    let ep = resolve(&state, &app, &ep).await?;
    let signing = body.signing.or(Some(Signing::of(&ep.secret)).filter(|_| body.key.is_none()));
    let secret = new_secret("key", body.key.as_deref(), signing)?;
    if secret.expose() == ep.secret.expose() {
        // A fact about the endpoint now, not about the request: 409.
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "conflict",
            "key: is the endpoint's current secret; rotate to another one",
        ));
    }
    let grace = Duration::from_secs(body.grace_period_secs.unwrap_or(86_400));
    if grace > MAX_GRACE {
        return Err(ApiError::validation("grace_period_secs", "at most 2592000 (30 days)"));
    }
    let now = state.clock.now();
    let rotated = state.store.rotate_secret(&ep.app_id, &ep.id, secret, now.plus(grace), now).await?;
    Ok(Json(Rotated {
        key: rotated.secret.expose().to_owned(),
        public_key: rotated.secret.public_key(),
        previous_secret_until: rotated.previous_secret.map(|(_, until)| until),
    }))
}
