//! Endpoints: where an application's events go, with a filter, headers and a
//! signing secret.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use herald_core::delivery::VerifyState;
use herald_core::endpoint::{CustomHeaders, EndpointSecret, EndpointUrl};
use herald_core::event_type::EventTypeName;
use herald_core::event_type::{EventFilter, EventPattern};
use herald_core::profile::Profile;
use herald_core::secret::SecretKind;
use herald_core::MessageId;
use herald_core::{AppId, EndpointId, Timestamp};
use herald_store::{Application, AttemptFilter, Endpoint, EndpointPatch, NewEndpoint, NewMessage};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::apps::check_credential;
use super::endpoint_auth::{self, OAuth2Input, OAuth2View, TlsInput, TlsView};
use super::formats::{EventPatternText, EventTypeText, SecretText};
use super::messages::AttemptView;
use super::{apps, check_metadata, check_profile, check_text, nullable, ListQuery, ListResponse};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_optional_json, ApiJson, ApiQuery};
use crate::state::AppState;
use crate::worker::{effective_profile, handshake};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_endpoints, create_endpoint))
        .routes(routes!(get_endpoint, update_endpoint, delete_endpoint))
        .routes(routes!(get_endpoint_secret))
        .routes(routes!(list_endpoint_attempts))
        .routes(routes!(verify_endpoint))
        .routes(routes!(send_test_event))
}

#[derive(Serialize, ToSchema)]
pub(super) struct EndpointView {
    #[schema(value_type = String)]
    id: EndpointId,
    #[schema(value_type = String)]
    app_id: AppId,
    #[schema(value_type = String)]
    url: EndpointUrl,
    description: String,
    /// `null` = every event type.
    event_types: Option<Vec<String>>,
    disabled: bool,
    /// Why Herald disabled it (a 410, the auto-disable rule); `null` when
    /// enabled or disabled by hand.
    disabled_reason: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    disabled_at: Option<Timestamp>,
    headers: BTreeMap<String, String>,
    #[schema(value_type = Object)]
    metadata: Value,
    #[schema(value_type = Option<Profile>)]
    profile: Option<Profile>,
    has_credential: bool,
    /// The verification handshake, when the profile asks for one: an
    /// endpoint receives events only once `verified`.
    verification: Option<VerificationView>,
    /// During a secret rotation's grace period: until when the previous
    /// secret still signs (a second `v1,` signature).
    #[schema(value_type = Option<String>, format = DateTime)]
    previous_secret_until: Option<Timestamp>,
    /// How deliveries are signed: `hmac-sha256` (`v1,`, a `whsec_`
    /// secret) or `ed25519` (`v1a,`, a `whsk_` secret key).
    #[schema(value_type = String)]
    signing: Signing,
    /// With `ed25519`: the public key (`whpk_…`) receivers verify with.
    public_key: Option<String>,
    /// When this temporary endpoint deletes itself; `null`: never.
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<Timestamp>,
    /// OAuth2 client credentials in use (the client secret is not shown).
    oauth2: Option<OAuth2View>,
    /// TLS settings in use (the private key is not shown).
    tls: Option<TlsView>,
    /// Held: deliveries are queued but wait, using no attempts, until it is
    /// resumed (`PATCH {"paused": false}`).
    paused: bool,
    /// The limits in force, from the effective profile (the application's
    /// with the endpoint's on top); `null` when there are none.
    flow: Option<FlowView>,
    /// The application's profile sets a rate (`app_rate_limit`) this
    /// endpoint shares with its other endpoints.
    app_rate_limited: bool,
    /// An open circuit (the profile's `circuit_breaker`): due deliveries
    /// wait, using no attempts, until `open_until`; then one probe goes out
    /// and a success closes it. `null` when closed.
    circuit: Option<CircuitView>,
    /// The failing streak and last outcomes (`null` before any attempt).
    pub(super) health: Option<super::endpoint_ops::HealthView>,
    /// What will happen to its deliveries: the policy in force (retries,
    /// timeout, success statuses, signing, auto-disable), from the
    /// application's profile, this endpoint's and the server's settings.
    /// Shown for a single endpoint; `null` in lists.
    pub(super) effective: Option<super::policy::PolicyView>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
}

#[derive(Serialize, ToSchema)]
struct CircuitView {
    #[schema(value_type = String, format = DateTime)]
    open_until: Timestamp,
    reason: String,
}

#[derive(Serialize, ToSchema)]
struct FlowView {
    /// Deliveries per second, every node together.
    rate_limit: Option<f64>,
    /// How many may go out at once after a quiet spell.
    burst: Option<i64>,
    /// Most deliveries in flight at once, every node together.
    max_in_flight: Option<i64>,
    /// `fifo`: in order per ordering key; `null`: as fast as allowed.
    ordering: Option<&'static str>,
}

impl From<herald_core::flow::Gate> for FlowView {
    fn from(g: herald_core::flow::Gate) -> Self {
        // Stored rates are at most 1e8 milli-deliveries per second: exact in an f64.
        #[allow(clippy::cast_precision_loss)]
        let rate_limit = g.rate_milli.map(|r| r as f64 / 1000.0);
        Self {
            rate_limit,
            burst: g.rate_milli.map(|_| g.burst),
            max_in_flight: g.max_in_flight,
            ordering: g.fifo.then_some("fifo"),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct VerificationView {
    #[schema(value_type = String)]
    status: VerifyState,
    error: Option<String>,
}

impl From<Endpoint> for EndpointView {
    fn from(e: Endpoint) -> Self {
        Self {
            id: e.id,
            app_id: e.app_id,
            url: e.url,
            description: e.description,
            event_types: e.filter.to_list(),
            disabled: e.disabled,
            disabled_reason: e.disabled_reason,
            disabled_at: e.disabled_at,
            headers: e.headers.as_map().clone(),
            metadata: e.metadata,
            profile: e.profile,
            has_credential: e.credential.is_some(),
            verification: e.verification.map(|(status, error)| VerificationView { status, error }),
            previous_secret_until: e.previous_secret.map(|(_, until)| until),
            signing: Signing::of(&e.secret),
            public_key: e.secret.public_key(),
            expires_at: e.expires_at,
            oauth2: OAuth2View::of(e.auth.as_ref()),
            tls: TlsView::of(e.auth.as_ref()),
            paused: e.paused,
            flow: e.gate.map(FlowView::from),
            app_rate_limited: e.app_rate,
            circuit: e.circuit.map(|(open_until, reason)| CircuitView { open_until, reason }),
            health: None,
            effective: None,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

fn view_profile(view: &EndpointView) -> Option<&Profile> {
    view.profile.as_ref()
}

/// An endpoint's own profile: any field but the application's shared rate.
fn check_endpoint_profile(v: Value) -> Result<Profile, ApiError> {
    let p = check_profile("profile", v)?;
    if p.app_rate_limit.is_some() {
        return Err(ApiError::validation(
            "profile.app_rate_limit",
            "is shared by all of an application's endpoints: set it on the application's profile",
        ));
    }
    Ok(p)
}

/// How long saving an endpoint waits for its host to resolve; a slower
/// answer lets it through (every delivery checks again).
const RESOLVE_ON_SAVE: std::time::Duration = std::time::Duration::from_secs(5);

/// A URL deliveries may reach, as its host resolves now: a host whose
/// every address is refused (loopback, private, ...) answers 422 naming
/// the range and, to an operator, the setting that opens it; to a customer
/// (an application-scoped token, as in the portal) what to do instead.
pub(super) async fn deliverable_url(
    state: &AppState,
    customer: bool,
    field: &str,
    s: &str,
) -> Result<EndpointUrl, ApiError> {
    let url = EndpointUrl::parse(s).map_err(|e| ApiError::validation(field, e))?;
    if let Ok(Some((why, refusal))) = tokio::time::timeout(RESOLVE_ON_SAVE, state.sender.client.refusal(&url)).await {
        return Err(ApiError::validation(field, if customer { refusal.for_customers() } else { why }));
    }
    Ok(url)
}

/// Whether the caller is a customer (an application-scoped token).
fn is_customer(principal: Option<&Extension<Principal>>) -> bool {
    matches!(principal, Some(Extension(Principal::App(_))))
}

fn parse_filter(list: Option<Vec<String>>) -> Result<EventFilter, ApiError> {
    let Some(list) = list else { return Ok(EventFilter::All) };
    if list.is_empty() {
        return Err(ApiError::validation("event_types", "must not be empty; leave it out (or null) for every event"));
    }
    if list.len() > 256 {
        return Err(ApiError::validation("event_types", "at most 256 entries"));
    }
    let patterns = list
        .iter()
        .map(|s| EventPattern::parse(s).map_err(|e| ApiError::validation("event_types", e)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EventFilter::Only(patterns))
}

fn parse_headers(h: Option<BTreeMap<String, String>>) -> Result<CustomHeaders, ApiError> {
    CustomHeaders::parse(h.unwrap_or_default()).map_err(|e| ApiError::validation("headers", e))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://hooks.acme.example/herald", "description": "production", "event_types": ["referral.*"]}))]
struct CreateEndpoint {
    /// Where deliveries go: http(s) to a host name (the server also takes
    /// an IP address literal), whose addresses deliveries may reach.
    #[schema(format = "uri", min_length = 1)]
    url: String,
    #[serde(default)]
    #[schema(max_length = 4096)]
    description: String,
    /// Event types (or patterns with `*`) it receives; none: every type.
    #[schema(min_items = 1, max_items = 256, value_type = Option<Vec<EventPatternText>>)]
    event_types: Option<Vec<String>>,
    #[serde(default)]
    disabled: bool,
    /// Created held: deliveries queue up until it is resumed.
    #[serde(default)]
    paused: bool,
    headers: Option<BTreeMap<String, String>>,
    /// `whsec_…` (HMAC) or `whsk_…` (ed25519); generated when absent.
    #[schema(value_type = Option<SecretText>)]
    secret: Option<String>,
    /// The kind of secret to generate when `secret` is absent (default
    /// `hmac-sha256`).
    signing: Option<Signing>,
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
    #[schema(value_type = Option<Profile>)]
    profile: Option<Value>,
    #[schema(pattern = "^[ -~]{1,4096}$")]
    credential: Option<String>,
    /// OAuth2 client credentials: a bearer token on every request.
    oauth2: Option<OAuth2Input>,
    /// A client certificate (mutual TLS) and CAs to trust.
    tls: Option<TlsInput>,
    /// A temporary endpoint: deleted by itself this many seconds from now
    /// (1 to 2592000) unless extended by an update.
    #[schema(minimum = 1, maximum = 2_592_000)]
    expires_in_secs: Option<u64>,
}

/// With a profile that asks for unique URLs: the application's endpoint
/// with this URL, if it has one.
async fn existing_with_url(state: &AppState, app: &AppId, url: &str) -> ApiResult<Option<Endpoint>> {
    let mut before = None;
    loop {
        let page = state.store.list_endpoints(app, herald_store::PageRequest { limit: 250, before }).await?;
        if let Some(ep) = page.items.into_iter().find(|e| e.url.as_str() == url) {
            return Ok(Some(ep));
        }
        match page.next_cursor {
            Some(c) => before = Some(c),
            None => return Ok(None),
        }
    }
}

#[utoipa::path(post, path = "/apps/{app}/endpoints", tag = "endpoints", summary = "Create an endpoint", params(("app" = String, Path, description = "the application id (`app_...`) or uid")), request_body = CreateEndpoint, responses((status = 201, description = "created", body = EndpointView), (status = 200, description = "with a profile asking for `unique_urls`: the application's endpoint that already has this URL, as it is", body = EndpointView), crate::api::openapi::Errors))]
async fn create_endpoint(
    State(state): State<AppState>,
    Path(app): Path<String>,
    principal: Option<Extension<Principal>>,
    ApiJson(body): ApiJson<CreateEndpoint>,
) -> ApiResult<(StatusCode, Json<EndpointView>)> {
    let app = apps::resolve(&state, &app).await?;
    check_text("description", &body.description, 4096, true)?;
    let url = deliverable_url(&state, is_customer(principal.as_ref()), "url", &body.url).await?;
    let profile = body.profile.map(check_endpoint_profile).transpose()?;
    let effective = Profile::effective(app.profile.as_ref(), profile.as_ref());
    if effective.unique_urls == Some(true) {
        if let Some(existing) = existing_with_url(&state, &app.id, url.as_str()).await? {
            return Ok((StatusCode::OK, Json(existing.into())));
        }
    }
    let server_cap = state.limits.endpoints_per_app;
    let app_cap = app.profile.as_ref().and_then(|p| p.max_endpoints).map(u64::from).filter(|c| *c < server_cap);
    let cap = app_cap.unwrap_or(server_cap);
    if state.store.count_endpoints(&app.id).await? >= cap {
        let (what, setting) = match app_cap {
            Some(_) => ("endpoint", "its profile's max_endpoints"),
            None => ("endpoints", "limits.endpoints_per_app"),
        };
        let count = if cap == 1 { format!("1 {what}") } else { format!("{cap} endpoints") };
        let why = if is_customer(principal.as_ref()) {
            format!("this application already has {count}, the most it may have; change or remove one instead")
        } else {
            format!("this application already has {count}, the most allowed ({setting})")
        };
        return Err(ApiError::validation("url", why));
    }
    let signing = body.signing.or(effective.signing.map(Signing::from_kind).filter(|_| body.secret.is_none()));
    let secret = new_secret("secret", body.secret.as_deref(), signing)?;
    let now = state.clock.now();
    let new = NewEndpoint {
        id: EndpointId::generate(now.as_millis()),
        url,
        description: body.description,
        filter: parse_filter(body.event_types)?,
        disabled: body.disabled,
        headers: parse_headers(body.headers)?,
        secret,
        metadata: check_metadata("metadata", body.metadata)?,
        profile,
        credential: body.credential.map(|c| check_credential(&c)).transpose()?,
        auth: endpoint_auth::merge(&state, None, body.oauth2.map(Some), body.tls.map(Some)).await?,
        expires_at: body.expires_in_secs.map(|s| expiry(now, s)).transpose()?,
        verification: effective.verification.as_ref().map(|_| (VerifyState::Pending, None)),
        paused: body.paused,
    };
    let ep = state.store.create_endpoint(&app.id, new, now).await?;
    let ep = run_verification(&state, &app, ep).await?;
    let mut view = EndpointView::from(ep);
    view.effective = Some(super::policy::PolicyView::of(&state.sender, app.profile.as_ref(), view_profile(&view)));
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/apps/{app}/endpoints", tag = "endpoints", summary = "List an application's endpoints", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), super::ListQuery), responses((status = 200, description = "OK", body = super::ListResponse<EndpointView>), crate::api::openapi::Errors))]
async fn list_endpoints(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListResponse<EndpointView>>> {
    let app = apps::resolve(&state, &app).await?;
    let page = state.store.list_endpoints(&app.id, q.page()?).await?;
    let ids: Vec<EndpointId> = page.items.iter().map(|e| e.id.clone()).collect();
    let mut health = state.store.endpoint_health(&app.id, &ids).await?;
    Ok(Json(ListResponse::from_page(page, |e| {
        let h = health.remove(e.id.as_str());
        EndpointView::from(e).with_health(h)
    })))
}

/// Resolves `{app}/endpoints/{endpoint}`; a malformed id is simply not found.
pub(super) async fn resolve(state: &AppState, app: &str, endpoint: &str) -> ApiResult<Endpoint> {
    Ok(resolve_with_app(state, app, endpoint).await?.1)
}

/// As `resolve`, keeping the application it read on the way.
async fn resolve_with_app(state: &AppState, app: &str, endpoint: &str) -> ApiResult<(Application, Endpoint)> {
    let app = apps::resolve(state, app).await?;
    let id = EndpointId::parse(endpoint).map_err(|_| ApiError::not_found("endpoint"))?;
    let ep = state.store.get_endpoint(&app.id, &id).await?;
    Ok((app, ep))
}

#[utoipa::path(get, path = "/apps/{app}/endpoints/{endpoint}", tag = "endpoints", summary = "Get an endpoint", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)")), responses((status = 200, description = "OK", body = EndpointView), crate::api::openapi::Errors))]
async fn get_endpoint(
    State(state): State<AppState>,
    Path((app, ep)): Path<(String, String)>,
) -> ApiResult<Json<EndpointView>> {
    let ep = resolve(&state, &app, &ep).await?;
    Ok(Json(super::endpoint_ops::view(&state, ep).await?))
}

#[utoipa::path(get, path = "/apps/{app}/endpoints/{endpoint}/secret", tag = "endpoints", summary = "Get an endpoint's signing secret", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)")), responses((status = 200, description = "OK", body = Object), crate::api::openapi::Errors))]
async fn get_endpoint_secret(
    State(state): State<AppState>,
    Path((app, ep)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let ep = resolve(&state, &app, &ep).await?;
    let mut view = json!({ "key": ep.secret.expose(), "signing": Signing::of(&ep.secret) });
    if let Some(public) = ep.secret.public_key() {
        view["public_key"] = public.into();
    }
    Ok(Json(view))
}

/// The longest an endpoint may be set to live (30 days).
const MAX_EXPIRY_SECS: u64 = 30 * 86_400;

fn expiry(now: Timestamp, secs: u64) -> ApiResult<Timestamp> {
    if !(1..=MAX_EXPIRY_SECS).contains(&secs) {
        return Err(ApiError::validation("expires_in_secs", "must be between 1 and 2592000 (30 days)"));
    }
    Ok(now.plus(std::time::Duration::from_secs(secs)))
}

/// How an endpoint's deliveries are signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Signing {
    /// HMAC-SHA256 with a `whsec_` secret: `v1,<base64>`.
    HmacSha256,
    /// ed25519 with a `whsk_` secret key: `v1a,<base64>`, verified with the
    /// `whpk_` public key.
    Ed25519,
}

impl Signing {
    pub(super) fn of(secret: &EndpointSecret) -> Self {
        Self::from_kind(secret.kind())
    }

    fn from_kind(kind: SecretKind) -> Self {
        match kind {
            SecretKind::Hmac => Self::HmacSha256,
            SecretKind::Ed25519 => Self::Ed25519,
        }
    }

    fn kind(self) -> SecretKind {
        match self {
            Self::HmacSha256 => SecretKind::Hmac,
            Self::Ed25519 => SecretKind::Ed25519,
        }
    }
}

/// The secret given in `field` (which must be of the `signing` kind when
/// both are given), or a new one of that kind.
pub(super) fn new_secret(field: &str, given: Option<&str>, signing: Option<Signing>) -> ApiResult<EndpointSecret> {
    let Some(text) = given else {
        return Ok(EndpointSecret::generate_kind(signing.map_or(SecretKind::Hmac, Signing::kind)));
    };
    let secret = EndpointSecret::parse(text).map_err(|e| ApiError::validation(field, e))?;
    if signing.is_some_and(|s| s.kind() != secret.kind()) {
        return Err(ApiError::validation("signing", format!("does not match the kind of `{field}` given")));
    }
    Ok(secret)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateEndpoint {
    #[schema(format = "uri", min_length = 1)]
    url: Option<String>,
    #[schema(max_length = 4096)]
    description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<EventPatternText>>, min_items = 1, max_items = 256)]
    event_types: Option<Option<Vec<String>>>,
    disabled: Option<bool>,
    /// Hold (`true`) or resume (`false`) its deliveries.
    paused: Option<bool>,
    headers: Option<BTreeMap<String, String>>,
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Profile>)]
    profile: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[ -~]{1,4096}$")]
    credential: Option<Option<String>>,
    /// Replaces the OAuth2 settings (`null` removes them); a left-out
    /// `client_secret` keeps the current one.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<OAuth2Input>)]
    oauth2: Option<Option<OAuth2Input>>,
    /// Replaces the TLS settings (`null` removes them); a left-out
    /// `client_key` keeps the current one.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<TlsInput>)]
    tls: Option<Option<TlsInput>>,
    /// Moves the expiry to this many seconds from now; `null`: never.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u64>, minimum = 1, maximum = 2_592_000)]
    expires_in_secs: Option<Option<u64>>,
}

#[utoipa::path(patch, path = "/apps/{app}/endpoints/{endpoint}", tag = "endpoints", summary = "Update an endpoint", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)")), request_body = UpdateEndpoint, responses((status = 200, description = "OK", body = EndpointView), crate::api::openapi::Errors))]
async fn update_endpoint(
    State(state): State<AppState>,
    Path((app, ep)): Path<(String, String)>,
    principal: Option<Extension<Principal>>,
    ApiJson(body): ApiJson<UpdateEndpoint>,
) -> ApiResult<Json<EndpointView>> {
    let ep = resolve(&state, &app, &ep).await?;
    if let Some(d) = &body.description {
        check_text("description", d, 4096, true)?;
    }
    let url = match body.url.as_deref() {
        Some(u) => Some(deliverable_url(&state, is_customer(principal.as_ref()), "url", u).await?),
        None => None,
    };
    let patch = EndpointPatch {
        url,
        description: body.description,
        filter: body.event_types.map(parse_filter).transpose()?,
        disabled: body.disabled,
        headers: body.headers.map(|h| parse_headers(Some(h))).transpose()?,
        metadata: body.metadata.map(|m| check_metadata("metadata", Some(m))).transpose()?,
        profile: body.profile.map(|p| p.map(check_endpoint_profile).transpose()).transpose()?,
        credential: body.credential.map(|c| c.map(|c| check_credential(&c)).transpose()).transpose()?,
        auth: match (body.oauth2.is_some(), body.tls.is_some()) {
            (false, false) => None,
            _ => Some(endpoint_auth::merge(&state, ep.auth.as_ref(), body.oauth2, body.tls).await?),
        },
        expires_at: body.expires_in_secs.map(|e| e.map(|s| expiry(state.clock.now(), s)).transpose()).transpose()?,
        verification: None,
        paused: body.paused,
        announce: true,
    };
    let updated = state.store.update_endpoint(&ep.app_id, &ep.id, patch, state.clock.now()).await?;
    if !updated.disabled {
        state.wake.notify_one();
    }
    Ok(Json(super::endpoint_ops::view(&state, updated).await?))
}

#[utoipa::path(delete, path = "/apps/{app}/endpoints/{endpoint}", tag = "endpoints", summary = "Delete an endpoint and its pending deliveries", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)")), responses((status = 204, description = "done"), crate::api::openapi::Errors))]
async fn delete_endpoint(
    State(state): State<AppState>,
    Path((app, ep)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ep = resolve(&state, &app, &ep).await?;
    state.store.delete_endpoint(&ep.app_id, &ep.id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/apps/{app}/endpoints/{endpoint}/attempts", tag = "delivery log", summary = "List the attempts made to an endpoint", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)"), super::ListQuery), responses((status = 200, description = "OK", body = super::ListResponse<super::messages::AttemptView>), crate::api::openapi::Errors))]
async fn list_endpoint_attempts(
    State(state): State<AppState>,
    Path((app, ep)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListResponse<AttemptView>>> {
    let ep = resolve(&state, &app, &ep).await?;
    let page = state.store.list_attempts(&ep.app_id, AttemptFilter::Endpoint(ep.id), q.page()?).await?;
    Ok(Json(ListResponse::from_page(page, AttemptView::from)))
}

/// Runs the handshake when the endpoint's profile asks for one and stores
/// the outcome; an endpoint with no handshake is returned as it is.
async fn run_verification(state: &AppState, app: &Application, ep: Endpoint) -> ApiResult<Endpoint> {
    let Some(v) = effective_profile(app, &ep).verification else { return Ok(ep) };
    let outcome = handshake::verify(&state.sender, app, &ep, &v, state.clock.now()).await;
    let patch = EndpointPatch { verification: Some(Some(outcome)), ..EndpointPatch::default() };
    let ep = state.store.update_endpoint(&app.id, &ep.id, patch, state.clock.now()).await?;
    Ok(ep)
}

/// Re-runs the verification handshake.
#[utoipa::path(post, path = "/apps/{app}/endpoints/{endpoint}/verify", tag = "endpoints", summary = "Run the verification handshake again", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)")), responses((status = 200, description = "OK", body = EndpointView), crate::api::openapi::Errors))]
async fn verify_endpoint(
    State(state): State<AppState>,
    Path((app, ep)): Path<(String, String)>,
) -> ApiResult<Json<EndpointView>> {
    let (app, ep) = resolve_with_app(&state, &app, &ep).await?;
    if effective_profile(&app, &ep).verification.is_none() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "this endpoint's profile has no verification handshake",
        ));
    }
    Ok(Json(run_verification(&state, &app, ep).await?.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct TestEvent {
    /// `test` (the default: a built-in event) or a catalog event type with
    /// an example payload.
    #[schema(value_type = Option<EventTypeText>)]
    event_type: Option<String>,
}

/// Sends a test event to this endpoint only: the event type's example
/// payload, or a built-in `test` event. It is logged like any other.
#[utoipa::path(post, path = "/apps/{app}/endpoints/{endpoint}/test", tag = "endpoints", summary = "Send a test event to this endpoint only", params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("endpoint" = String, Path, description = "the endpoint id (`ep_...`)")), request_body = Option<TestEvent>, responses((status = 202, description = "accepted, stored before this answer", body = Object), crate::api::openapi::Errors))]
async fn send_test_event(
    State(state): State<AppState>,
    Path((app, ep)): Path<(String, String)>,
    body: bytes::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // The body is optional: none means the built-in `test` event.
    let body: TestEvent = parse_optional_json(&body)?;
    let ep = resolve(&state, &app, &ep).await?;
    if ep.disabled {
        return Err(ApiError::new(StatusCode::CONFLICT, "conflict", "the endpoint is disabled"));
    }
    if let Some((s, _)) = ep.verification.filter(|(s, _)| *s != VerifyState::Verified) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("the endpoint's verification is {}; verify it first", s.as_str()),
        ));
    }
    let name = body.event_type.unwrap_or_else(|| "test".to_owned());
    let event_type = EventTypeName::parse(&name).map_err(|e| ApiError::validation("event_type", e))?;
    let example = match state.store.get_event_type(event_type.as_str()).await {
        Ok(et) => et.example,
        Err(herald_store::StoreError::NotFound(_)) if name == "test" => None,
        Err(e) => return Err(e.into()),
    };
    let payload = match example {
        Some(p) => p,
        None if name == "test" => json!({ "endpointUrl": ep.url.as_str(), "name": ep.description }),
        None => {
            return Err(ApiError::validation("event_type", format!("`{name}` has no example payload in the catalog")))
        }
    };
    let now = state.clock.now();
    let new = NewMessage {
        id: MessageId::generate(now.as_millis()),
        event_id: None,
        event_type,
        payload: payload.to_string(),
        timestamp: now,
        only_endpoint: Some(ep.id.clone()),
        ordering_key: None,
    };
    let published = state.publish(&ep.app_id, new, now).await?;
    let m = published.message;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "id": m.id, "event_type": m.event_type, "endpoint_id": ep.id, "payload": payload })),
    ))
}
