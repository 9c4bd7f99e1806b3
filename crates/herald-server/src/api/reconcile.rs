//! Reconciliation and export: an application's messages filtered by event
//! type, acceptance time, delivery status and endpoint, as pages of JSON
//! (`GET /messages`) or as one NDJSON download streamed page by page from
//! the database (`GET /messages/export`), never held in memory whole.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use herald_core::delivery::DeliveryState;
use herald_core::{AppId, EndpointId, MessageId};
use herald_store::{MessageFilter, PageRequest, Store};
use http_body::Frame;
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::messages::MessageView;
use super::{apps, opt_time, ListQuery};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_messages))
}

/// The filters of the message list and the export.
#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct MessagesQuery {
    /// Items per page, 1 to 250 (default 50); the export ignores it.
    #[param(minimum = 1, maximum = 250)]
    limit: Option<u32>,
    /// The `iterator` of the previous page, to get the next one.
    #[param(value_type = Option<super::formats::MessageIdText>)]
    iterator: Option<String>,
    /// Only messages of this event type.
    event_type: Option<String>,
    /// Only messages accepted at or after this time (RFC 3339).
    #[param(format = DateTime)]
    since: Option<String>,
    /// Only messages accepted before this time (RFC 3339).
    #[param(format = DateTime)]
    until: Option<String>,
    /// Only messages with a delivery in this state: `pending`, `retrying`,
    /// `delivered` or `failed` (at `endpoint`, when given).
    #[param(value_type = Option<super::formats::DeliveryStatus>)]
    status: Option<String>,
    /// Only messages sent (or to be sent) to this endpoint (`ep_...`).
    #[param(value_type = Option<super::formats::EndpointIdText>)]
    endpoint: Option<String>,
    /// The list only: each message with its `deliveries` (status per
    /// endpoint), as a single message is shown. The export always has them.
    pub(super) with_deliveries: Option<bool>,
}

/// The export's filters: the list's, without paging (the export takes
/// every matching message).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ExportQuery {
    /// Only messages of this event type.
    event_type: Option<String>,
    /// Only messages accepted at or after this time (RFC 3339).
    #[param(format = DateTime)]
    since: Option<String>,
    /// Only messages accepted before this time (RFC 3339).
    #[param(format = DateTime)]
    until: Option<String>,
    /// Only messages with a delivery in this state (at `endpoint`, when given).
    #[param(value_type = Option<super::formats::DeliveryStatus>)]
    status: Option<String>,
    /// Only messages sent (or to be sent) to this endpoint (`ep_...`).
    #[param(value_type = Option<super::formats::EndpointIdText>)]
    endpoint: Option<String>,
}

impl From<ExportQuery> for MessagesQuery {
    fn from(q: ExportQuery) -> Self {
        let ExportQuery { event_type, since, until, status, endpoint } = q;
        Self { event_type, since, until, status, endpoint, ..Self::default() }
    }
}

impl MessagesQuery {
    pub(super) fn filter(&self) -> Result<MessageFilter, ApiError> {
        let status = self
            .status
            .as_deref()
            .map(|s| {
                DeliveryState::parse(s)
                    .ok_or_else(|| ApiError::validation("status", "must be pending, retrying, delivered or failed"))
            })
            .transpose()?;
        let endpoint = self
            .endpoint
            .as_deref()
            .map(|e| EndpointId::parse(e).map_err(|err| ApiError::validation("endpoint", err)))
            .transpose()?;
        Ok(MessageFilter {
            event_type: self.event_type.clone(),
            since: opt_time("since", self.since.as_deref())?,
            until: opt_time("until", self.until.as_deref())?,
            status,
            endpoint,
        })
    }

    pub(super) fn page(&self) -> Result<PageRequest, ApiError> {
        let page = ListQuery { limit: self.limit, iterator: self.iterator.clone() }.page()?;
        if page.before.as_deref().is_some_and(|c| MessageId::parse(c).is_err()) {
            return Err(ApiError::validation("iterator", "is not a cursor this list returned"));
        }
        Ok(page)
    }
}

/// Messages read per round trip while exporting.
const EXPORT_PAGE: u32 = 500;
/// Pages buffered between the database and the client: the memory bound.
const EXPORT_BUFFER: usize = 2;

#[utoipa::path(get, path = "/apps/{app}/messages/export", tag = "messages",
    summary = "Download the application's messages (filtered as the list is) as NDJSON, one message with its deliveries per line",
    params(("app" = String, Path, description = "the application id (`app_...`) or uid"), ExportQuery),
    responses((status = 200, description = "one JSON object per line: the message (ids, event type, payload, times) and its `deliveries` (endpoint, status, attempts, last status code and error)", content_type = "application/x-ndjson", body = String), crate::api::openapi::Errors))]
async fn export_messages(
    State(state): State<AppState>,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let app = apps::resolve(&state, &app).await?;
    let filter = MessagesQuery::from(q).filter()?;
    let (tx, rx) = mpsc::channel(EXPORT_BUFFER);
    tokio::spawn(export(state.store.clone(), app.id.clone(), filter, tx));
    let name = format!("attachment; filename=\"{}-messages.ndjson\"", app.id);
    Ok(([(CONTENT_TYPE, "application/x-ndjson".to_owned()), (CONTENT_DISPOSITION, name)], Body::new(Lines(rx)))
        .into_response())
}

/// Reads page after page and sends each as a chunk of lines; stops when the
/// client hangs up. A failure midway ends the body with a last line
/// `{"error": ...}`, since the status has already been sent.
async fn export(store: std::sync::Arc<dyn Store>, app: AppId, filter: MessageFilter, tx: mpsc::Sender<Bytes>) {
    let mut before = None;
    loop {
        let page = PageRequest { limit: EXPORT_PAGE, before: before.take() };
        let chunk = match page_lines(store.as_ref(), &app, &filter, page).await {
            Ok((chunk, next)) => {
                before = next;
                chunk
            }
            Err(e) => {
                tracing::error!(error = %e, "export failed midway");
                let _ = tx
                    .send(Bytes::from_static(b"{\"error\":\"the export failed midway; see the server log\"}\n"))
                    .await;
                return;
            }
        };
        if !chunk.is_empty() && tx.send(Bytes::from(chunk)).await.is_err() {
            return; // the client went away
        }
        if before.is_none() {
            return;
        }
    }
}

async fn page_lines(
    store: &dyn Store,
    app: &AppId,
    filter: &MessageFilter,
    page: PageRequest,
) -> Result<(Vec<u8>, Option<String>), herald_store::StoreError> {
    let found = store.list_messages(app, filter, page).await?;
    let ids: Vec<MessageId> = found.items.iter().map(|m| m.id.clone()).collect();
    let mut deliveries = store.deliveries_of(app, &ids).await?;
    let mut out = Vec::with_capacity(found.items.len() * 256);
    for m in found.items {
        let view = MessageView::taking_deliveries(m, &mut deliveries);
        serde_json::to_writer(&mut out, &view).map_err(|e| herald_store::StoreError::Corrupt(e.to_string()))?;
        out.push(b'\n');
    }
    Ok((out, found.next_cursor))
}

/// The response body: the chunks the exporter sends, in order.
struct Lines(mpsc::Receiver<Bytes>);

impl http_body::Body for Lines {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(|b| Ok(Frame::data(b))))
    }
}
