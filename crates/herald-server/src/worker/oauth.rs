//! OAuth2 client credentials: one token per endpoint, fetched from its token
//! endpoint when first needed, reused by every delivery on this node until
//! shortly before it expires, and fetched again then or when the receiver
//! answers 401 to it. One fetch at a time per endpoint: deliveries that need
//! a token while one is being fetched wait for that one (no stampede).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use herald_core::auth::{ClientAuth, OAuth2, Token};
use herald_core::{Clock, EndpointId, Timestamp};
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::HeaderMap;

use super::http::{HttpClient, SendError};

/// The largest token response read.
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

#[derive(Default)]
struct Slot {
    /// A hash of the settings the token was fetched with: a change of
    /// client, scopes or URL fetches anew.
    settings: u64,
    token: Option<(String, Timestamp)>,
}

/// Tokens by endpoint, for every delivery of this node.
pub struct TokenCache {
    clock: Arc<dyn Clock>,
    hasher: RandomState,
    slots: Mutex<HashMap<EndpointId, Arc<tokio::sync::Mutex<Slot>>>>,
}

impl TokenCache {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock, hasher: RandomState::new(), slots: Mutex::new(HashMap::new()) }
    }

    /// A token for `ep`: the cached one unless it is due for renewal or is
    /// `rejected` (the one a receiver just answered 401 to), else a new one.
    pub async fn bearer(
        &self,
        client: &HttpClient,
        ep: &EndpointId,
        cfg: &OAuth2,
        rejected: Option<&str>,
        timeout: Duration,
    ) -> Result<String, SendError> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            slots.entry(ep.clone()).or_default().clone()
        };
        let mut slot = slot.lock().await;
        let settings = self.hasher.hash_one(serde_json::to_string(cfg).unwrap_or_default());
        if slot.settings == settings {
            if let Some((token, until)) = &slot.token {
                if self.clock.now() < *until && Some(token.as_str()) != rejected {
                    return Ok(token.clone());
                }
            }
        }
        let token = fetch(client, cfg, timeout).await?;
        let until = self.clock.now().plus(token.reuse_for());
        slot.settings = settings;
        slot.token = Some((token.access_token.clone(), until));
        Ok(token.access_token)
    }
}

/// One token request (RFC 6749 §4.4.2); errors name the token endpoint.
async fn fetch(client: &HttpClient, cfg: &OAuth2, timeout: Duration) -> Result<Token, SendError> {
    let url = cfg.token_url.as_str();
    let fail = |why: String| SendError::Auth(format!("OAuth2 token endpoint {url}: {why}"));
    let mut headers = HeaderMap::with_capacity(4);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, HeaderValue::from_static(super::sender::USER_AGENT_VALUE));
    if cfg.client_auth == ClientAuth::Basic {
        // RFC 6749 §2.3.1: the id and secret are form-encoded, then joined.
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let basic = B64.encode(format!("{}:{}", enc(&cfg.client_id), enc(&cfg.client_secret)));
        let value = HeaderValue::try_from(format!("Basic {basic}")).map_err(|e| fail(e.to_string()))?;
        headers.insert(AUTHORIZATION, value);
    }
    let answer = client
        .post(url, headers, cfg.token_request_body(), timeout, MAX_TOKEN_RESPONSE)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let body = answer.snippet.unwrap_or_default();
    if !answer.status.is_success() {
        let detail = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(|e| format!(" ({e})")))
            .unwrap_or_default();
        return Err(fail(format!("HTTP {}{detail}", answer.status.as_u16())));
    }
    Token::parse(&body).map_err(|e| fail(e.to_string()))
}
