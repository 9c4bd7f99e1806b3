//! Plain records for unit tests of the crates above the store (a record
//! needs every field; these fill them with harmless values).

use herald_core::endpoint::{CustomHeaders, EndpointSecret, EndpointUrl};
use herald_core::event_type::EventFilter;
use herald_core::{AppId, EndpointId, Timestamp};

use crate::{Application, Endpoint};

/// A live application with no profile, uid or credential.
pub fn application(id: &AppId) -> Application {
    Application {
        id: id.clone(),
        uid: None,
        name: "fixture".into(),
        live: true,
        metadata: serde_json::json!({}),
        profile: None,
        credential: None,
        created_at: Timestamp::from_millis(1),
        updated_at: Timestamp::from_millis(1),
    }
}

/// An enabled endpoint of `app` at a local address nothing listens on.
pub fn endpoint(app: &AppId, id: &EndpointId, filter: EventFilter) -> Endpoint {
    Endpoint {
        id: id.clone(),
        app_id: app.clone(),
        url: EndpointUrl::parse("http://127.0.0.1:9/").unwrap_or_else(|e| unreachable!("a valid URL: {e}")),
        description: String::new(),
        filter,
        disabled: false,
        disabled_reason: None,
        headers: CustomHeaders::default(),
        secret: EndpointSecret::generate(),
        metadata: serde_json::json!({}),
        profile: None,
        credential: None,
        verification: None,
        created_at: Timestamp::from_millis(1),
        updated_at: Timestamp::from_millis(1),
    }
}
