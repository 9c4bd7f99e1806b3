//! Plain records for unit tests of the crates above the store (a record
//! needs every field; these fill them with harmless values).

use herald_core::endpoint::{CustomHeaders, EndpointSecret, EndpointUrl};
use std::sync::Arc;

use herald_core::event_type::{EventFilter, EventTypeName};
use herald_core::{AppId, EndpointId, MessageId, Timestamp};

use crate::{Application, ClaimedDelivery, Endpoint, Message};

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
        contact_email: None,
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
        disabled_at: None,
        headers: CustomHeaders::default(),
        secret: EndpointSecret::generate(),
        previous_secret: None,
        metadata: serde_json::json!({}),
        profile: None,
        credential: None,
        auth: None,
        expires_at: None,
        verification: None,
        paused: false,
        gate: None,
        app_rate: false,
        circuit: None,
        created_at: Timestamp::from_millis(1),
        updated_at: Timestamp::from_millis(1),
    }
}

/// Delivery `id` of a fresh message to endpoint `ep`, leased until 30 s
/// after the epoch's first millisecond.
pub fn claimed(id: i64, ep: &EndpointId) -> ClaimedDelivery {
    claimed_in(id, &AppId::generate(1), ep)
}

/// A delivery leased to `ep` of application `app`.
pub fn claimed_in(id: i64, app: &AppId, ep: &EndpointId) -> ClaimedDelivery {
    let t = Timestamp::from_millis(1);
    let app = app.clone();
    ClaimedDelivery {
        delivery_id: id,
        lease: 7,
        leased_until: Timestamp::from_millis(30_001),
        attempt_number: 1,
        schedule_attempt: 1,
        message: Arc::new(Message {
            id: MessageId::generate(1),
            app_id: app.clone(),
            event_id: None,
            event_type: EventTypeName::parse("a.b").unwrap_or_else(|e| unreachable!("a valid name: {e}")),
            payload: "{}".into(),
            timestamp: t,
            created_at: t,
            expunged_at: None,
        }),
        endpoint: Arc::new(endpoint(&app, ep, EventFilter::All)),
        app: Arc::new(application(&app)),
    }
}
