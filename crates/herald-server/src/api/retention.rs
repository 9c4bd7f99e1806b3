//! Removing a message's payload on request (e.g. personal data a customer
//! asked to have erased), ahead of the retention period.

use axum::extract::{Path, State};
use axum::Json;
use herald_core::MessageId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::apps;
use super::messages::MessageView;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(expunge_payload))
}

#[utoipa::path(delete, path = "/apps/{app}/messages/{message}/payload", tag = "messages",
    summary = "Remove a message's payload now (its delivery records stay; pending deliveries of it fail unsent)",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ("message" = String, Path, description = "the message id (`msg_...`)")),
    responses((status = 200, description = "expunged", body = MessageView), crate::api::openapi::Errors))]
async fn expunge_payload(
    State(state): State<AppState>,
    Path((app, msg)): Path<(String, String)>,
) -> ApiResult<Json<MessageView>> {
    let app = apps::resolve_id(&state, &app).await?;
    let id = MessageId::parse(&msg).map_err(|_| ApiError::not_found("message"))?;
    let m = state.store.expunge_message(&app, &id, state.clock.now()).await?;
    Ok(Json(MessageView::new(m, None)))
}
