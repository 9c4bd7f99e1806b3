//! The request behind an attempt, for the delivery log: the body and the
//! headers Herald sends for that message to that endpoint at the attempt's
//! time. Attempts store what came back, not what went out, so the request
//! is rebuilt from the message and the endpoint's settings now; signatures
//! match the ones sent unless the secret was rotated since. Secrets the
//! receiver is sent (an `Authorization` value, the credential) are masked.

use axum::extract::{Path, State};
use axum::Json;
use herald_core::AttemptId;
use herald_store::{AttemptFilter, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{apps, messages};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::worker::{context, effective_profile, request_headers};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(attempt_request))
}

/// What was sent, as far as Herald can say after the fact.
#[derive(Serialize, ToSchema)]
struct RequestView {
    method: &'static str,
    url: String,
    /// In the order sent; masked values read `(hidden)`.
    headers: Vec<(String, String)>,
    /// The body as sent; `null` once the payload was expunged.
    body: Option<String>,
    /// Always true: rebuilt from the message and the endpoint's current
    /// settings (see the route's description).
    rebuilt: bool,
}

const HIDDEN: &str = "(hidden)";

#[utoipa::path(get, path = "/apps/{app}/messages/{message}/attempts/{attempt}/request", tag = "delivery log",
    summary = "The request an attempt sent: body and headers, rebuilt from the message and the endpoint's current settings",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"),
           ("message" = String, Path, description = "the message id (`msg_...`)"),
           ("attempt" = String, Path, description = "the attempt id (`att_...`)")),
    responses((status = 200, description = "OK", body = RequestView), crate::api::openapi::Errors))]
async fn attempt_request(
    State(state): State<AppState>,
    Path((app, message, attempt)): Path<(String, String, String)>,
) -> ApiResult<Json<RequestView>> {
    let app = apps::resolve(&state, &app).await?;
    let msg = messages::resolve_in(&state, &app.id, &message).await?;
    let wanted = AttemptId::parse(&attempt).map_err(|_| ApiError::not_found("attempt"))?;
    let mut before = None;
    let found = loop {
        let page = state
            .store
            .list_attempts(&app.id, AttemptFilter::Message(msg.id.clone()), PageRequest { limit: 250, before })
            .await?;
        if let Some(a) = page.items.into_iter().find(|a| a.id == wanted) {
            break a;
        }
        match page.next_cursor {
            Some(c) => before = Some(c),
            None => return Err(ApiError::not_found("attempt")),
        }
    };
    let ep = match state.store.get_endpoint(&app.id, &found.endpoint_id).await {
        Ok(ep) => ep,
        Err(herald_store::StoreError::NotFound(_)) => {
            return Err(ApiError::not_found("endpoint (deleted since the attempt)"))
        }
        Err(e) => return Err(e.into()),
    };
    let at = found.record.at;
    let cx = context(&app, &ep, msg.id.as_str(), msg.event_type.as_str(), msg.timestamp, &msg.payload, at);
    let profile = effective_profile(&app, &ep);
    let body = profile.body(&cx);
    let sent = request_headers(&ep, profile.headers(&cx, &body, at));
    let credential = ep.credential.as_ref().or(app.credential.as_ref()).map(|c| c.expose().to_owned());
    let headers = sent
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let secret = name == axum::http::header::AUTHORIZATION
                || credential.as_deref().is_some_and(|c| !c.is_empty() && value.contains(c));
            (name.as_str().to_owned(), if secret { HIDDEN.to_owned() } else { value })
        })
        .collect();
    let body = msg.expunged_at.is_none().then(|| String::from_utf8_lossy(&body).into_owned());
    Ok(Json(RequestView { method: "POST", url: found.record.url, headers, body, rebuilt: true }))
}
