//! Bearer-token authentication. Only a SHA-256 of the admin token is kept,
//! in memory and (when generated) in the store.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use herald_store::Store;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

const TOKEN_HASH_KEY: &str = "admin_token_sha256";

#[derive(Clone)]
pub struct AdminToken {
    hash: [u8; 32],
}

fn sha256(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
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

pub async fn require_admin(
    State(token): State<Arc<AdminToken>>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing `Authorization: Bearer <token>` header"))?;
    let presented = header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
    if !token.matches(presented.trim()) {
        return Err(ApiError::unauthorized("invalid token"));
    }
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
