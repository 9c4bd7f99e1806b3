//! The verification handshake: a challenge sent as the profile's
//! verification event; the endpoint is verified when the answer (2xx) echoes
//! it as `{"challenge": ...}`.

use herald_core::delivery::VerifyState;
use herald_core::profile::Verification;
use herald_core::{MessageId, Timestamp};
use herald_store::{Application, Endpoint};
use serde_json::{json, Value};

use super::sender::{context, effective_profile, request_headers, Sender};

/// Runs the handshake for `ep`; returns the new state and, on failure, why.
pub async fn verify(
    sender: &Sender,
    app: &Application,
    ep: &Endpoint,
    v: &Verification,
    now: Timestamp,
) -> (VerifyState, Option<String>) {
    let profile = effective_profile(app, ep);
    let challenge = hex::encode(rand::random::<[u8; 16]>());
    let msg_id = MessageId::generate(now.as_millis());
    let payload = json!({ "challenge": challenge }).to_string();
    let cx = context(app, ep, msg_id.as_str(), &v.event_type, now, &payload, now);
    let body = profile.challenge_body(&cx, &challenge);
    let headers = request_headers(ep, profile.headers(&cx, &body, now));
    let sent = sender.post_to(ep, headers, body, sender.timeout_for(&profile), 64 * 1024).await;
    let answer = match sent {
        Ok(a) => a,
        Err(e) => return (VerifyState::Failed, Some(format!("verification request failed: {e}"))),
    };
    if !answer.status.is_success() {
        return (VerifyState::Failed, Some(format!("verification answered HTTP {}", answer.status.as_u16())));
    }
    let echoed = answer
        .snippet
        .and_then(|b| serde_json::from_str::<Value>(&b).ok())
        .and_then(|v| v.get("challenge").and_then(Value::as_str).map(str::to_owned));
    match echoed {
        Some(c) if c == challenge => (VerifyState::Verified, None),
        Some(_) => (VerifyState::Failed, Some("the answer echoed a different challenge".to_owned())),
        None => (VerifyState::Failed, Some("the answer did not echo the challenge as {\"challenge\": ...}".to_owned())),
    }
}
