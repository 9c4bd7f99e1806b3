//! What an application-scoped token may reach: its own application's
//! endpoints, messages, attempts and dead letters, and the event-type
//! catalog read-only. Another application's resources are 404 (as if they
//! did not exist: no data, and no sign that they do); routes outside an
//! application's scope are 403. Deny by default: a new route is reachable
//! with a scoped token only once it is listed here.

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use herald_core::AppId;
use herald_store::{Store, StoreError};

use crate::error::ApiError;

enum Access {
    Allowed,
    Forbidden(&'static str),
}

/// The rule for a route (its pattern under `/api/v1`) and method.
fn rule(method: &Method, route: &str) -> Access {
    let read = *method == Method::GET;
    match route {
        "/apps/{app}" if read => Access::Allowed,
        "/apps/{app}" => Access::Forbidden("only an admin token changes or deletes an application"),
        "/apps/{app}/messages" if !read => Access::Forbidden("only an admin token publishes events"),
        "/apps/{app}/portal-link" => Access::Forbidden("only an admin token makes portal links"),
        "/apps/{app}/portal-theme" if !read => Access::Forbidden("only an admin token sets the portal theme"),
        r if r.starts_with("/apps/{app}/") => Access::Allowed,
        "/event-types" | "/event-types/{name}" if read => Access::Allowed,
        r if r.starts_with("/event-types") => Access::Forbidden("only an admin token changes the event-type catalog"),
        r if r.starts_with("/tokens") => Access::Forbidden("only an admin token manages tokens"),
        "/apps" => Access::Forbidden("only an admin token lists or creates applications"),
        _ => Access::Forbidden("this route needs an admin token"),
    }
}

/// Checks a request made with a token scoped to `own`.
/// What the check needs of a request: its method, its route pattern under
/// `/api/v1`, and the raw `{app}` segment of its path.
pub struct Target {
    method: Method,
    route: String,
    app_segment: String,
}

impl Target {
    pub fn of(req: &Request) -> Self {
        let full = req.extensions().get::<MatchedPath>().map_or("", MatchedPath::as_str);
        Self {
            method: req.method().clone(),
            route: full.strip_prefix("/api/v1").unwrap_or(full).to_owned(),
            // Inside the nested router the path may or may not still carry
            // `/api/v1`: the segment is the one after the first `apps`.
            app_segment: req.uri().path().split('/').skip_while(|s| *s != "apps").nth(1).unwrap_or_default().to_owned(),
        }
    }
}

/// Checks a request made with a token scoped to `own`.
pub async fn check(store: &dyn Store, own: &AppId, target: Target) -> Result<(), ApiError> {
    let Target { method, route, app_segment: raw } = target;
    let route = route.as_str();
    if route.starts_with("/apps/{app}") {
        // The application first: another one's is not found, whatever the route.
        let named = percent_encoding::percent_decode_str(&raw).decode_utf8_lossy().into_owned();
        if named != own.as_str() {
            match store.get_app(&named).await {
                Ok(app) if app.id == *own => {}
                Ok(_) | Err(StoreError::NotFound(_)) => return Err(ApiError::not_found("application")),
                Err(e) => return Err(e.into()),
            }
        }
    }
    match rule(&method, route) {
        Access::Allowed => Ok(()),
        Access::Forbidden(why) => Err(ApiError::forbidden(format!("this token is scoped to one application: {why}"))),
    }
}
