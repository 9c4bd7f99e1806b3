//! Records as the stores hold them, and the inputs that change them.

use std::sync::Arc;

use herald_core::auth::EndpointAuth;
use herald_core::delivery::{DeliveryState, VerifyState};
use herald_core::endpoint::{Credential, CustomHeaders, EndpointSecret, EndpointUrl};
use herald_core::event_type::{EventFilter, EventTypeName};
use herald_core::profile::Profile;
use herald_core::{AppId, AttemptId, EndpointId, EventTypeId, MessageId, RecoveryId, Timestamp, TokenId};
use serde_json::Value;

/// Newest first, `limit` items, starting after the `before` cursor.
#[derive(Clone, Debug)]
pub struct PageRequest {
    pub limit: u32,
    pub before: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `before` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched newest first.
    pub fn from_rows(mut rows: Vec<T>, limit: u32, cursor_of: impl Fn(&T) -> String) -> Self {
        let limit = limit as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more { rows.last().map(cursor_of) } else { None };
        Self { items: rows, next_cursor }
    }
}

#[derive(Clone, Debug)]
pub struct Application {
    pub id: AppId,
    pub uid: Option<String>,
    pub name: String,
    pub live: bool,
    pub metadata: Value,
    /// The delivery profile of its endpoints (each may override it).
    pub profile: Option<Profile>,
    /// A key or value the profile may sign or authenticate with (e.g. the
    /// customer's API key); never shown back.
    pub credential: Option<Credential>,
    /// Where Herald emails warnings about failing endpoints.
    pub contact_email: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct NewApplication {
    pub id: AppId,
    pub uid: Option<String>,
    pub name: String,
    pub live: bool,
    pub metadata: Value,
    pub profile: Option<Profile>,
    pub credential: Option<Credential>,
    pub contact_email: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ApplicationPatch {
    pub name: Option<String>,
    pub uid: Option<Option<String>>,
    pub live: Option<bool>,
    pub metadata: Option<Value>,
    pub profile: Option<Option<Profile>>,
    pub credential: Option<Option<Credential>>,
    pub contact_email: Option<Option<String>>,
}

#[derive(Clone, Debug)]
pub struct EventType {
    pub id: EventTypeId,
    pub name: EventTypeName,
    pub description: String,
    pub schema: Option<Value>,
    pub example: Option<Value>,
    pub archived: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct NewEventType {
    pub id: EventTypeId,
    pub name: EventTypeName,
    pub description: String,
    pub schema: Option<Value>,
    pub example: Option<Value>,
    pub archived: bool,
}

#[derive(Clone, Debug, Default)]
pub struct EventTypePatch {
    pub description: Option<String>,
    pub schema: Option<Option<Value>>,
    pub example: Option<Option<Value>>,
    pub archived: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct Endpoint {
    pub id: EndpointId,
    pub app_id: AppId,
    pub url: EndpointUrl,
    pub description: String,
    pub filter: EventFilter,
    pub disabled: bool,
    /// Why Herald disabled it (a 410 response, the auto-disable rule);
    /// `None` when enabled or disabled by a person.
    pub disabled_reason: Option<String>,
    /// When it was disabled, by Herald or by a person.
    pub disabled_at: Option<Timestamp>,
    pub headers: CustomHeaders,
    pub secret: EndpointSecret,
    /// The secret a rotation replaced, still signed with until the time
    /// given (the grace period).
    pub previous_secret: Option<(EndpointSecret, Timestamp)>,
    pub metadata: Value,
    /// Overrides the application's profile, field by field.
    pub profile: Option<Profile>,
    /// Overrides the application's credential.
    pub credential: Option<Credential>,
    /// OAuth2 and TLS towards the receiver, if any.
    pub auth: Option<EndpointAuth>,
    /// When it deletes itself (a temporary endpoint), if ever.
    pub expires_at: Option<Timestamp>,
    /// `None` when no handshake is required; only `None` or `Verified`
    /// endpoints receive events.
    pub verification: Option<(VerifyState, Option<String>)>,
    /// Held: its deliveries wait in the queue (without using attempts)
    /// until it is resumed. Unlike disabling, new deliveries are queued.
    pub paused: bool,
    /// The rate limit and cap its effective profile sets, as the store
    /// keeps them (the store writes this; changes to it are ignored).
    pub gate: Option<herald_core::flow::Gate>,
    /// Its application's profile sets a rate all its endpoints share (the
    /// store writes this).
    pub app_rate: bool,
    /// An open circuit: until when its deliveries wait (then one probe
    /// goes out), and why it opened. The store writes this.
    pub circuit: Option<(Timestamp, String)>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Endpoint {
    /// Whether its deliveries go only through its gate (paused, rate
    /// limited, capped, ordered or under its application's shared rate),
    /// never handed over in memory.
    pub fn gated(&self) -> bool {
        self.paused || self.gate.is_some() || self.app_rate || self.circuit.is_some()
    }
}

#[derive(Clone, Debug)]
pub struct NewEndpoint {
    pub id: EndpointId,
    pub url: EndpointUrl,
    pub description: String,
    pub filter: EventFilter,
    pub disabled: bool,
    pub headers: CustomHeaders,
    pub secret: EndpointSecret,
    pub metadata: Value,
    pub profile: Option<Profile>,
    pub credential: Option<Credential>,
    pub auth: Option<EndpointAuth>,
    pub expires_at: Option<Timestamp>,
    pub verification: Option<(VerifyState, Option<String>)>,
    pub paused: bool,
}

#[derive(Clone, Debug, Default)]
pub struct EndpointPatch {
    pub url: Option<EndpointUrl>,
    pub description: Option<String>,
    pub filter: Option<EventFilter>,
    /// Enabling clears `disabled_reason`.
    pub disabled: Option<bool>,
    pub headers: Option<CustomHeaders>,
    pub metadata: Option<Value>,
    pub profile: Option<Option<Profile>>,
    pub credential: Option<Option<Credential>>,
    pub auth: Option<Option<EndpointAuth>>,
    pub expires_at: Option<Option<Timestamp>>,
    pub verification: Option<Option<(VerifyState, Option<String>)>>,
    pub paused: Option<bool>,
    /// Queue `endpoint.updated` for the operator with the change (a change
    /// made by Herald itself, such as a verification outcome, is not
    /// announced). Disabling or enabling is announced either way.
    pub announce: bool,
}

#[derive(Clone, Debug)]
pub struct Message {
    pub id: MessageId,
    pub app_id: AppId,
    pub event_id: Option<String>,
    pub event_type: EventTypeName,
    /// The payload as compact JSON text, exactly as it will be sent.
    pub payload: String,
    pub timestamp: Timestamp,
    pub created_at: Timestamp,
    /// When the payload was removed (retention, or by request); the
    /// payload is then empty.
    pub expunged_at: Option<Timestamp>,
}

#[derive(Clone, Debug)]
pub struct NewMessage {
    pub id: MessageId,
    pub event_id: Option<String>,
    pub event_type: EventTypeName,
    pub payload: String,
    pub timestamp: Timestamp,
    /// Send to this endpoint only, whatever its filter (test events).
    pub only_endpoint: Option<EndpointId>,
    /// Orders the message behind earlier ones of the same key at FIFO
    /// endpoints (without one, a FIFO endpoint keeps one order for all).
    pub ordering_key: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Published {
    pub message: Message,
    /// `false` when an earlier message with the same `event_id` was returned.
    pub created: bool,
    /// How many endpoints the message was fanned out to (0 for a repeat).
    pub fanned_out: usize,
    /// The new deliveries, already leased to the caller, when publishing was
    /// asked to lease them (empty otherwise).
    pub claimed: Vec<ClaimedDelivery>,
}

#[derive(Clone, Debug)]
pub struct DeliveryStatus {
    pub endpoint_id: EndpointId,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<Timestamp>,
    pub last_attempt_at: Option<Timestamp>,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
}

/// Which messages a reconciliation (or export) wants: of this event type,
/// accepted in `[since, until)`, with a delivery in this state (at this
/// endpoint, when given).
#[derive(Clone, Debug, Default)]
pub struct MessageFilter {
    pub event_type: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub status: Option<DeliveryState>,
    pub endpoint: Option<EndpointId>,
}

/// Which dead letters to list: failed deliveries (retries exhausted) of one
/// application, optionally of one endpoint or event type, whose last attempt
/// was at or after `since` and before `until`.
#[derive(Clone, Debug, Default)]
pub struct DeadLetterFilter {
    pub endpoint: Option<EndpointId>,
    pub event_type: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// A bulk recovery: re-queue the failed deliveries of an application (or
/// one endpoint) whose last attempt was in `[since, until)`, of these event
/// types, that existed when the job was made.
#[derive(Clone, Debug)]
pub struct NewRecovery {
    pub id: RecoveryId,
    pub app_id: AppId,
    pub endpoint: Option<EndpointId>,
    pub event_types: Option<Vec<String>>,
    pub since: Timestamp,
    pub until: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecoveryState {
    Queued,
    Running,
    Done,
    Cancelled,
}

impl RecoveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Recovery {
    pub id: RecoveryId,
    pub app_id: AppId,
    pub endpoint: Option<EndpointId>,
    pub event_types: Option<Vec<String>>,
    pub since: Timestamp,
    pub until: Option<Timestamp>,
    pub state: RecoveryState,
    /// Matching failed deliveries when the job was made.
    pub total: u64,
    /// Re-queued so far.
    pub done: u64,
    /// The node running it, while one does.
    pub runner: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// What a recovery's batch did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecoveryStep {
    /// This many re-queued; more may follow.
    Requeued(u64),
    /// Nothing left: the job is done.
    Finished,
    /// Cancelled, or taken over by another node: stop.
    Stopped,
}

/// What an API token may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenScope {
    /// Everything.
    Admin,
    /// One application's endpoints, messages and attempts, and reading the
    /// event-type catalog.
    App(AppId),
}

/// An API token as stored: never its value, only a SHA-256 of it (tokens
/// are 192 random bits, so a fast hash is enough) and a short prefix to
/// recognise it by.
#[derive(Clone, Debug)]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub prefix: String,
    pub hash: String,
    pub scope: TokenScope,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

/// A delivery that exhausted its retries, with its message.
#[derive(Clone, Debug)]
pub struct DeadLetter {
    /// The delivery's own id: the list's cursor.
    pub delivery_id: i64,
    pub message: Message,
    pub status: DeliveryStatus,
}

#[derive(Clone, Debug)]
pub enum AttemptFilter {
    Message(MessageId),
    Endpoint(EndpointId),
}

#[derive(Clone, Debug)]
pub struct Attempt {
    pub id: AttemptId,
    pub app_id: AppId,
    pub msg_id: MessageId,
    pub endpoint_id: EndpointId,
    pub record: AttemptRecord,
    /// Asked for by hand (a replay), outside the retry schedule.
    pub manual: bool,
}

/// One HTTP attempt as the worker saw it.
#[derive(Clone, Debug)]
pub struct AttemptRecord {
    pub attempt_number: u32,
    pub url: String,
    pub at: Timestamp,
    /// `None` when no HTTP response came back.
    pub status_code: Option<u16>,
    /// The network error, or why a response counted as a failure.
    pub error: Option<String>,
    pub latency_ms: u64,
    /// The start of the response body, truncated.
    pub response_body: Option<String>,
    pub success: bool,
}

/// A leased delivery with what the worker needs to send it, read from the
/// store when it was leased (at claim time, or in the publishing transaction)
/// so endpoint changes apply to pending retries. The records are shared
/// between the deliveries of one claim or one publish.
#[derive(Clone, Debug)]
pub struct ClaimedDelivery {
    pub delivery_id: i64,
    pub lease: i64,
    /// When the lease runs out: no request may still be running then.
    pub leased_until: Timestamp,
    /// The number of the attempt about to be made (1 for the first), one
    /// numbering per delivery, across replays and bulk recoveries.
    pub attempt_number: u32,
    /// Its place in the retry schedule (1 for the first): the same as
    /// `attempt_number` unless a bulk recovery restarted the schedule.
    pub schedule_attempt: u32,
    pub message: Arc<Message>,
    pub endpoint: Arc<Endpoint>,
    pub app: Arc<Application>,
}

/// A delivery leased for a replay, and whether it had been delivered
/// before (read with the lease, in one statement).
#[derive(Clone, Debug)]
pub struct ReplayLease {
    pub claimed: ClaimedDelivery,
    pub was_delivered: bool,
}

/// What a worker asks the queue for. Due deliveries are handed out endpoint
/// by endpoint, in endpoint-id order starting after `after` (a round-robin
/// position the worker keeps), at most `per_endpoint` of each, so a backlog
/// of one endpoint never sits in front of the others' due deliveries.
#[derive(Clone, Debug)]
pub struct ClaimRequest<'a> {
    pub now: Timestamp,
    /// Most deliveries in all.
    pub limit: u32,
    pub lease: std::time::Duration,
    /// Most deliveries of one endpoint.
    pub per_endpoint: u32,
    /// Endpoints to leave out (the worker holds its share of them already).
    pub skip: &'a [EndpointId],
    /// Applications to leave out (the worker holds their share already).
    pub skip_apps: &'a [AppId],
    /// Start after this endpoint id (`""`: from the first).
    pub after: &'a str,
}

/// What a claim through the gates got, and when to ask again: the
/// earliest time a rate-limited endpoint with due deliveries has a token.
#[derive(Debug, Default)]
pub struct GatedClaim {
    pub deliveries: Vec<ClaimedDelivery>,
    pub next_at: Option<Timestamp>,
}

#[derive(Clone, Debug)]
pub enum NextState {
    Delivered,
    RetryAt(Timestamp),
    Failed,
    /// Not attempted: give the lease back, leaving state and due time as
    /// they were (a worker that stops before sending what it holds).
    Released,
}

impl NextState {
    /// The stored state and due time this outcome sets (`None`: unchanged).
    pub fn stored(&self, now: Timestamp) -> (Option<&'static str>, Option<Timestamp>) {
        match self {
            Self::Delivered => (Some("delivered"), Some(now)),
            Self::Failed => (Some("failed"), Some(now)),
            Self::RetryAt(at) => (Some("retrying"), Some(*at)),
            Self::Released => (None, None),
        }
    }
}

/// The outcome of one claimed delivery.
#[derive(Clone, Debug)]
pub struct Settlement {
    pub delivery_id: i64,
    pub lease: i64,
    pub app_id: AppId,
    pub msg_id: MessageId,
    pub endpoint_id: EndpointId,
    /// `None` when no request was sent (e.g. the endpoint was disabled).
    pub attempt: Option<(AttemptId, AttemptRecord)>,
    pub next: NextState,
    /// Why the delivery ended without an attempt, or the last error.
    pub error: Option<String>,
    /// Disable the endpoint, with this reason (a 410 response).
    pub disable_endpoint: Option<String>,
    /// The endpoint's auto-disable rule (`None`: the attempt does not
    /// count towards its health, e.g. none was made).
    pub auto_disable: Option<herald_core::health::AutoDisable>,
    /// The endpoint's circuit breaker, if its profile sets one.
    pub circuit: Option<herald_core::flow::CircuitBreaker>,
    /// It came through its endpoint's gate: once settled, the gate may let
    /// the next one through (the next of its key, at a FIFO endpoint).
    pub gated: bool,
    /// Its endpoint keeps FIFO order: the next of the key waits for this
    /// record, so it is written without waiting for a batch to gather.
    pub ordered: bool,
    /// A replay: the state the delivery had ended in before it (the
    /// statistics count each delivery once by the state it is in).
    pub replay_of: Option<herald_core::delivery::DeliveryState>,
}

impl Settlement {
    /// An outcome for `d` with no attempt made, ending in `next`.
    pub fn unsent(d: &ClaimedDelivery, next: NextState) -> Self {
        Self {
            delivery_id: d.delivery_id,
            lease: d.lease,
            app_id: d.message.app_id.clone(),
            msg_id: d.message.id.clone(),
            endpoint_id: d.endpoint.id.clone(),
            attempt: None,
            next,
            error: None,
            disable_endpoint: None,
            auto_disable: None,
            circuit: None,
            gated: d.endpoint.gated(),
            ordered: d.endpoint.gate.is_some_and(|g| g.fifo),
            replay_of: None,
        }
    }
}

/// An endpoint's failing streak and last outcomes, as its API view shows.
#[derive(Clone, Debug, Default)]
pub struct EndpointHealth {
    pub streak: herald_core::health::Streak,
    pub last_failure_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// When the owner was warned of this streak.
    pub warned_at: Option<Timestamp>,
}

/// Which notification channels are configured: the store queues
/// operational events only for those.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NotifyChannels {
    pub webhook: bool,
    pub email: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Operational webhooks to the operator URL.
    Webhook,
    /// Email to the application's contact address.
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "webhook" => Some(Self::Webhook),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct NewNotification {
    pub channel: Channel,
    /// `endpoint.disabled`, `message.attempt.exhausted`, ...; for email
    /// `endpoint.warning` or `endpoint.disabled`.
    pub event_type: String,
    pub app_id: Option<AppId>,
    pub endpoint_id: Option<EndpointId>,
    pub data: Value,
}

/// A queued notification, leased to the node sending it.
#[derive(Clone, Debug)]
pub struct Notification {
    pub id: i64,
    pub channel: Channel,
    pub event_type: String,
    /// Stable across retries: the `webhook-id` of an operational webhook.
    pub msg_id: String,
    pub app_id: Option<AppId>,
    pub endpoint_id: Option<EndpointId>,
    pub data: Value,
    pub attempts: u32,
    pub created_at: Timestamp,
}

/// How sending a notification went.
#[derive(Clone, Debug)]
pub enum NotificationOutcome {
    Sent,
    RetryAt(Timestamp, String),
    /// Out of retries, or nothing to send it to.
    Failed(String),
}
