//! The customer portal: a page and its scripts (helpers, endpoint screens,
//! delivery screens, the start) and styles, embedded in the binary and
//! served under `/portal/`. It talks to the JSON API with the
//! application-scoped token its link carries, so it can reach nothing that
//! token cannot. Served with a strict Content-Security-Policy: its own
//! script and styles only, images also from https: and data: (a theme's
//! logo), API calls to this origin, framing as `portal.frame_ancestors`.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

const INDEX: &str = include_str!("assets/index.html");
const CORE: &str = include_str!("assets/core.js");
const ENDPOINTS: &str = include_str!("assets/endpoints.js");
const DELIVERIES: &str = include_str!("assets/deliveries.js");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLES: &str = include_str!("assets/app.css");

/// The portal's routes; `frame_ancestors` as configured (checked at start).
pub fn router<S: Clone + Send + Sync + 'static>(frame_ancestors: &str) -> Router<S> {
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {}",
        frame_ancestors.trim()
    );
    let csp = HeaderValue::try_from(csp).unwrap_or_else(|_| HeaderValue::from_static("frame-ancestors 'self'"));
    let page = move |body: &'static str, kind: &'static str| {
        let csp = csp.clone();
        move || {
            let csp = csp.clone();
            async move { asset(body, kind, csp) }
        }
    };
    Router::new()
        .route("/portal", get(|| async { Redirect::permanent("/portal/") }))
        .route("/portal/", get(page(INDEX, "text/html; charset=utf-8")))
        .route("/portal/index.html", get(page(INDEX, "text/html; charset=utf-8")))
        .route("/portal/core.js", get(page(CORE, "text/javascript; charset=utf-8")))
        .route("/portal/endpoints.js", get(page(ENDPOINTS, "text/javascript; charset=utf-8")))
        .route("/portal/deliveries.js", get(page(DELIVERIES, "text/javascript; charset=utf-8")))
        .route("/portal/app.js", get(page(SCRIPT, "text/javascript; charset=utf-8")))
        .route("/portal/app.css", get(page(STYLES, "text/css; charset=utf-8")))
}

fn asset(body: &'static str, kind: &'static str, csp: HeaderValue) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(CONTENT_SECURITY_POLICY, csp);
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Small files that change with the binary: always revalidated.
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}
