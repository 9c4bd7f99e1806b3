//! Dead letters: deliveries that exhausted their retries, listed per
//! application (optionally per endpoint, event type and time range).

use axum::extract::{Path, State};
use axum::Json;
use herald_core::EndpointId;
use herald_store::{DeadLetter, DeadLetterFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::messages::{DeliveryView, MessageView};
use super::{apps, opt_time, ListQuery, ListResponse};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_dead_letters))
}

/// A failed delivery: the message, and where and how its delivery ended.
#[derive(Serialize, ToSchema)]
struct DeadLetterView {
    message: MessageView,
    #[serde(flatten)]
    delivery: DeliveryView,
}

impl From<DeadLetter> for DeadLetterView {
    fn from(d: DeadLetter) -> Self {
        Self { message: MessageView::new(d.message, None), delivery: d.status.into() }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeadLetterQuery {
    /// Items per page, 1 to 250 (default 50).
    #[param(minimum = 1, maximum = 250)]
    limit: Option<u32>,
    /// The `iterator` of the previous page, to get the next one.
    #[param(value_type = Option<super::formats::NumberCursorText>)]
    iterator: Option<String>,
    /// Only this endpoint's (`ep_...`).
    #[param(value_type = Option<super::formats::EndpointIdText>)]
    endpoint: Option<String>,
    /// Only messages of this event type.
    event_type: Option<String>,
    /// Only those whose last attempt was at or after this time (RFC 3339).
    #[param(format = DateTime)]
    since: Option<String>,
    /// Only those whose last attempt was before this time (RFC 3339).
    #[param(format = DateTime)]
    until: Option<String>,
}

#[utoipa::path(get, path = "/apps/{app}/dead-letters", tag = "delivery log",
    summary = "List failed deliveries (retries exhausted), newest first",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), DeadLetterQuery),
    responses((status = 200, description = "OK", body = ListResponse<DeadLetterView>), crate::api::openapi::Errors))]
async fn list_dead_letters(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<DeadLetterQuery>,
) -> ApiResult<Json<ListResponse<DeadLetterView>>> {
    // Read, not only parsed: a deleted application's log is not found.
    let app = apps::resolve(&state, &app).await?.id;
    let page = ListQuery { limit: q.limit, iterator: q.iterator }.page()?;
    if page.before.as_deref().is_some_and(|c| c.parse::<i64>().is_err()) {
        return Err(ApiError::validation("iterator", "is not a cursor this list returned"));
    }
    let endpoint =
        q.endpoint.map(|e| EndpointId::parse(&e).map_err(|err| ApiError::validation("endpoint", err))).transpose()?;
    let filter = DeadLetterFilter {
        endpoint,
        event_type: q.event_type,
        since: opt_time("since", q.since.as_deref())?,
        until: opt_time("until", q.until.as_deref())?,
    };
    let found = state.store.list_dead_letters(&app, filter, page).await?;
    Ok(Json(ListResponse::from_page(found, DeadLetterView::from)))
}
