//! Bearer-token authentication. The root admin token (configured, or
//! generated on first start) and the tokens created through the API; of
//! each only a SHA-256 is kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use herald_core::rate::TokenBucket;
use herald_core::{AppId, Clock, Timestamp, TokenId};
use herald_store::{Store, TokenScope};

use crate::error::ApiError;

const TOKEN_HASH_KEY: &str = "admin_token_sha256";

#[derive(Clone)]
pub struct AdminToken {
    hash: [u8; 32],
}

pub fn sha256(s: &str) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
    let mut out = [0; 32];
    out.copy_from_slice(d.as_ref());
    out
}

impl AdminToken {
    pub fn from_plain(token: &str) -> Self {
        Self { hash: sha256(token) }
    }

    pub fn matches(&self, presented: &str) -> bool {
        let other = sha256(presented);
        // Compare every byte so timing says nothing about where they differ.
        self.hash.iter().zip(other.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    /// The configured token, else the stored one, else a new one: returned
    /// as plain text (to be shown once) with its hash saved.
    pub async fn load_or_generate(configured: &str, store: &dyn Store) -> anyhow::Result<(Self, Option<String>)> {
        if !configured.is_empty() {
            return Ok((Self::from_plain(configured), None));
        }
        if let Some(stored) = store.get_setting(TOKEN_HASH_KEY).await? {
            let bytes = hex::decode(stored.trim())?;
            let hash: [u8; 32] =
                bytes.try_into().map_err(|_| anyhow::anyhow!("stored admin token hash has the wrong length"))?;
            return Ok((Self { hash }, None));
        }
        let token = format!("hrld_{}", hex::encode(rand::random::<[u8; 24]>()));
        let me = Self::from_plain(&token);
        store.put_setting(TOKEN_HASH_KEY, &hex::encode(me.hash)).await?;
        Ok((me, Some(token)))
    }
}

/// Who is calling, for the handlers that need to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Admin,
    App(AppId),
}

/// Per-token request rates (0 = unlimited), per node.
#[derive(Clone, Copy, Debug)]
pub struct Rates {
    pub admin_per_sec: u32,
    pub app_per_sec: u32,
}

/// The authenticator: the root admin token (configured or generated), the
/// API-created tokens in the store, and their rate limits.
pub struct Auth {
    pub root: AdminToken,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub rates: Rates,
    buckets: Mutex<HashMap<[u8; 32], TokenBucket>>,
    touched: Mutex<HashMap<TokenId, i64>>,
}

/// How often a token's `last_used_at` is written at most.
const TOUCH_EVERY_MS: i64 = 60_000;

impl Auth {
    pub fn new(root: AdminToken, store: Arc<dyn Store>, clock: Arc<dyn Clock>, rates: Rates) -> Self {
        Self { root, store, clock, rates, buckets: Mutex::default(), touched: Mutex::default() }
    }

    async fn principal(&self, presented: &str) -> Result<(Principal, [u8; 32]), ApiError> {
        if self.root.matches(presented) {
            return Ok((Principal::Admin, self.root.hash));
        }
        let hash = sha256(presented);
        let token = self.store.token_by_hash(&hex::encode(hash)).await?;
        let token = token.ok_or_else(|| ApiError::unauthorized("invalid token"))?;
        let now = self.clock.now();
        if token.expires_at.is_some_and(|e| e.as_millis() <= now.as_millis()) {
            return Err(ApiError::unauthorized("this token has expired"));
        }
        self.touch(&token.id, now);
        let principal = match token.scope {
            TokenScope::Admin => Principal::Admin,
            TokenScope::App(app) => Principal::App(app),
        };
        Ok((principal, hash))
    }

    /// Marks the token used, at most once a minute, off the request's path.
    fn touch(&self, id: &TokenId, now: Timestamp) {
        let mut touched = self.touched.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let last = touched.get(id).copied().unwrap_or(i64::MIN);
        if now.as_millis().saturating_sub(last) < TOUCH_EVERY_MS {
            return;
        }
        touched.insert(id.clone(), now.as_millis());
        let (store, id) = (self.store.clone(), id.clone());
        tokio::spawn(async move {
            if let Err(e) = store.touch_token(&id, now).await {
                tracing::debug!(error = %e, "could not record a token's use");
            }
        });
    }

    fn limit(&self, principal: &Principal, key: [u8; 32]) -> Result<(), ApiError> {
        let rate = match principal {
            Principal::Admin => self.rates.admin_per_sec,
            Principal::App(_) => self.rates.app_per_sec,
        };
        if rate == 0 {
            return Ok(());
        }
        let now = self.clock.now().as_millis();
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let rate = f64::from(rate);
        let bucket = buckets.entry(key).or_insert_with(|| TokenBucket::new(rate, 2.0 * rate, now));
        bucket.take(now).map_err(|wait_ms| ApiError::rate_limited(wait_ms.div_ceil(1000)))
    }
}

/// Authenticates every `/api/v1` request, applies the token's rate limit,
/// and keeps an application-scoped token to its own application.
pub async fn authenticate(State(auth): State<Arc<Auth>>, mut req: Request, next: Next) -> Result<Response, ApiError> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing `Authorization: Bearer <token>` header"))?;
    let presented = header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?
        .trim()
        .to_owned();
    let (principal, key) = auth.principal(&presented).await?;
    auth.limit(&principal, key)?;
    if let Principal::App(own) = &principal {
        crate::scope::check(auth.store.as_ref(), own, crate::scope::Target::of(&req)).await?;
    }
    req.extensions_mut().insert(principal);
    Ok(next.run(req).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_themselves() {
        let t = AdminToken::from_plain("secret");
        assert!(t.matches("secret"));
        assert!(!t.matches("secreT"));
        assert!(!t.matches(""));
    }
}
