//! Turning database rows back into domain records, for every backend.
//!
//! Both backends store the same column types (text, 64-bit integers,
//! booleans; JSON as text, times as epoch milliseconds), so one set of
//! conversions serves both through [`RowGet`].

use std::collections::HashMap;
use std::sync::Arc;

use herald_core::delivery::DeliveryState;
use herald_core::endpoint::{Credential, CustomHeaders, EndpointSecret, EndpointUrl};
use herald_core::event_type::{EventFilter, EventTypeName};
use herald_core::profile::Profile;
use herald_core::{AppId, AttemptId, EndpointId, EventTypeId, MessageId, Timestamp};
use serde_json::Value;

use crate::batch::filter_from_text;

use crate::*;

/// Typed column access; each backend implements it for its row type.
pub trait RowGet {
    fn text(&self, col: &str) -> StoreResult<String>;
    fn opt_text(&self, col: &str) -> StoreResult<Option<String>>;
    fn int(&self, col: &str) -> StoreResult<i64>;
    fn opt_int(&self, col: &str) -> StoreResult<Option<i64>>;
    fn boolean(&self, col: &str) -> StoreResult<bool>;
    /// Opens sealed columns; `None` where the query reads none.
    fn sealer(&self) -> Option<&crate::seal::Sealer> {
        None
    }
}

/// A sealed column's plain value: `column` names it in the associated data
/// (`endpoints.secret`), `col` is how the query named it.
fn unsealed(row: &dyn RowGet, col: &str, column: &str, row_id: &str) -> StoreResult<Option<String>> {
    let Some(stored) = row.opt_text(col)? else { return Ok(None) };
    let at = crate::seal::Place { column, row_id };
    match row.sealer() {
        Some(s) => s.open(&stored, &at).map(Some),
        None if stored.starts_with("hs1:") => {
            Err(StoreError::Sealed(format!("{column} of {row_id}: read without a key")))
        }
        None => Ok(Some(stored)),
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn json(text: &str, what: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}

fn opt_json(text: Option<String>, what: &str) -> Result<Option<Value>, StoreError> {
    text.map(|t| json(&t, what)).transpose()
}

fn ts(row: &dyn RowGet, col: &str) -> Result<Timestamp, StoreError> {
    Ok(Timestamp::from_millis(row.int(col)?))
}

pub fn profile(text: Option<String>) -> Result<Option<Profile>, StoreError> {
    text.map(|t| serde_json::from_str(&t).map_err(|e| corrupt("profile", e))).transpose()
}

pub fn profile_to_text(p: &Option<Profile>) -> Option<String> {
    p.as_ref().and_then(|p| serde_json::to_string(p).ok())
}

/// An endpoint's auth settings as stored (before sealing); none is NULL.
pub fn auth_text(a: Option<&herald_core::auth::EndpointAuth>) -> Option<String> {
    a.filter(|a| !a.is_empty()).and_then(|a| serde_json::to_string(a).ok())
}

/// An application from its row.
pub fn application(row: &dyn RowGet) -> Result<Application, StoreError> {
    let id = row.text("id")?;
    Ok(Application {
        credential: unsealed(row, "credential", "applications.credential", &id)?.map(Credential::new),
        id: AppId::from_trusted(id),
        uid: row.opt_text("uid")?,
        name: row.text("name")?,
        live: row.boolean("live")?,
        metadata: json(&row.text("metadata")?, "application metadata")?,
        profile: profile(row.opt_text("profile")?)?,
        contact_email: row.opt_text("contact_email")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
    })
}

pub fn event_type(row: &dyn RowGet) -> Result<EventType, StoreError> {
    Ok(EventType {
        id: EventTypeId::from_trusted(row.text("id")?),
        name: EventTypeName::parse(&row.text("name")?).map_err(|e| corrupt("event type name", e))?,
        description: row.text("description")?,
        schema: opt_json(row.opt_text("schema")?, "event type schema")?,
        example: opt_json(row.opt_text("example")?, "event type example")?,
        archived: row.boolean("archived")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
    })
}

pub fn filter_to_text(filter: &EventFilter) -> Option<String> {
    filter.to_list().map(|l| Value::from(l).to_string())
}

/// The columns a claim reads, named as [`ClaimBuilder`] expects, from
/// `deliveries d`, `messages m`, `endpoints e` and `applications a`: the
/// endpoint and the application by id and rev only, decoded once per
/// change by the store's [`crate::sql::cache::Cache`].
pub const CLAIM_COLUMNS: &str =
    "d.id AS d_id, d.attempts AS d_attempts, d.schedule_start AS d_schedule_start, d.lease AS d_lease,
    m.id AS m_id, m.app_id AS m_app_id, m.event_id AS m_event_id, m.event_type AS m_event_type,
    m.payload AS m_payload, m.timestamp AS m_timestamp, m.created_at AS m_created_at, m.expunged_at AS m_expunged_at,
    e.id AS e_id, e.rev AS e_rev, a.id AS a_id, a.rev AS a_rev";

/// Builds leased deliveries from the claim query's `d_`, `m_`, `e_` and `a_`
/// columns, converting each message once per claim and sharing it between
/// the deliveries that name it; the endpoints and applications come from
/// [`ClaimBuilder::wanted`] once read (see [`crate::sql::cache::Cache`]).
pub struct ClaimBuilder {
    leased_until: Timestamp,
    messages: HashMap<String, Arc<Message>>,
    rows: Vec<Leased>,
}

/// A row's id and the `rev` it was read at.
pub type IdRev = (String, i64);

/// A leased delivery whose endpoint and application are known by id and rev.
struct Leased {
    delivery_id: i64,
    lease: i64,
    attempt_number: u32,
    schedule_attempt: u32,
    message: Arc<Message>,
    endpoint: (String, i64),
    app: (String, i64),
}

impl ClaimBuilder {
    pub fn new(leased_until: Timestamp) -> Self {
        Self { leased_until, messages: HashMap::new(), rows: Vec::new() }
    }

    pub fn add(&mut self, row: &dyn RowGet) -> StoreResult<()> {
        let (attempt_number, schedule_attempt) = next_attempt(row.int("d_attempts")?, row.int("d_schedule_start")?);
        self.rows.push(Leased {
            delivery_id: row.int("d_id")?,
            lease: row.int("d_lease")?,
            attempt_number,
            schedule_attempt,
            message: shared(&mut self.messages, row.text("m_id")?, || message_prefixed(row, "m_"))?,
            endpoint: crate::sql::cache::id_rev(row, "e_")?,
            app: crate::sql::cache::id_rev(row, "a_")?,
        });
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The endpoints and the applications the claims name, each once.
    pub fn wanted(&self) -> (Vec<IdRev>, Vec<IdRev>) {
        let mut eps: Vec<IdRev> = self.rows.iter().map(|r| r.endpoint.clone()).collect();
        let mut apps: Vec<IdRev> = self.rows.iter().map(|r| r.app.clone()).collect();
        for list in [&mut eps, &mut apps] {
            list.sort_unstable();
            list.dedup();
        }
        (eps, apps)
    }

    /// The claims, with their endpoints and applications. One whose
    /// endpoint or application is gone (deleted since the claim, with its
    /// deliveries) is left out: its lease runs out unused.
    pub fn finish(
        self,
        endpoints: &HashMap<String, Arc<Endpoint>>,
        apps: &HashMap<String, Arc<Application>>,
    ) -> Vec<ClaimedDelivery> {
        let until = self.leased_until;
        self.rows
            .into_iter()
            .filter_map(|r| {
                Some(ClaimedDelivery {
                    delivery_id: r.delivery_id,
                    lease: r.lease,
                    leased_until: until,
                    attempt_number: r.attempt_number,
                    schedule_attempt: r.schedule_attempt,
                    message: r.message,
                    endpoint: endpoints.get(&r.endpoint.0)?.clone(),
                    app: apps.get(&r.app.0)?.clone(),
                })
            })
            .collect()
    }
}

fn shared<T>(
    seen: &mut HashMap<String, Arc<T>>,
    id: String,
    convert: impl FnOnce() -> StoreResult<T>,
) -> StoreResult<Arc<T>> {
    if let Some(found) = seen.get(&id) {
        return Ok(found.clone());
    }
    let record = Arc::new(convert()?);
    seen.insert(id, record.clone());
    Ok(record)
}

/// An endpoint from its row.
pub fn endpoint(row: &dyn RowGet) -> Result<Endpoint, StoreError> {
    let headers = row.text("headers")?;
    let id = row.text("id")?;
    let secret = unsealed(row, "secret", "endpoints.secret", &id)?.unwrap_or_default();
    let previous = match (
        unsealed(row, "previous_secret", "endpoints.previous_secret", &id)?,
        row.opt_int("previous_secret_until")?,
    ) {
        (Some(s), Some(until)) => Some((
            EndpointSecret::parse(&s).map_err(|e| corrupt("previous endpoint secret", e))?,
            Timestamp::from_millis(until),
        )),
        _ => None,
    };
    Ok(Endpoint {
        secret: EndpointSecret::parse(&secret).map_err(|e| corrupt("endpoint secret", e))?,
        previous_secret: previous,
        disabled_at: row.opt_int("disabled_at")?.map(Timestamp::from_millis),
        expires_at: row.opt_int("expires_at")?.map(Timestamp::from_millis),
        credential: unsealed(row, "credential", "endpoints.credential", &id)?.map(Credential::new),
        auth: unsealed(row, "auth", "endpoints.auth", &id)?
            .map(|a| serde_json::from_str(&a).map_err(|e| corrupt("endpoint auth", e)))
            .transpose()?,
        id: EndpointId::from_trusted(id),
        app_id: AppId::from_trusted(row.text("app_id")?),
        url: EndpointUrl::parse(&row.text("url")?).map_err(|e| corrupt("endpoint url", e))?,
        description: row.text("description")?,
        filter: filter_from_text(row.opt_text("event_types")?)?,
        disabled: row.boolean("disabled")?,
        disabled_reason: row.opt_text("disabled_reason")?,
        headers: serde_json::from_str::<CustomHeaders>(&headers).map_err(|e| corrupt("endpoint headers", e))?,
        metadata: json(&row.text("metadata")?, "endpoint metadata")?,
        profile: profile(row.opt_text("profile")?)?,
        verification: match row.opt_text("verify_state")? {
            None => None,
            Some(s) => Some((
                herald_core::delivery::VerifyState::parse(&s).ok_or_else(|| corrupt("verify state", &s))?,
                row.opt_text("verify_error")?,
            )),
        },
        paused: row.boolean("paused")?,
        gate: gate(row)?,
        app_rate: row.boolean("app_rate")?,
        circuit: match row.opt_int("circuit_open_until")? {
            Some(until) => Some((Timestamp::from_millis(until), row.opt_text("circuit_reason")?.unwrap_or_default())),
            None => None,
        },
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
    })
}

/// The stored gate of an endpoint row (none when only paused, or open).
fn gate(row: &dyn RowGet) -> Result<Option<herald_core::flow::Gate>, StoreError> {
    let rate_milli = row.opt_int("rate_milli")?;
    let max_in_flight = row.opt_int("max_in_flight")?;
    let fifo = row.boolean("fifo")?;
    if rate_milli.is_none() && max_in_flight.is_none() && !fifo {
        return Ok(None);
    }
    let burst = row.opt_int("rate_burst")?.unwrap_or(1);
    Ok(Some(herald_core::flow::Gate { rate_milli, burst, max_in_flight, fifo }))
}

pub fn message_prefixed(row: &dyn RowGet, p: &str) -> Result<Message, StoreError> {
    let c = |name: &str| format!("{p}{name}");
    Ok(Message {
        id: MessageId::from_trusted(row.text(&c("id"))?),
        app_id: AppId::from_trusted(row.text(&c("app_id"))?),
        event_id: row.opt_text(&c("event_id"))?,
        event_type: EventTypeName::parse(&row.text(&c("event_type"))?).map_err(|e| corrupt("message event type", e))?,
        payload: row.text(&c("payload"))?,
        timestamp: ts(row, &c("timestamp"))?,
        created_at: ts(row, &c("created_at"))?,
        expunged_at: row.opt_int(&c("expunged_at"))?.map(Timestamp::from_millis),
    })
}

pub fn message(row: &dyn RowGet) -> Result<Message, StoreError> {
    message_prefixed(row, "")
}

fn status_code(row: &dyn RowGet, col: &str) -> Result<Option<u16>, StoreError> {
    let code = row.opt_int(col)?;
    Ok(code.and_then(|c| u16::try_from(c).ok()))
}

/// The next attempt's number and its place in the retry schedule, from a
/// delivery's `attempts` (all made) and `schedule_start` (those made before
/// a bulk recovery restarted the schedule).
pub fn next_attempt(attempts: i64, schedule_start: i64) -> (u32, u32) {
    let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX).saturating_add(1);
    (n(attempts), n(attempts - schedule_start))
}

pub fn delivery_status(row: &dyn RowGet) -> Result<DeliveryStatus, StoreError> {
    let state_text = row.text("state")?;
    let state = DeliveryState::parse(&state_text).ok_or_else(|| corrupt("delivery state", &state_text))?;
    let active = matches!(state, DeliveryState::Pending | DeliveryState::Retrying);
    Ok(DeliveryStatus {
        endpoint_id: EndpointId::from_trusted(row.text("endpoint_id")?),
        state,
        attempts: u32::try_from(row.int("attempts")?).unwrap_or(0),
        next_attempt_at: if active { Some(ts(row, "due_at")?) } else { None },
        last_attempt_at: row.opt_int("last_attempt_at")?.map(Timestamp::from_millis),
        last_status_code: status_code(row, "last_status_code")?,
        last_error: row.opt_text("last_error")?,
    })
}

pub fn attempt(row: &dyn RowGet) -> Result<Attempt, StoreError> {
    Ok(Attempt {
        id: AttemptId::from_trusted(row.text("id")?),
        app_id: AppId::from_trusted(row.text("app_id")?),
        msg_id: MessageId::from_trusted(row.text("msg_id")?),
        endpoint_id: EndpointId::from_trusted(row.text("endpoint_id")?),
        record: AttemptRecord {
            attempt_number: u32::try_from(row.int("attempt_number")?).unwrap_or(0),
            url: row.text("url")?,
            at: ts(row, "created_at")?,
            status_code: status_code(row, "status_code")?,
            error: row.opt_text("error")?,
            latency_ms: u64::try_from(row.int("latency_ms")?).unwrap_or(0),
            response_body: row.opt_text("response_body")?,
            success: row.boolean("success")?,
        },
        manual: row.boolean("manual")?,
    })
}
