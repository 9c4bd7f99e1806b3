//! The API's one error type: a status, a stable code and a message, always
//! sent as `{"code": ..., "message": ...}`; a validation error also names
//! its `field`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use herald_store::StoreError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The request field a validation error is about.
    pub field: Option<String>,
    /// Seconds to send as `Retry-After` (503 while the database is away).
    pub retry_after: Option<u32>,
}

/// What a client is told to wait while the database is unavailable.
const UNAVAILABLE_RETRY_AFTER_SECS: u32 = 1;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None, retry_after: None }
    }

    /// 503 with `Retry-After`: the database cannot be reached right now.
    pub fn database_unavailable() -> Self {
        Self {
            retry_after: Some(UNAVAILABLE_RETRY_AFTER_SECS),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "the database is unavailable; try again shortly (a publish repeated with the same event_id is stored once)",
            )
        }
    }

    pub fn invalid_json(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_json", message)
    }

    /// 422, naming the field that is wrong.
    pub fn validation(field: &str, why: impl std::fmt::Display) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_error", format!("{field}: {why}"))
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }

    /// 429 with `Retry-After`: this token sent more requests than its rate.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(u32::try_from(retry_after_secs.max(1)).unwrap_or(u32::MAX)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "this token sent more requests than its rate limit (limits.*_token_requests_per_second); retry after Retry-After",
            )
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than the limit of {limit} bytes"),
        )
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "an internal error occurred; see the server log")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::not_found(what),
            StoreError::Conflict(msg) => Self::new(StatusCode::CONFLICT, "conflict", msg),
            StoreError::Unavailable(why) => {
                tracing::warn!(error = %why, "database unavailable");
                Self::database_unavailable()
            }
            StoreError::Rejected(why) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_error",
                format!("the database cannot store a value of this request: {why}"),
            ),
            StoreError::Corrupt(_) | StoreError::Sealed(_) | StoreError::Backend(_) => {
                tracing::error!(error = %e, "store error");
                Self::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": self.code, "message": self.message });
        if let Some(field) = self.field {
            body["field"] = field.into();
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
