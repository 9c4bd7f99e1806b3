//! Herald's domain: everything that can be decided without I/O.
//!
//! Typed, prefixed ids; validated names, URLs and secrets ("parse, don't
//! validate"); event-type filters; Standard Webhooks signing; the retry
//! policy as a pure function; the injected clock.

pub mod auth;
pub mod clock;
pub mod delivery;
pub mod destination;
pub mod endpoint;
pub mod envelope;
pub mod event_type;
pub mod flow;
pub mod health;
pub mod ids;
pub mod profile;
pub mod rate;
pub mod retry;
pub mod secret;
pub mod signing;
pub mod time;

pub use clock::{Clock, ManualClock, SystemClock};
pub use ids::{AppId, AttemptId, EndpointId, EventTypeId, MessageId, RecoveryId, TokenId};
pub use time::Timestamp;

/// A value that failed to parse, with the reason in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}
