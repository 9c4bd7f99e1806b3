//! API tokens: created (the value shown once), listed, revoked. Admin only
//! (see `scope`): the provider creates application-scoped tokens for its
//! customers (and the portal), and more admin tokens for its own services.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use herald_core::{AppId, Timestamp, TokenId};
use herald_store::{ApiToken, TokenScope};
use serde::{Deserialize, Serialize};

use super::{apps, check_text, ListQuery, ListResponse};
use crate::auth::sha256;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tokens, create_token)).routes(routes!(get_token, delete_token))
}

/// A token's record; its value is never shown again after creation.
#[derive(Serialize, ToSchema)]
pub struct TokenView {
    #[schema(value_type = String)]
    id: TokenId,
    name: String,
    /// The value's first characters, to recognise it by.
    prefix: String,
    /// `admin` or `application`.
    scope: &'static str,
    /// For `application` tokens: the one application it reaches.
    #[schema(value_type = Option<String>)]
    app_id: Option<AppId>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<Timestamp>,
    /// Updated at most once a minute.
    #[schema(value_type = Option<String>, format = DateTime)]
    last_used_at: Option<Timestamp>,
}

impl From<ApiToken> for TokenView {
    fn from(t: ApiToken) -> Self {
        let (scope, app_id) = match t.scope {
            TokenScope::Admin => ("admin", None),
            TokenScope::App(a) => ("application", Some(a)),
        };
        Self {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            scope,
            app_id,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// The record and, this once, the value.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    record: TokenView,
    /// The bearer token. Shown only in this answer; only its SHA-256 is kept.
    token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "acme portal", "scope": "application", "app": "acme", "expires_at": "2027-06-01T00:00:00Z"}))]
struct CreateToken {
    #[schema(min_length = 1, max_length = 256)]
    name: String,
    /// `admin` (everything) or `application` (one application's endpoints,
    /// messages, attempts and dead letters, and the event-type catalog read-only).
    #[schema(value_type = TokenScopeName)]
    scope: String,
    /// For `application` (and only then): the application id or uid.
    #[schema(value_type = Option<super::formats::AppRefText>)]
    app: Option<String>,
    /// When the token stops working (RFC 3339, in the future); none: never.
    #[schema(value_type = Option<super::formats::TimeText>)]
    expires_at: Option<String>,
}

/// What a token reaches.
#[derive(ToSchema)]
#[schema(as = TokenScope, rename_all = "lowercase")]
#[allow(dead_code)]
enum TokenScopeName {
    Admin,
    Application,
}

const TOKEN_PREFIX: &str = "hrld_";
/// Characters of the value kept to recognise it by: `hrld_` and 8 more.
const SHOWN: usize = 13;

#[utoipa::path(post, path = "/tokens", tag = "tokens", summary = "Create an API token (admin only); its value is shown once", request_body = CreateToken, responses((status = 201, description = "created", body = CreatedToken), crate::api::openapi::Errors))]
async fn create_token(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    check_text("name", &body.name, 256, false)?;
    let now = state.clock.now();
    let scope = match (body.scope.as_str(), body.app.as_deref()) {
        ("admin", None) => TokenScope::Admin,
        ("admin", Some(_)) => return Err(ApiError::validation("app", "an admin token reaches every application")),
        ("application", Some(app)) => {
            // Names nothing that exists: 404, as a path naming it would.
            let app = apps::resolve(&state, app).await?;
            TokenScope::App(app.id)
        }
        ("application", None) => return Err(ApiError::validation("app", "an application token needs `app`")),
        _ => return Err(ApiError::validation("scope", "must be `admin` or `application`")),
    };
    let expires_at = super::opt_time("expires_at", body.expires_at.as_deref())?;
    if expires_at.is_some_and(|e| e.as_millis() <= now.as_millis()) {
        return Err(ApiError::validation("expires_at", "must be in the future"));
    }
    let (token, value) = mint(&state, body.name, scope, expires_at).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { record: token.into(), token: value })))
}

/// Makes and stores a new token; returns its record and its value.
pub(super) async fn mint(
    state: &AppState,
    name: String,
    scope: TokenScope,
    expires_at: Option<Timestamp>,
) -> ApiResult<(ApiToken, String)> {
    let value = format!("{TOKEN_PREFIX}{}", hex::encode(rand::random::<[u8; 24]>()));
    let token = ApiToken {
        id: TokenId::generate(state.clock.now().as_millis()),
        name,
        prefix: value[..SHOWN].to_owned(),
        hash: hex::encode(sha256(&value)),
        scope,
        created_at: state.clock.now(),
        expires_at,
        last_used_at: None,
    };
    state.store.create_token(&token).await?;
    Ok((token, value))
}

#[utoipa::path(get, path = "/tokens", tag = "tokens", summary = "List API tokens, newest first (admin only)", params(super::ListQuery), responses((status = 200, description = "OK", body = super::ListResponse<TokenView>), crate::api::openapi::Errors))]
async fn list_tokens(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListResponse<TokenView>>> {
    let page = state.store.list_tokens(q.page()?).await?;
    Ok(Json(ListResponse::from_page(page, TokenView::from)))
}

fn token_id(s: &str) -> ApiResult<TokenId> {
    TokenId::parse(s).map_err(|_| ApiError::not_found("token"))
}

#[utoipa::path(get, path = "/tokens/{token}", tag = "tokens", summary = "Get an API token's record (admin only)", params(("token" = String, Path, description = "the token id (`tok_...`)")), responses((status = 200, description = "OK", body = TokenView), crate::api::openapi::Errors))]
async fn get_token(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<TokenView>> {
    Ok(Json(state.store.get_token(&token_id(&id)?).await?.into()))
}

#[utoipa::path(delete, path = "/tokens/{token}", tag = "tokens", summary = "Revoke an API token (admin only)", params(("token" = String, Path, description = "the token id (`tok_...`)")), responses((status = 204, description = "revoked"), crate::api::openapi::Errors))]
async fn delete_token(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    state.store.delete_token(&token_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
