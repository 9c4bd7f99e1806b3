//! An axum extractor that verifies the request before the handler sees it.
//!
//! It reads the **raw** body (a signature covers the exact bytes sent; a
//! body parsed and serialised again would not match), verifies it with the
//! [`Webhook`] your router state provides, and hands the handler the bytes,
//! still unparsed: parse them afterwards.
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{routing::post, Router};
//! use herald_verify::{axum::Verified, Webhook};
//!
//! async fn hook(Verified(body): Verified) -> &'static str {
//!     let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
//!     println!("{}", event["type"]);
//!     "ok"
//! }
//!
//! # async fn run() {
//! let wh = Arc::new(Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap());
//! let app: Router = Router::new().route("/hook", post(hook)).with_state(wh);
//! # }
//! ```

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::{Error, Webhook};

/// The raw body of a request whose signature verified.
pub struct Verified(pub Bytes);

/// Why the extractor refused a request: 401 with the reason as text (400
/// when the body could not be read).
pub struct Rejection(StatusCode, String);

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        (self.0, self.1).into_response()
    }
}

impl<S> FromRequest<S> for Verified
where
    S: Send + Sync,
    Arc<Webhook>: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Rejection> {
        let wh = Arc::<Webhook>::from_ref(state);
        let headers = req.headers().clone();
        let body =
            Bytes::from_request(req, state).await.map_err(|e| Rejection(StatusCode::BAD_REQUEST, e.body_text()))?;
        wh.verify(&headers, &body).map_err(|e: Error| Rejection(StatusCode::UNAUTHORIZED, e.to_string()))?;
        Ok(Self(body))
    }
}
