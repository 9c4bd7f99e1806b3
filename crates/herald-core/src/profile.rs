//! Delivery profiles: the wire contract of a provider (body shape, signature,
//! headers, retries, timeout), as configuration rather than code. A profile
//! is set per application and overridden per endpoint, field by field; what
//! neither sets falls back to Herald's defaults (the Standard Webhooks
//! envelope and signature, the configured retry schedule and timeout).

use std::collections::BTreeMap;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha1::Sha1;

use crate::retry::RetryPolicy;
use crate::secret::EndpointSecret;
use crate::{ParseError, Timestamp};

/// A delivery profile: how deliveries look and behave, field by field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Envelope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    /// Extra headers; values may use `{event.type}`, `{message.id}`,
    /// `{app.id}`, `{app.uid}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetrySpec>,
    /// Per request, 100 to 60000 ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 100, maximum = 60_000)]
    pub timeout_ms: Option<u64>,
    /// Creating an endpoint whose URL the application already has returns
    /// that endpoint instead of a second one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_urls: Option<bool>,
    /// New endpoints must echo a challenge before they receive events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
    /// When a failing endpoint is disabled (default: the configured rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_disable: Option<crate::health::AutoDisable>,
    /// Deliveries per second (with a burst), for every node together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<crate::flow::RateLimit>,
    /// Deliveries per second (with a burst) shared by all the endpoints of
    /// an application, every node together: set on an application's
    /// profile only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_rate_limit: Option<crate::flow::RateLimit>,
    /// Most deliveries in flight to the endpoint at once, every node together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 10_000)]
    pub max_in_flight: Option<u32>,
    /// Holds an endpoint's deliveries after repeated failures; see
    /// [`crate::flow::CircuitBreaker`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_breaker: Option<crate::flow::CircuitBreaker>,
    /// `fifo`: in order per ordering key (see [`crate::flow::Ordering`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordering: Option<crate::flow::Ordering>,
    /// The status codes that count as delivered (default: every 2xx), e.g.
    /// `[200]` for a receiver that promises exactly 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_items = 1, max_items = 20, value_type = Option<Vec<SuccessStatus>>)]
    pub success_status: Option<Vec<u16>>,
    /// Retry policies for some event types, keyed by event type or pattern
    /// (`test`, `referral.*`); they replace `retry` for the events they
    /// match (see [`Profile::retry_for`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_by_event_type: Option<BTreeMap<String, RetrySpec>>,
    /// The kind of signing secret an endpoint gets when none is given:
    /// `hmac-sha256` (default) or `ed25519`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<crate::secret::SecretKind>,
    /// The most endpoints an application with this profile may have (1 to
    /// 10000), below the server's `limits.endpoints_per_app`: SocialData
    /// gives each account one URL. Read from the application's profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 10_000)]
    pub max_endpoints: Option<u32>,
}

/// The verification handshake a new endpoint must pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// The event type the challenge is sent as (e.g. `webhook.verify`).
    pub event_type: String,
}

/// The JSON body: `raw` sends the payload exactly as published; otherwise an
/// object with `fields`, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    #[serde(default)]
    pub raw: bool,
    #[serde(default)]
    pub fields: Vec<Field>,
}

/// One field of the envelope: its value from `value` or `const` (exactly one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = EnvelopeField)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    /// Where the value comes from (see [`Source`]); or give `const`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Source>,
    #[serde(default, rename = "const", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<serde_json::Value>)]
    pub constant: Option<Value>,
}

/// Where an envelope field's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = EnvelopeSource)]
pub enum Source {
    #[serde(rename = "message.id")]
    MessageId,
    #[serde(rename = "event.type")]
    EventType,
    /// RFC 3339 with milliseconds.
    #[serde(rename = "message.timestamp")]
    Timestamp,
    /// RFC 3339 in whole seconds (`2024-01-15T10:30:00Z`).
    #[serde(rename = "message.timestamp_iso")]
    TimestampIso,
    #[serde(rename = "message.timestamp_ms")]
    TimestampMs,
    #[serde(rename = "message.timestamp_s")]
    TimestampSecs,
    #[serde(rename = "app.id")]
    AppId,
    /// The application's uid (its id when it has none).
    #[serde(rename = "app.uid")]
    AppUid,
    #[serde(rename = "app.name")]
    AppName,
    /// `true` for live applications, `false` for test ones.
    #[serde(rename = "app.live")]
    AppLive,
    #[serde(rename = "payload")]
    Payload,
}

/// How a signature is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SignatureEncoding)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    #[default]
    Hex,
    Base64,
}

/// Which secret keys an HMAC: the endpoint's signing secret (its full text)
/// or the application's credential (e.g. the customer's API key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SignatureKey)]
#[serde(rename_all = "kebab-case")]
pub enum KeySource {
    #[default]
    EndpointSecret,
    AppCredential,
}

/// How deliveries are signed (`scheme`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "scheme", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Signature {
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`.
    StandardWebhooks,
    /// HMAC-SHA256 of the body in `header`.
    HmacSha256 {
        header: String,
        #[serde(default)]
        encoding: Encoding,
        #[serde(default)]
        key: KeySource,
    },
    /// HMAC-SHA1 of the body in `header`.
    HmacSha1 {
        header: String,
        #[serde(default)]
        encoding: Encoding,
        #[serde(default)]
        key: KeySource,
    },
    /// `header` carries the credential chosen for the endpoint (or, failing
    /// that, the application) verbatim, e.g. `Authorization`.
    StaticHeader {
        header: String,
    },
    None,
}

/// A retry policy: a built-in name, an explicit list of waits, or an
/// exponential rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum RetrySpec {
    /// `default`, `hourly-3-days`, `exponential-short` or `none`.
    Named(String),
    Schedule {
        /// The waits, in seconds, before each retry (each at most 30 days).
        #[schema(max_items = 1000, value_type = Vec<RetryDelay>)]
        schedule_secs: Vec<u64>,
        /// The fraction each wait may move either way, 0 to 1.
        #[serde(default)]
        #[schema(minimum = 0, maximum = 1)]
        jitter: f64,
        /// No retry later than this long after the event was published
        /// (at most a year).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(maximum = 31_536_000)]
        max_age_secs: Option<u64>,
    },
    Exponential {
        /// The first wait, in seconds (at most 30 days).
        #[schema(maximum = 2_592_000)]
        initial_secs: u64,
        #[schema(minimum = 1, maximum = 100)]
        factor: f64,
        /// The longest wait, in seconds (at most 30 days).
        #[schema(maximum = 2_592_000)]
        max_delay_secs: u64,
        #[schema(minimum = 1, maximum = 1000)]
        max_attempts: u32,
        #[serde(default)]
        #[schema(minimum = 0, maximum = 1)]
        jitter: f64,
        /// No retry later than this long after the event was published
        /// (at most a year).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(maximum = 31_536_000)]
        max_age_secs: Option<u64>,
    },
}

/// The longest `max_age_secs` a retry setting takes: a year.
const MAX_AGE_SECS: u64 = 365 * 86_400;

/// The built-in retry policies, by name (see [`RetrySpec::policy`]).
pub const RETRY_NAMES: [&str; 4] = ["default", "hourly-3-days", "exponential-short", "none"];

/// One wait of a retry schedule, in seconds (at most 30 days).
#[derive(utoipa::ToSchema)]
#[schema(value_type = u64, minimum = 0, maximum = 2_592_000)]
#[allow(dead_code)]
struct RetryDelay(u64);

/// A status code that counts as delivered (200 to 299).
#[derive(utoipa::ToSchema)]
#[schema(value_type = u16, minimum = 200, maximum = 299)]
#[allow(dead_code)]
struct SuccessStatus(u16);

impl RetrySpec {
    /// How long after publication retries may still happen, if limited.
    pub fn max_age(&self) -> Option<Duration> {
        match self {
            Self::Named(_) => None,
            Self::Schedule { max_age_secs, .. } | Self::Exponential { max_age_secs, .. } => {
                max_age_secs.map(Duration::from_secs)
            }
        }
    }

    /// The policy, or `None` for `default` (the configured schedule).
    pub fn policy(&self) -> Result<Option<RetryPolicy>, ParseError> {
        let secs = |v: &[u64]| v.iter().map(|s| Duration::from_secs(*s)).collect::<Vec<_>>();
        if self.max_age().is_some_and(|a| a.as_secs() > MAX_AGE_SECS) {
            return Err(ParseError::new("retry.max_age_secs must be at most a year"));
        }
        match self {
            Self::Named(name) => match name.as_str() {
                "default" => Ok(None),
                "hourly-3-days" => RetryPolicy::new(vec![Duration::from_secs(3_600); 71], 0.0).map(Some),
                "exponential-short" => RetryPolicy::new(secs(&[60, 300, 900, 3_600, 14_400]), 0.0).map(Some),
                "none" => RetryPolicy::new(vec![], 0.0).map(Some),
                other => Err(ParseError::new(format!(
                    "unknown retry policy `{other}` (default, hourly-3-days, exponential-short, none)"
                ))),
            },
            Self::Schedule { schedule_secs, jitter, .. } => RetryPolicy::new(secs(schedule_secs), *jitter).map(Some),
            Self::Exponential { initial_secs, factor, max_delay_secs, max_attempts, jitter, .. } => {
                if *max_attempts == 0 || *max_attempts > 1_000 || !(1.0..=100.0).contains(factor) {
                    return Err(ParseError::new("exponential retries need 1..=1000 attempts and a factor of 1 to 100"));
                }
                let longest = crate::retry::MAX_DELAY.as_secs();
                if *initial_secs > longest || *max_delay_secs > longest {
                    return Err(ParseError::new(
                        "exponential retries wait at most 30 days (initial_secs, max_delay_secs)",
                    ));
                }
                let cap = *max_delay_secs as f64;
                let mut delays = Vec::new();
                let mut d = (*initial_secs as f64).min(cap);
                for _ in 1..*max_attempts {
                    delays.push(Duration::from_secs_f64(d.min(cap)));
                    d = (d * factor).min(cap);
                }
                RetryPolicy::new(delays, *jitter).map(Some)
            }
        }
    }
}

/// What a profile needs to know about the application and the message.
pub struct Context<'a> {
    pub msg_id: &'a str,
    pub event_type: &'a str,
    pub timestamp: Timestamp,
    pub payload: &'a str,
    pub app_id: &'a str,
    pub app_uid: Option<&'a str>,
    pub app_name: &'a str,
    pub app_live: bool,
    /// The endpoint's signing secret (`whsec_…` or `whsk_…`).
    pub secret: &'a EndpointSecret,
    /// During a rotation's grace period, the replaced secret: the Standard
    /// Webhooks signature then carries a second entry (`v1,` or `v1a,`).
    pub previous: Option<&'a EndpointSecret>,
    /// The endpoint's credential, else the application's.
    pub credential: Option<&'a str>,
}

impl Profile {
    /// Parses and checks a profile given as JSON.
    pub fn from_json(v: &Value) -> Result<Self, ParseError> {
        let p: Self = serde_json::from_value(v.clone()).map_err(|e| ParseError::new(e.to_string()))?;
        p.check()?;
        Ok(p)
    }

    pub fn check(&self) -> Result<(), ParseError> {
        if let Some(r) = &self.retry {
            r.policy()?;
        }
        for (pattern, spec) in self.retry_by_event_type.iter().flatten() {
            crate::event_type::EventPattern::parse(pattern)
                .map_err(|e| ParseError::new(format!("retry_by_event_type: {e}")))?;
            spec.policy().map_err(|e| ParseError::new(format!("retry_by_event_type `{pattern}`: {e}")))?;
        }
        if self.retry_by_event_type.as_ref().is_some_and(|m| m.len() > 100) {
            return Err(ParseError::new("retry_by_event_type has at most 100 entries"));
        }
        if let Some(rule) = &self.auto_disable {
            rule.check()?;
        }
        if let Some(r) = &self.rate_limit {
            r.check()?;
        }
        if let Some(r) = &self.app_rate_limit {
            r.check().map_err(|e| ParseError::new(format!("app_{e}")))?;
        }
        if let Some(c) = &self.circuit_breaker {
            c.check()?;
        }
        if matches!(self.max_endpoints, Some(0)) || self.max_endpoints.is_some_and(|n| n > 10_000) {
            return Err(ParseError::new("max_endpoints must be between 1 and 10000"));
        }
        if matches!(self.max_in_flight, Some(0)) || self.max_in_flight.is_some_and(|n| n > 10_000) {
            return Err(ParseError::new("max_in_flight must be between 1 and 10000"));
        }
        if let Some(codes) = &self.success_status {
            if codes.is_empty() || codes.len() > 20 || codes.iter().any(|c| !(200..300).contains(c)) {
                return Err(ParseError::new("success_status must list 1 to 20 status codes, each 200 to 299"));
            }
        }
        if let Some(t) = self.timeout_ms {
            if !(100..=60_000).contains(&t) {
                return Err(ParseError::new("timeout_ms must be between 100 and 60000"));
            }
        }
        for name in self.headers.iter().flatten().map(|(k, _)| k) {
            let lower = name.to_ascii_lowercase();
            let token = !lower.is_empty()
                && lower.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token || crate::endpoint::controls_sending(&lower) {
                return Err(ParseError::new(format!("`{name}` cannot be a profile header")));
            }
        }
        if let Some(env) = &self.envelope {
            for f in &env.fields {
                if f.value.is_some() == f.constant.is_some() {
                    return Err(ParseError::new(format!(
                        "envelope field `{}` needs exactly one of value or const",
                        f.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// What applies to an endpoint: the application's profile with the
    /// endpoint's overrides on top (either may be absent).
    pub fn effective(app: Option<&Profile>, endpoint: Option<&Profile>) -> Profile {
        match (app, endpoint) {
            (None, None) => Profile::default(),
            (Some(a), None) => a.clone(),
            (None, Some(e)) => e.clone(),
            (Some(a), Some(e)) => a.overridden_by(e),
        }
    }

    /// `self` with every field `over` sets replaced by `over`'s.
    pub fn overridden_by(&self, over: &Profile) -> Profile {
        Profile {
            envelope: over.envelope.clone().or_else(|| self.envelope.clone()),
            signature: over.signature.clone().or_else(|| self.signature.clone()),
            headers: over.headers.clone().or_else(|| self.headers.clone()),
            retry: over.retry.clone().or_else(|| self.retry.clone()),
            timeout_ms: over.timeout_ms.or(self.timeout_ms),
            unique_urls: over.unique_urls.or(self.unique_urls),
            verification: over.verification.clone().or_else(|| self.verification.clone()),
            auto_disable: over.auto_disable.or(self.auto_disable),
            rate_limit: over.rate_limit.or(self.rate_limit),
            app_rate_limit: over.app_rate_limit.or(self.app_rate_limit),
            max_in_flight: over.max_in_flight.or(self.max_in_flight),
            circuit_breaker: over.circuit_breaker.or(self.circuit_breaker),
            ordering: over.ordering.or(self.ordering),
            success_status: over.success_status.clone().or_else(|| self.success_status.clone()),
            retry_by_event_type: over.retry_by_event_type.clone().or_else(|| self.retry_by_event_type.clone()),
            signing: over.signing.or(self.signing),
            max_endpoints: over.max_endpoints.or(self.max_endpoints),
        }
    }

    /// Whether an answer with status `code` counts as delivered: any 2xx,
    /// or exactly the codes of `success_status`.
    pub fn is_success(&self, code: u16) -> bool {
        self.success_status.as_ref().map_or((200..300).contains(&code), |codes| codes.contains(&code))
    }

    /// The retry policy for an event of `event_type`: the entry of
    /// `retry_by_event_type` naming it exactly, else the matching pattern
    /// with the most literal characters (`referral.*` before `*`), else
    /// `retry`. `None` means the configured schedule.
    pub fn retry_for(&self, event_type: &str) -> Option<&RetrySpec> {
        let rules = self.retry_by_event_type.as_ref();
        let exact = rules.and_then(|m| m.get(event_type));
        let pattern = || {
            rules?
                .iter()
                .filter(|(p, _)| crate::event_type::EventPattern::parse(p).is_ok_and(|p| p.matches(event_type)))
                .max_by_key(|(p, _)| p.bytes().filter(|b| *b != b'*').count())
                .map(|(_, spec)| spec)
        };
        exact.or_else(pattern).or(self.retry.as_ref())
    }

    /// The gate this profile puts on an endpoint, if any.
    pub fn gate(&self) -> Option<crate::flow::Gate> {
        crate::flow::Gate::of(self.rate_limit, self.max_in_flight, self.ordering)
    }

    /// Whether an endpoint with this (effective) profile is claimed through
    /// the gates: its own limits, or its application's shared rate.
    pub fn gated(&self) -> bool {
        self.gate().is_some() || self.app_rate_limit.is_some()
    }

    /// The request body.
    pub fn body(&self, cx: &Context<'_>) -> Vec<u8> {
        let Some(env) = &self.envelope else {
            return crate::envelope::standard(cx.msg_id, cx.event_type, cx.timestamp, cx.payload);
        };
        if env.raw {
            return cx.payload.as_bytes().to_vec();
        }
        let mut out = Vec::with_capacity(cx.payload.len() + 128);
        out.push(b'{');
        for (i, f) in env.fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json(&mut out, &Value::String(f.name.clone()));
            out.push(b':');
            match (&f.value, &f.constant) {
                (Some(Source::Payload), _) => out.extend_from_slice(cx.payload.as_bytes()),
                (Some(src), _) => push_json(&mut out, &source_value(*src, cx)),
                (None, Some(c)) => push_json(&mut out, c),
                (None, None) => out.extend_from_slice(b"null"),
            }
        }
        out.push(b'}');
        out
    }

    /// The body of a verification request: the usual envelope around
    /// `{"challenge": ...}`, with `challenge` also at the top level so a
    /// receiver can read it either way.
    pub fn challenge_body(&self, cx: &Context<'_>, challenge: &str) -> Vec<u8> {
        let body = self.body(cx);
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(mut map)) => {
                map.insert("challenge".to_owned(), Value::String(challenge.to_owned()));
                serde_json::to_vec(&Value::Object(map)).unwrap_or(body)
            }
            _ => body,
        }
    }

    /// Headers that carry the signature and the profile's extras.
    pub fn headers(&self, cx: &Context<'_>, body: &[u8], now: Timestamp) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match self.signature.as_ref().unwrap_or(&Signature::StandardWebhooks) {
            Signature::StandardWebhooks => {
                out.push(("webhook-id".to_owned(), cx.msg_id.to_owned()));
                out.push(("webhook-timestamp".to_owned(), now.as_secs().to_string()));
                let mut sig = cx.secret.sign(cx.msg_id, now.as_secs(), body);
                if let Some(old) = cx.previous {
                    sig.push(' ');
                    sig.push_str(&old.sign(cx.msg_id, now.as_secs(), body));
                }
                out.push(("webhook-signature".to_owned(), sig));
            }
            Signature::HmacSha256 { header, encoding, key } => {
                let k = hmac_key(*key, cx);
                out.push((header.clone(), encode(&crate::signing::hmac_sha256(k, body), *encoding)));
            }
            Signature::HmacSha1 { header, encoding, key } => {
                let k = hmac_key(*key, cx);
                let mut mac = Hmac::<Sha1>::new_from_slice(k).expect("HMAC takes any key");
                mac.update(body);
                out.push((header.clone(), encode(&mac.finalize().into_bytes(), *encoding)));
            }
            Signature::StaticHeader { header } => {
                if let Some(c) = cx.credential {
                    out.push((header.clone(), c.to_owned()));
                }
            }
            Signature::None => {}
        }
        for (name, template) in self.headers.iter().flatten() {
            out.push((name.clone(), fill(template, cx)));
        }
        out
    }
}

fn hmac_key<'a>(key: KeySource, cx: &Context<'a>) -> &'a [u8] {
    match key {
        KeySource::EndpointSecret => cx.secret.expose().as_bytes(),
        KeySource::AppCredential => cx.credential.unwrap_or_default().as_bytes(),
    }
}

fn encode(bytes: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Hex => hex::encode(bytes),
        Encoding::Base64 => B64.encode(bytes),
    }
}

fn fill(template: &str, cx: &Context<'_>) -> String {
    template
        .replace("{event.type}", cx.event_type)
        .replace("{message.id}", cx.msg_id)
        .replace("{app.id}", cx.app_id)
        .replace("{app.uid}", cx.app_uid.unwrap_or(cx.app_id))
}

fn source_value(src: Source, cx: &Context<'_>) -> Value {
    match src {
        Source::MessageId => cx.msg_id.into(),
        Source::EventType => cx.event_type.into(),
        Source::Timestamp => cx.timestamp.to_rfc3339().into(),
        Source::TimestampIso => cx.timestamp.to_rfc3339_secs().into(),
        Source::TimestampMs => cx.timestamp.as_millis().into(),
        Source::TimestampSecs => cx.timestamp.as_secs().into(),
        Source::AppId => cx.app_id.into(),
        Source::AppUid => cx.app_uid.unwrap_or(cx.app_id).into(),
        Source::AppName => cx.app_name.into(),
        Source::AppLive => cx.app_live.into(),
        Source::Payload => serde_json::from_str(cx.payload).unwrap_or(Value::Null),
    }
}

fn push_json(out: &mut Vec<u8>, v: &Value) {
    serde_json::to_writer(out, v).expect("writing JSON to a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static SECRET: std::sync::LazyLock<EndpointSecret> =
        std::sync::LazyLock::new(|| EndpointSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap());

    fn cx<'a>(payload: &'a str) -> Context<'a> {
        Context {
            msg_id: "msg_1",
            event_type: "user.created",
            timestamp: Timestamp::from_millis(1_467_155_436_449),
            payload,
            app_id: "app_1",
            app_uid: Some("tenant"),
            app_name: "Tenant",
            app_live: false,
            secret: &SECRET,
            previous: None,
            credential: Some("api-key"),
        }
    }

    #[test]
    fn retry_rules_by_event_type_pick_the_most_specific_match() {
        let p = Profile::from_json(&json!({
            "retry": "hourly-3-days",
            "retry_by_event_type": { "test": "none", "*": "exponential-short", "referral.*": { "schedule_secs": [1] } }
        }))
        .unwrap();
        assert_eq!(p.retry_for("test"), Some(&RetrySpec::Named("none".into())));
        assert_eq!(p.retry_for("referral.converted").unwrap().policy().unwrap().unwrap().max_attempts(), 2);
        assert_eq!(p.retry_for("user.created"), Some(&RetrySpec::Named("exponential-short".into())));
        let plain = Profile { retry_by_event_type: None, ..p.clone() };
        assert_eq!(plain.retry_for("test"), Some(&RetrySpec::Named("hourly-3-days".into())));
        for bad in [json!({ "te st": "none" }), json!({ "test": "sometimes" })] {
            let err = Profile::from_json(&json!({ "retry_by_event_type": bad })).unwrap_err();
            assert!(err.to_string().contains("retry_by_event_type"), "{err}");
        }
    }

    #[test]
    fn a_rotation_signs_with_both_secrets_under_standard_webhooks_only() {
        let body = b"{}";
        let now = Timestamp::from_millis(1_614_265_330_000);
        let old = EndpointSecret::generate();
        let rotating = Context { previous: Some(&old), ..cx("{}") };
        let headers = Profile::default().headers(&rotating, body, now);
        let sig = &headers.iter().find(|(k, _)| k == "webhook-signature").map(|(_, v)| v.clone());
        let expected = format!(
            "{} {}",
            crate::signing::sign(SECRET.key(), "msg_1", now.as_secs(), body),
            crate::signing::sign(old.key(), "msg_1", now.as_secs(), body)
        );
        assert_eq!(sig.as_deref(), Some(expected.as_str()));
        let single = Profile {
            signature: Some(Signature::HmacSha256 {
                header: "x-sig".into(),
                encoding: Encoding::Hex,
                key: KeySource::EndpointSecret,
            }),
            ..Profile::default()
        };
        let plain = single.headers(&cx("{}"), body, now);
        assert_eq!(single.headers(&rotating, body, now), plain, "a single-signature header signs with the new secret");
    }

    #[test]
    fn the_default_profile_is_standard_webhooks() {
        let p = Profile::default();
        let c = cx(r#"{"a":1}"#);
        let body = p.body(&c);
        assert_eq!(body, crate::envelope::standard("msg_1", "user.created", c.timestamp, r#"{"a":1}"#));
        let names: Vec<_> = p.headers(&c, &body, c.timestamp).into_iter().map(|h| h.0).collect();
        assert_eq!(names, ["webhook-id", "webhook-timestamp", "webhook-signature"]);
    }

    #[test]
    fn envelopes_take_fields_in_order_and_raw_sends_the_payload() {
        let v = serde_json::json!({ "envelope": { "fields": [
            { "name": "created", "value": "message.timestamp_ms" },
            { "name": "live", "value": "app.live" },
            { "name": "tenantAlias", "value": "app.uid" },
            { "name": "v", "const": 2 },
            { "name": "data", "value": "payload" }
        ] } });
        let p = Profile::from_json(&v).unwrap();
        let body = String::from_utf8(p.body(&cx(r#"{"z":1,"a":[true]}"#))).unwrap();
        assert_eq!(
            body,
            r#"{"created":1467155436449,"live":false,"tenantAlias":"tenant","v":2,"data":{"z":1,"a":[true]}}"#
        );
        let raw = Profile::from_json(&serde_json::json!({ "envelope": { "raw": true } })).unwrap();
        assert_eq!(raw.body(&cx("[1, 2]")), b"[1, 2]");
    }

    #[test]
    fn success_status_narrows_what_counts_as_delivered() {
        let any = Profile::default();
        assert!(any.is_success(200) && any.is_success(201) && any.is_success(299) && !any.is_success(302));
        let exact = Profile { success_status: Some(vec![200]), ..Profile::default() };
        assert!(exact.is_success(200) && !exact.is_success(201) && !exact.is_success(500));
        assert!(exact.check().is_ok());
        for bad in [vec![], vec![200, 302], vec![500], (200..221).collect()] {
            let p = Profile { success_status: Some(bad), ..Profile::default() };
            assert!(p.check().unwrap_err().to_string().contains("success_status"));
        }
        let merged = exact.overridden_by(&Profile::default());
        assert_eq!(merged.success_status, Some(vec![200]), "an endpoint without its own keeps the application's");
    }

    #[test]
    fn endpoint_settings_override_the_applications_field_by_field() {
        let app = Profile { timeout_ms: Some(5_000), unique_urls: Some(true), ..Profile::default() };
        let ep = Profile { timeout_ms: Some(1_000), signature: Some(Signature::None), ..Profile::default() };
        let merged = app.overridden_by(&ep);
        assert_eq!(merged.timeout_ms, Some(1_000));
        assert_eq!(merged.unique_urls, Some(true));
        assert_eq!(merged.signature, Some(Signature::None));
    }

    #[test]
    fn retry_specs_build_policies() {
        let named = |n: &str| RetrySpec::Named(n.into()).policy().unwrap();
        assert!(named("default").is_none());
        assert_eq!(named("hourly-3-days").unwrap().max_attempts(), 72);
        assert_eq!(named("none").unwrap().max_attempts(), 1);
        let short = named("exponential-short").unwrap();
        let secs: Vec<_> = short.delays().iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [60, 300, 900, 3_600, 14_400]);
        assert!(RetrySpec::Named("weekly".into()).policy().is_err());
        let exp = RetrySpec::Exponential {
            initial_secs: 10,
            factor: 3.0,
            max_delay_secs: 100,
            max_attempts: 5,
            jitter: 0.0,
            max_age_secs: Some(3_600),
        };
        assert_eq!(exp.max_age(), Some(Duration::from_secs(3_600)));
        let longest = serde_json::json!({ "retry": {
            "initial_secs": 2_592_000, "factor": 100.0, "max_delay_secs": 2_592_000, "max_attempts": 3 } });
        let capped = Profile::from_json(&longest).unwrap().retry.unwrap().policy().unwrap().unwrap();
        assert!(capped.delays().iter().all(|d| *d <= crate::retry::MAX_DELAY), "capped, not overflowed");
        for huge in [
            serde_json::json!({ "retry": {
                "initial_secs": u64::MAX, "factor": 100.0, "max_delay_secs": 60, "max_attempts": 3 } }),
            serde_json::json!({ "retry": {
                "initial_secs": 1, "factor": 2.0, "max_delay_secs": 2_592_001, "max_attempts": 3 } }),
            serde_json::json!({ "retry": { "schedule_secs": [1], "max_age_secs": 31_536_001u64 } }),
        ] {
            assert!(Profile::from_json(&huge).is_err(), "{huge} is refused, as the document says");
        }
        let secs: Vec<_> = exp.policy().unwrap().unwrap().delays().iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [10, 30, 90, 100]);
    }

    #[test]
    fn bad_profiles_are_rejected_with_a_reason() {
        for bad in [
            serde_json::json!({ "timeout_ms": 10 }),
            serde_json::json!({ "retry": "weekly" }),
            serde_json::json!({ "headers": { "Content-Type": "text/plain" } }),
            serde_json::json!({ "envelope": { "fields": [{ "name": "x" }] } }),
            serde_json::json!({ "signature": { "scheme": "rot13" } }),
            serde_json::json!({ "unknown": 1 }),
            serde_json::json!({ "retry": { "schedule_secs": [18446744073709551615u64] } }),
        ] {
            assert!(Profile::from_json(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hmac_schemes_sign_the_body_with_the_chosen_key() {
        let p = Profile::from_json(&serde_json::json!({
            "signature": { "scheme": "hmac-sha1", "header": "X-Hook-Signature", "encoding": "base64", "key": "app-credential" },
            "headers": { "X-Event": "{event.type}" }
        }))
        .unwrap();
        let c = cx("{}");
        let h = p.headers(&c, b"{}", c.timestamp);
        let mut mac = Hmac::<Sha1>::new_from_slice(b"api-key").unwrap();
        mac.update(b"{}");
        assert_eq!(h[0], ("X-Hook-Signature".to_owned(), B64.encode(mac.finalize().into_bytes())));
        assert_eq!(h[1], ("X-Event".to_owned(), "user.created".to_owned()));
    }
}
