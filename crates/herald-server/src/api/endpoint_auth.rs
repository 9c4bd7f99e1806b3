//! An endpoint's `oauth2` and `tls` settings as the API takes and shows
//! them: the client secret and the private key are write-only (kept when an
//! update leaves them out), everything else is shown back.

use herald_core::auth::{ClientAuth, EndpointAuth, OAuth2, TlsAuth};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::endpoints::deliverable_url;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// OAuth2 client credentials: Herald fetches a token from `token_url` and
/// sends it as `Authorization: Bearer …`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct OAuth2Input {
    #[schema(format = "uri", min_length = 1)]
    token_url: String,
    client_id: String,
    /// Write-only; on update, left out keeps the current one.
    client_secret: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    audience: Option<String>,
    /// `basic` (HTTP Basic, the default) or `body` (in the form).
    #[schema(value_type = Option<ClientAuthName>)]
    client_auth: Option<ClientAuth>,
}

/// How the client authenticates to the token URL (`herald_core::auth::ClientAuth`).
#[derive(ToSchema)]
#[schema(as = ClientAuth, rename_all = "lowercase")]
#[allow(dead_code)]
enum ClientAuthName {
    Basic,
    Body,
}

/// TLS towards the receiver: a client certificate (PEM chain and key) and CA
/// certificates to trust besides the public roots.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TlsInput {
    client_cert: Option<String>,
    /// Write-only; on update, left out keeps the current one.
    client_key: Option<String>,
    ca_bundle: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct OAuth2View {
    token_url: String,
    client_id: String,
    scopes: Vec<String>,
    audience: Option<String>,
    #[schema(value_type = String)]
    client_auth: ClientAuth,
}

#[derive(Serialize, ToSchema)]
pub(super) struct TlsView {
    client_cert: Option<String>,
    has_client_key: bool,
    ca_bundle: Option<String>,
}

impl OAuth2View {
    pub(super) fn of(auth: Option<&EndpointAuth>) -> Option<Self> {
        auth.and_then(|a| a.oauth2.as_ref()).map(|o| Self {
            token_url: o.token_url.as_str().to_owned(),
            client_id: o.client_id.clone(),
            scopes: o.scopes.clone(),
            audience: o.audience.clone(),
            client_auth: o.client_auth,
        })
    }
}

impl TlsView {
    pub(super) fn of(auth: Option<&EndpointAuth>) -> Option<Self> {
        auth.and_then(|a| a.tls.as_ref()).map(|t| Self {
            client_cert: t.client_cert.clone(),
            has_client_key: t.client_key.is_some(),
            ca_bundle: t.ca_bundle.clone(),
        })
    }
}

/// The settings after a create (`current` = `None`) or an update: each of
/// `oauth2` and `tls` is left as it is (absent), cleared (`null`) or
/// replaced, the write-only parts kept from `current` when left out.
/// `None` when nothing is set.
pub(super) async fn merge(
    state: &AppState,
    current: Option<&EndpointAuth>,
    oauth2: Option<Option<OAuth2Input>>,
    tls: Option<Option<TlsInput>>,
) -> ApiResult<Option<EndpointAuth>> {
    let mut auth = current.cloned().unwrap_or_default();
    if let Some(o) = oauth2 {
        auth.oauth2 = match o {
            None => None,
            Some(o) => Some(oauth2_from(state, o, current.and_then(|c| c.oauth2.as_ref())).await?),
        };
    }
    if let Some(t) = tls {
        let kept_key = current.and_then(|c| c.tls.as_ref()).and_then(|k| k.client_key.clone());
        auth.tls = t.map(|t| TlsAuth {
            client_key: t.client_key.or(kept_key),
            client_cert: t.client_cert,
            ca_bundle: t.ca_bundle,
        });
    }
    if let Some(t) = &auth.tls {
        t.check().map_err(|e| ApiError::validation("tls", e))?;
        crate::worker::tls::client_config(t).map_err(|e| ApiError::validation("tls", e))?;
    }
    Ok((!auth.is_empty()).then_some(auth))
}

async fn oauth2_from(state: &AppState, o: OAuth2Input, kept: Option<&OAuth2>) -> ApiResult<OAuth2> {
    let token_url = deliverable_url(state, false, "oauth2.token_url", &o.token_url).await?;
    let client_secret = o
        .client_secret
        .or_else(|| kept.map(|k| k.client_secret.clone()))
        .ok_or_else(|| ApiError::validation("oauth2.client_secret", "is required"))?;
    let cfg = OAuth2 {
        token_url,
        client_id: o.client_id,
        client_secret,
        scopes: o.scopes,
        audience: o.audience,
        client_auth: o.client_auth.unwrap_or_default(),
    };
    cfg.check().map_err(|e| ApiError::validation("oauth2", e))?;
    Ok(cfg)
}
