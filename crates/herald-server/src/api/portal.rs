//! What the customer portal needs beyond the resource routes: a link that
//! opens it for one application (a short-lived application-scoped token),
//! and the application's theme (name, logo, colour).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use herald_core::{AppId, Timestamp};
use herald_store::TokenScope;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{apps, check_text};
use crate::config::PortalConfig;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_link)).routes(routes!(get_theme, put_theme))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ttl_secs": 900}))]
struct LinkRequest {
    /// How long the link works, in seconds (60 to 604800); default
    /// `portal.link_ttl_secs`.
    #[schema(minimum = 60, maximum = 604_800)]
    ttl_secs: Option<u64>,
}

/// A link to give the application's customer.
#[derive(Serialize, ToSchema)]
struct PortalLink {
    /// Open in a browser or an iframe; the token rides in the fragment,
    /// which browsers never send to servers or in `Referer`.
    url: String,
    /// The application-scoped token the link carries.
    token: String,
    #[schema(value_type = String)]
    app_id: AppId,
    #[schema(value_type = String, format = DateTime)]
    expires_at: Timestamp,
}

#[utoipa::path(post, path = "/apps/{app}/portal-link", tag = "portal",
    summary = "Make a link that opens the customer portal for this application (admin only)",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid")),
    request_body = Option<LinkRequest>,
    responses((status = 201, description = "created", body = PortalLink), crate::api::openapi::Errors))]
async fn create_link(
    State(state): State<AppState>,
    Path(app): Path<String>,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> ApiResult<(StatusCode, Json<PortalLink>)> {
    if !state.portal.enabled {
        return Err(ApiError::new(StatusCode::CONFLICT, "conflict", "the portal is turned off (portal.enabled)"));
    }
    let body: LinkRequest = crate::extract::parse_optional_json(&body)?;
    let ttl = body.ttl_secs.unwrap_or(state.portal.link_ttl_secs);
    let allowed = PortalConfig::LINK_TTL_SECS;
    if !allowed.contains(&ttl) {
        return Err(ApiError::validation(
            "ttl_secs",
            format!("must be between {} and {}", allowed.start(), allowed.end()),
        ));
    }
    let app = apps::resolve(&state, &app).await?;
    let base = base_url(&state.portal, &headers)?;
    let expires_at = state.clock.now().plus(std::time::Duration::from_secs(ttl));
    let name = format!("portal link for {}", app.name.chars().take(200).collect::<String>());
    let (_, token) = super::tokens::mint(&state, name, TokenScope::App(app.id.clone()), Some(expires_at)).await?;
    let url = format!("{base}/portal/?app={}#token={token}", app.id);
    Ok((StatusCode::CREATED, Json(PortalLink { url, token, app_id: app.id, expires_at })))
}

/// The configured public address, else the request's own Host over http.
fn base_url(cfg: &PortalConfig, headers: &HeaderMap) -> ApiResult<String> {
    let configured = cfg.public_url.trim().trim_end_matches('/');
    if !configured.is_empty() {
        return Ok(configured.to_owned());
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .ok_or_else(|| ApiError::validation("Host", "the request has no usable Host; set portal.public_url"))?;
    Ok(format!("http://{host}"))
}

/// How the portal looks for one application's customers.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Acme Webhooks", "logo_url": "https://acme.example/logo.png", "color": "#0b6e4f"}))]
struct Theme {
    /// Shown as the portal's title; default: the application's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    name: Option<String>,
    /// An https:// image (or a `data:image/...` URL) shown beside the
    /// title; at most 64 KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 65_536)]
    logo_url: Option<String>,
    /// The accent colour, `#rrggbb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$")]
    color: Option<String>,
}

impl Theme {
    fn check(&mut self) -> ApiResult<()> {
        if let Some(n) = &self.name {
            check_text("name", n, 100, false)?;
        }
        if let Some(logo) = &mut self.logo_url {
            // Exactly the document's pattern. A JSON-Schema tool written
            // in Python reads its `$` as "end, or before a final line
            // end", so one final line end is taken, and dropped.
            if logo.ends_with('\n') {
                logo.pop();
            }
            static LOGO: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
                regex::Regex::new(&crate::api::formats::logo_url_pattern()).expect("the logo pattern compiles")
            });
            let ok = logo.len() <= 64 * 1024 && LOGO.is_match(logo);
            if !ok {
                return Err(ApiError::validation(
                    "logo_url",
                    "must be an https:// URL or a data:image/ URL of at most 64 KiB",
                ));
            }
        }
        if let Some(c) = &self.color {
            let hex = c.strip_prefix('#').filter(|h| h.len() == 6 && h.chars().all(|ch| ch.is_ascii_hexdigit()));
            if hex.is_none() {
                return Err(ApiError::validation("color", "must be a colour such as #0b6e4f"));
            }
        }
        Ok(())
    }
}

#[utoipa::path(get, path = "/apps/{app}/portal-theme", tag = "portal",
    summary = "The application's portal theme (empty when Herald's own look is used)",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid")),
    responses((status = 200, description = "OK", body = Theme), crate::api::openapi::Errors))]
async fn get_theme(State(state): State<AppState>, Path(app): Path<String>) -> ApiResult<Json<Value>> {
    let id = apps::resolve_id(&state, &app).await?;
    let theme = state.store.portal_theme(&id).await?;
    Ok(Json(theme.unwrap_or_else(|| Value::Object(Default::default()))))
}

#[utoipa::path(put, path = "/apps/{app}/portal-theme", tag = "portal",
    summary = "Set the application's portal theme (admin only); `{}` goes back to Herald's own look",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid")),
    request_body = Theme,
    responses((status = 200, description = "OK", body = Theme), crate::api::openapi::Errors))]
async fn put_theme(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiJson(mut theme): ApiJson<Theme>,
) -> ApiResult<Json<Theme>> {
    theme.check()?;
    let id = apps::resolve_id(&state, &app).await?;
    let empty = theme.name.is_none() && theme.logo_url.is_none() && theme.color.is_none();
    let stored = if empty { None } else { Some(serde_json::to_value(&theme).map_err(|_| ApiError::internal())?) };
    state.store.set_portal_theme(&id, stored.as_ref()).await?;
    Ok(Json(theme))
}
