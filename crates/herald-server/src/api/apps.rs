//! Applications: one per customer of the provider.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use herald_core::profile::Profile;
use herald_core::{AppId, Timestamp};
use herald_store::{Application, ApplicationPatch, NewApplication};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{check_metadata, check_profile, check_text, nullable, ListQuery, ListResponse};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_apps, create_app)).routes(routes!(get_app, update_app, delete_app))
}

#[derive(Serialize, ToSchema)]
pub struct AppView {
    #[schema(value_type = String)]
    id: AppId,
    uid: Option<String>,
    name: String,
    live: bool,
    #[schema(value_type = Object)]
    metadata: Value,
    #[schema(value_type = Option<Profile>)]
    profile: Option<Profile>,
    /// The credential itself is never shown.
    has_credential: bool,
    /// Where warnings about failing endpoints are emailed.
    contact_email: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
}

impl From<Application> for AppView {
    fn from(a: Application) -> Self {
        Self {
            id: a.id,
            uid: a.uid,
            name: a.name,
            live: a.live,
            metadata: a.metadata,
            profile: a.profile,
            has_credential: a.credential.is_some(),
            contact_email: a.contact_email,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// A uid is the caller's own key for an application, usable in URLs in
/// place of the id.
fn check_uid(uid: &str) -> Result<(), ApiError> {
    check_text("uid", uid, 256, false)?;
    if !uid.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(ApiError::validation("uid", "may contain only letters, digits, `-`, `_` and `.`"));
    }
    if uid.starts_with(AppId::PREFIX) {
        return Err(ApiError::validation("uid", "must not start with `app_`"));
    }
    Ok(())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Acme Inc.", "uid": "acme", "metadata": {"plan": "pro"}}))]
struct CreateApp {
    /// Not blank.
    #[schema(min_length = 1, max_length = 256, pattern = "\\S")]
    name: String,
    /// Letters, digits, `-`, `_` and `.`, not starting with `app_`.
    #[schema(pattern = "^(?!app_)[A-Za-z0-9._-]{1,256}$")]
    uid: Option<String>,
    #[serde(default = "default_live")]
    live: bool,
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
    #[schema(value_type = Option<Profile>)]
    profile: Option<Value>,
    /// Sent as the `credential` of the application's profile (a shared
    /// header or key): 1 to 4096 printable ASCII characters.
    #[schema(pattern = "^[ -~]{1,4096}$")]
    credential: Option<String>,
    /// Where warnings about failing endpoints are emailed.
    #[schema(format = Email, max_length = 254)]
    contact_email: Option<String>,
}

fn default_live() -> bool {
    true
}

#[utoipa::path(post, path = "/apps", tag = "applications", summary = "Create an application", request_body = CreateApp, responses((status = 201, description = "created", body = AppView), crate::api::openapi::Errors))]
async fn create_app(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateApp>,
) -> ApiResult<(StatusCode, Json<AppView>)> {
    check_text("name", &body.name, 256, false)?;
    if let Some(uid) = &body.uid {
        check_uid(uid)?;
    }
    let now = state.clock.now();
    let new = NewApplication {
        id: AppId::generate(now.as_millis()),
        uid: body.uid,
        name: body.name,
        live: body.live,
        metadata: check_metadata("metadata", body.metadata)?,
        profile: body.profile.map(|p| check_profile("profile", p)).transpose()?,
        credential: body.credential.map(|c| check_credential(&c)).transpose()?,
        contact_email: body.contact_email.map(|e| check_email(&e)).transpose()?,
    };
    let app = state.store.create_app(new, now).await?;
    Ok((StatusCode::CREATED, Json(app.into())))
}

#[utoipa::path(get, path = "/apps", tag = "applications", summary = "List applications, newest first", params(super::ListQuery), responses((status = 200, description = "OK", body = super::ListResponse<AppView>), crate::api::openapi::Errors))]
async fn list_apps(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListResponse<AppView>>> {
    let page = state.store.list_apps(q.page()?).await?;
    Ok(Json(ListResponse::from_page(page, AppView::from)))
}

/// Resolves the `{app}` path segment (an id or a uid).
pub async fn resolve(state: &AppState, id_or_uid: &str) -> ApiResult<Application> {
    Ok(state.store.get_app(id_or_uid).await?)
}

/// The id for the `{app}` path segment without reading the application when
/// the segment already is an id (callers that write check it exists).
pub async fn resolve_id(state: &AppState, id_or_uid: &str) -> ApiResult<AppId> {
    match AppId::parse(id_or_uid) {
        Ok(id) => Ok(id),
        Err(_) => Ok(resolve(state, id_or_uid).await?.id),
    }
}

#[utoipa::path(get, path = "/apps/{app}", tag = "applications", summary = "Get an application", params(("app" = String, Path, description = "the application id (`app_...`) or uid")), responses((status = 200, description = "OK", body = AppView), crate::api::openapi::Errors))]
async fn get_app(State(state): State<AppState>, Path(app): Path<String>) -> ApiResult<Json<AppView>> {
    Ok(Json(resolve(&state, &app).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateApp {
    #[schema(min_length = 1, max_length = 256, pattern = "\\S")]
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^(?!app_)[A-Za-z0-9._-]{1,256}$")]
    uid: Option<Option<String>>,
    live: Option<bool>,
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Profile>)]
    profile: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[ -~]{1,4096}$")]
    credential: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    contact_email: Option<Option<String>>,
}

/// An email address as SMTP takes it (`name@example.com`).
fn check_email(e: &str) -> Result<String, ApiError> {
    if e.len() > 254 || e.parse::<lettre::Address>().is_err() {
        return Err(ApiError::validation("contact_email", "must be an email address such as ops@example.com"));
    }
    Ok(e.to_owned())
}

/// A credential is sent in headers or used as an HMAC key: printable ASCII.
pub fn check_credential(c: &str) -> Result<herald_core::endpoint::Credential, ApiError> {
    if c.is_empty() || c.len() > 4096 || !c.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Err(ApiError::validation("credential", "must be 1 to 4096 printable ASCII characters"));
    }
    Ok(herald_core::endpoint::Credential::new(c))
}

#[utoipa::path(patch, path = "/apps/{app}", tag = "applications", summary = "Update an application (absent fields are kept, null clears)", params(("app" = String, Path, description = "the application id (`app_...`) or uid")), request_body = UpdateApp, responses((status = 200, description = "OK", body = AppView), crate::api::openapi::Errors))]
async fn update_app(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiJson(body): ApiJson<UpdateApp>,
) -> ApiResult<Json<AppView>> {
    let app = resolve(&state, &app).await?;
    if let Some(name) = &body.name {
        check_text("name", name, 256, false)?;
    }
    if let Some(Some(uid)) = &body.uid {
        check_uid(uid)?;
    }
    let patch = ApplicationPatch {
        name: body.name,
        uid: body.uid,
        live: body.live,
        metadata: body.metadata.map(|m| check_metadata("metadata", Some(m))).transpose()?,
        profile: body.profile.map(|p| p.map(|p| check_profile("profile", p)).transpose()).transpose()?,
        credential: body.credential.map(|c| c.map(|c| check_credential(&c)).transpose()).transpose()?,
        contact_email: body.contact_email.map(|e| e.map(|e| check_email(&e)).transpose()).transpose()?,
    };
    let updated = state.store.update_app(&app.id, patch, state.clock.now()).await?;
    Ok(Json(updated.into()))
}

#[utoipa::path(delete, path = "/apps/{app}", tag = "applications", summary = "Delete an application with its endpoints, messages and attempts", params(("app" = String, Path, description = "the application id (`app_...`) or uid")), responses((status = 204, description = "done"), crate::api::openapi::Errors))]
async fn delete_app(State(state): State<AppState>, Path(app): Path<String>) -> ApiResult<StatusCode> {
    let app = resolve(&state, &app).await?;
    state.store.delete_app(&app.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
