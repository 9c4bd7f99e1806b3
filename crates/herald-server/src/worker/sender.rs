//! One delivery attempt: build the signed request, send it with the shared
//! client, read a bounded snippet of the answer, and decide what comes next.

use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_core::delivery::{decide, AttemptResult, Decision};
use herald_core::profile::{Context, Profile, RetrySpec};
use herald_core::retry::{parse_retry_after, RetryPolicy};
use herald_core::{AttemptId, Clock, Timestamp};
use herald_store::{Application, AttemptRecord, ClaimedDelivery, Endpoint, NextState, Settlement};
use http::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER, USER_AGENT,
};
use rand::Rng;

use super::http::{Answer, HttpClient, SendError};

/// Least time a request is given; with less lease left it is not sent.
const MIN_SEND_TIME: Duration = Duration::from_millis(100);

pub const USER_AGENT_VALUE: &str = concat!("Herald/", env!("CARGO_PKG_VERSION"), " (webhook delivery)");

/// Everything a send needs besides the delivery itself.
#[derive(Clone)]
pub struct Sender {
    pub client: HttpClient,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<RetryPolicy>,
    pub timeout: Duration,
    pub max_retry_after: Duration,
    pub body_limit: usize,
    /// The auto-disable rule of endpoints whose profile sets none.
    pub auto_disable: herald_core::health::AutoDisable,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// OAuth2 tokens of the endpoints that use them.
    pub tokens: Arc<super::oauth::TokenCache>,
}

impl Sender {
    /// Sends `d` and says what comes next; counted in the metrics and
    /// logged (one line per attempt, target `herald::attempt`).
    pub async fn deliver(&self, d: ClaimedDelivery) -> Settlement {
        let s = self.decide(&d).await;
        let outcome = match &s.next {
            NextState::Delivered => "delivered",
            NextState::RetryAt(_) => "retrying",
            NextState::Failed => "failed",
            NextState::Released => "released",
        };
        let attempt = s.attempt.as_ref().map(|(_, a)| a);
        let status = attempt.and_then(|a| a.status_code);
        self.metrics.delivery(outcome, status, attempt.map(|a| Duration::from_millis(a.latency_ms)));
        if let Some(a) = attempt {
            tracing::info!(
                target: "herald::attempt",
                app_id = %s.app_id, msg_id = %s.msg_id, endpoint_id = %s.endpoint_id,
                attempt = a.attempt_number, status = a.status_code, latency_ms = a.latency_ms, outcome,
                error = a.error.as_deref(),
                "attempt"
            );
        }
        s
    }

    async fn decide(&self, d: &ClaimedDelivery) -> Settlement {
        let mut s = Settlement::unsent(d, NextState::Failed);
        if d.endpoint.disabled {
            s.error = Some("endpoint disabled; not sent".to_owned());
            return s;
        }
        if d.message.expunged_at.is_some() {
            s.error = Some("payload expunged; not sent".to_owned());
            return s;
        }
        // A delivery that waited so long that its lease (renewed while the
        // worker holds it) has nearly run out may be another node's by now:
        // give it back unsent. Once started, the lease is renewed until the
        // request ends, however long the timeout.
        let left = d.leased_until.as_millis().saturating_sub(self.clock.now().as_millis());
        if left < i64::try_from(MIN_SEND_TIME.as_millis()).unwrap_or(0) {
            s.next = NextState::Released;
            return s;
        }
        let profile = effective_profile(&d.app, &d.endpoint);
        let timeout = self.timeout_for(&profile);
        let (record, result) = self.attempt(d, &profile, timeout).await;
        let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
        let spec = profile.retry_for(d.message.event_type.as_str());
        let custom = spec.and_then(|r| r.policy().ok().flatten());
        let policy = custom.as_ref().unwrap_or(&self.policy);
        match decide(result, d.schedule_attempt, policy, jitter, self.max_retry_after) {
            Decision::Delivered => s.next = NextState::Delivered,
            Decision::RetryIn(wait) => {
                let at = self.clock.now().plus(wait);
                let too_old = spec.and_then(RetrySpec::max_age).is_some_and(|max| {
                    at.as_millis() - d.message.created_at.as_millis()
                        > i64::try_from(max.as_millis()).unwrap_or(i64::MAX)
                });
                s.next = if too_old { NextState::Failed } else { NextState::RetryAt(at) };
            }
            Decision::Exhausted => s.next = NextState::Failed,
            Decision::EndpointGone => {
                s.next = NextState::Failed;
                s.disable_endpoint = Some("the endpoint answered 410 Gone".to_owned());
            }
        }
        s.error.clone_from(&record.error);
        s.auto_disable = Some(profile.auto_disable.unwrap_or(self.auto_disable));
        s.circuit = profile.circuit_breaker;
        s.attempt = Some((AttemptId::generate(record.at.as_millis()), record));
        s
    }

    async fn attempt(
        &self,
        d: &ClaimedDelivery,
        profile: &Profile,
        timeout: Duration,
    ) -> (AttemptRecord, AttemptResult) {
        let msg = &d.message;
        let at = self.clock.now();
        let cx =
            context(&d.app, &d.endpoint, msg.id.as_str(), msg.event_type.as_str(), msg.timestamp, &msg.payload, at);
        let body = profile.body(&cx);
        let headers = request_headers(&d.endpoint, profile.headers(&cx, &body, at));

        let started = Instant::now();
        let sent = self.post_to(&d.endpoint, headers, body, timeout, self.body_limit).await;
        let mut record = AttemptRecord {
            attempt_number: d.attempt_number,
            url: d.endpoint.url.as_str().to_owned(),
            at,
            status_code: None,
            error: None,
            latency_ms: 0,
            response_body: None,
            success: false,
        };
        let result = match sent {
            Ok(answer) => {
                let code = answer.status.as_u16();
                let retry_after = answer
                    .headers
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, self.clock.now()));
                if answer.status.is_redirection() {
                    let to = answer.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("?");
                    record.error = Some(format!("redirect to {to} not followed"));
                } else if !answer.status.is_success() {
                    record.error = Some(format!("HTTP {code}"));
                }
                let success = profile.is_success(code);
                if answer.status.is_success() && !success {
                    record.error = Some(format!("HTTP {code} is not one of the endpoint's success_status codes"));
                }
                record.status_code = Some(code);
                record.success = success;
                record.response_body = answer.snippet;
                AttemptResult::Status { code, retry_after, success }
            }
            Err(e) => {
                record.error = Some(e.to_string());
                AttemptResult::NetworkError
            }
        };
        record.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        (record, result)
    }
}

impl Sender {
    /// POSTs to `ep` with its own TLS settings and, when it uses OAuth2, a
    /// bearer token; a 401 to a token is tried once more with a fresh one.
    pub async fn post_to(
        &self,
        ep: &Endpoint,
        mut headers: HeaderMap,
        body: Vec<u8>,
        timeout: Duration,
        limit: usize,
    ) -> Result<Answer, SendError> {
        let tls = ep.auth.as_ref().and_then(|a| a.tls.as_ref());
        let url = ep.url.as_str();
        let Some(oauth) = ep.auth.as_ref().and_then(|a| a.oauth2.as_ref()) else {
            return self.client.post_with(tls, url, headers, body, timeout, limit).await;
        };
        let body = bytes::Bytes::from(body);
        let token = self.tokens.bearer(&self.client, &ep.id, oauth, None, timeout).await?;
        headers.insert(AUTHORIZATION, bearer(&token)?);
        let answer = self.client.post_with(tls, url, headers.clone(), body.clone(), timeout, limit).await?;
        if answer.status != http::StatusCode::UNAUTHORIZED {
            return Ok(answer);
        }
        let fresh = self.tokens.bearer(&self.client, &ep.id, oauth, Some(&token), timeout).await?;
        headers.insert(AUTHORIZATION, bearer(&fresh)?);
        self.client.post_with(tls, url, headers, body, timeout, limit).await
    }

    /// The profile's timeout, else the configured one.
    pub fn timeout_for(&self, profile: &Profile) -> Duration {
        profile.timeout_ms.map_or(self.timeout, Duration::from_millis)
    }
}

fn bearer(token: &str) -> Result<HeaderValue, SendError> {
    HeaderValue::try_from(format!("Bearer {token}")).map_err(|e| SendError::Auth(format!("OAuth2 token: {e}")))
}

/// What a profile needs to shape one request to `ep`.
pub fn context<'a>(
    app: &'a Application,
    ep: &'a Endpoint,
    msg_id: &'a str,
    event_type: &'a str,
    timestamp: Timestamp,
    payload: &'a str,
    now: Timestamp,
) -> Context<'a> {
    Context {
        msg_id,
        event_type,
        timestamp,
        payload,
        app_id: app.id.as_str(),
        app_uid: app.uid.as_deref(),
        app_name: &app.name,
        app_live: app.live,
        secret: &ep.secret,
        previous: ep.previous_secret.as_ref().filter(|(_, until)| *until > now).map(|(s, _)| s),
        credential: ep.credential.as_deref().or(app.credential.as_deref()),
    }
}

/// The endpoint's custom headers, Herald's own, then the profile's
/// (signature and extras).
pub fn request_headers(ep: &Endpoint, profile_headers: Vec<(String, String)>) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(8 + ep.headers.as_map().len());
    for (name, value) in ep.headers.iter() {
        // Checked when the endpoint was saved; skip rather than fail.
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.insert(n, v);
        }
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    for (name, value) in profile_headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.insert(n, v);
        }
    }
    headers
}

/// The application's profile with the endpoint's overrides on top.
pub fn effective_profile(app: &Application, ep: &Endpoint) -> Profile {
    Profile::effective(app.profile.as_ref(), ep.profile.as_ref())
}
