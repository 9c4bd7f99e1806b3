//! The outbound HTTP client: hyper's pooled keep-alive client with rustls,
//! without a higher-level layer (no redirect handling at all, so a 3xx is
//! simply an answer; no URL re-parsing beyond the request URI). One call
//! sends a POST and reads at most a snippet of the answer, all under one
//! timeout. Connections go through the [`GuardedConnector`], so only
//! destinations the policy allows are ever reached.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use herald_core::auth::TlsAuth;
use herald_core::destination::{DestinationPolicy, Refusal};
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::connect::{GuardedConnector, Refused, Resolve, SystemResolver};
use super::egress::EgressProxy;

type Inner = Client<HttpsConnector<GuardedConnector>, Full<Bytes>>;

/// Clients for endpoints with TLS settings of their own, at most this many
/// (then they are built afresh).
const MAX_TLS_CLIENTS: usize = 1_024;

#[derive(Clone)]
pub struct HttpClient {
    inner: Inner,
    connector: GuardedConnector,
    /// One pooled client per distinct TLS setting (client certificate,
    /// private CA), keyed by a hash of it.
    tls_clients: Arc<Mutex<(RandomState, HashMap<u64, Inner>)>>,
}

/// What came back.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// At most the snippet limit of the body; `None` when empty.
    pub snippet: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("timed out after {} ms", .0.as_millis())]
    Timeout(Duration),
    #[error("invalid URL: {0}")]
    Url(String),
    #[error("connection failed: {0}")]
    Connect(String),
    /// The host resolves only to addresses the policy refuses.
    #[error("{0}")]
    Refused(String),
    #[error("request failed: {0}")]
    Request(String),
    /// The endpoint's TLS settings cannot be used.
    #[error("{0}")]
    Tls(String),
    /// The endpoint's OAuth2 token could not be had.
    #[error("{0}")]
    Auth(String),
}

impl HttpClient {
    /// Pooled connections (idle for up to a minute), TCP_NODELAY, TLS
    /// always verified against the Mozilla root certificates, destinations
    /// checked against `policy` with the system resolver.
    pub fn new(policy: DestinationPolicy) -> Result<Self, std::io::Error> {
        Self::with_resolver(policy, Arc::new(SystemResolver))
    }

    pub fn with_resolver(policy: DestinationPolicy, resolver: Arc<dyn Resolve>) -> Result<Self, std::io::Error> {
        Self::build(policy, resolver, None)
    }

    /// With every connection tunnelled through `proxy`, when given.
    pub fn build(
        policy: DestinationPolicy,
        resolver: Arc<dyn Resolve>,
        proxy: Option<EgressProxy>,
    ) -> Result<Self, std::io::Error> {
        let connector = GuardedConnector {
            policy: Arc::new(policy),
            resolver,
            connect_timeout: Duration::from_secs(10),
            proxy: proxy.map(Arc::new),
        };
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(std::io::Error::other)?;
        let inner = pooled(tls, &connector);
        let tls_clients = Arc::new(Mutex::new((RandomState::new(), HashMap::new())));
        Ok(Self { inner, connector, tls_clients })
    }

    /// The client for requests with the TLS settings `tls`.
    fn client_for(&self, tls: &TlsAuth) -> Result<Inner, SendError> {
        let text = serde_json::to_string(tls).map_err(|e| SendError::Tls(e.to_string()))?;
        let mut cache = self.tls_clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = cache.0.hash_one(&text);
        if let Some(client) = cache.1.get(&key) {
            return Ok(client.clone());
        }
        let config = super::tls::client_config(tls).map_err(SendError::Tls)?;
        let client = pooled(hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config), &self.connector);
        if cache.1.len() >= MAX_TLS_CLIENTS {
            cache.1.clear();
        }
        cache.1.insert(key, client.clone());
        Ok(client)
    }

    /// Why `url` can never be delivered to as its host resolves now, if
    /// so. A host that does not resolve at all passes (its DNS may not be
    /// set up yet); every delivery checks again.
    pub async fn refusal(&self, url: &herald_core::endpoint::EndpointUrl) -> Option<(String, Refusal)> {
        let (host, port, https) = url.target();
        match self.connector.allowed_addrs(&host, port, https).await {
            Err(e) => e.downcast_ref::<Refused>().map(|r| (r.to_string(), r.why.clone())),
            Ok(_) => None,
        }
    }

    /// POSTs `body` to `url`; the whole exchange (connect, send, read the
    /// snippet) must finish within `timeout`.
    pub async fn post(
        &self,
        url: &str,
        headers: HeaderMap,
        body: impl Into<Bytes>,
        timeout: Duration,
        snippet_limit: usize,
    ) -> Result<Answer, SendError> {
        self.post_with(None, url, headers, body, timeout, snippet_limit).await
    }

    /// [`Self::post`] with an endpoint's own TLS settings, if any.
    pub async fn post_with(
        &self,
        tls: Option<&TlsAuth>,
        url: &str,
        headers: HeaderMap,
        body: impl Into<Bytes>,
        timeout: Duration,
        snippet_limit: usize,
    ) -> Result<Answer, SendError> {
        let own;
        let client = match tls {
            None => &self.inner,
            Some(t) => {
                own = self.client_for(t)?;
                &own
            }
        };
        let uri: Uri = url.parse().map_err(|e: http::uri::InvalidUri| SendError::Url(e.to_string()))?;
        let mut req = Request::new(Full::new(body.into()));
        *req.method_mut() = Method::POST;
        *req.uri_mut() = uri;
        *req.headers_mut() = headers;
        let exchange = async {
            let resp = client.request(req).await.map_err(|e| {
                let chain = with_tls_hint(error_chain(&e));
                if let Some(refused) = find::<Refused>(&e) {
                    SendError::Refused(refused.to_string())
                } else if e.is_connect() {
                    SendError::Connect(chain)
                } else {
                    SendError::Request(chain)
                }
            })?;
            let (parts, mut body) = resp.into_parts();
            let mut buf = Vec::new();
            while buf.len() < snippet_limit {
                match body.frame().await {
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            buf.extend_from_slice(&data[..data.len().min(snippet_limit - buf.len())]);
                        }
                    }
                    // A body cut short still leaves the status as the answer.
                    Some(Err(_)) | None => break,
                }
            }
            Ok(Answer { status: parts.status, headers: parts.headers, snippet: snippet(&buf, snippet_limit) })
        };
        tokio::time::timeout(timeout, exchange).await.map_err(|_| SendError::Timeout(timeout))?
    }
}

/// A pooled HTTP/1 client (idle connections kept a minute) over `connector`
/// with the TLS of `tls`.
fn pooled(
    tls: hyper_rustls::HttpsConnectorBuilder<hyper_rustls::builderstates::WantsSchemes>,
    connector: &GuardedConnector,
) -> Inner {
    let https = tls.https_or_http().enable_http1().wrap_connector(connector.clone());
    Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(60)).build(https)
}

/// The body's first bytes as text; a cut that splits a character is
/// trimmed, and NUL characters (which no database stores as text) are shown
/// as U+FFFD, so a receiver's answer can never make an outcome unstorable.
fn snippet(buf: &[u8], limit: usize) -> Option<String> {
    if buf.is_empty() {
        return None;
    }
    let mut text = String::from_utf8_lossy(buf).replace('\0', "\u{fffd}");
    if text.len() > limit {
        text.truncate(text.floor_char_boundary(limit));
    }
    Some(text)
}

/// `chain` with a word on what a TLS alert from the receiver means.
fn with_tls_hint(chain: String) -> String {
    let hint = if chain.contains("alert: CertificateRequired") {
        "the receiver requires a client certificate (set the endpoint's tls.client_cert and tls.client_key)"
    } else if ["alert: UnknownCA", "alert: BadCertificate", "alert: CertificateUnknown", "alert: AccessDenied"]
        .iter()
        .any(|a| chain.contains(a))
    {
        "the receiver refused the client certificate"
    } else if chain.contains("invalid peer certificate") {
        "the receiver's certificate is not trusted (a private CA goes in the endpoint's tls.ca_bundle)"
    } else {
        return chain;
    };
    format!("{chain} ({hint})")
}

/// The first error of type `T` in `e`'s source chain.
fn find<'a, T: std::error::Error + 'static>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a T> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        cur = err.source();
    }
    None
}

/// An error and its sources, joined with ": ".
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_snippet_is_valid_text_without_nul() {
        assert_eq!(super::snippet(b"ok\0\xff", 100).as_deref(), Some("ok\u{fffd}\u{fffd}"));
        assert_eq!(super::snippet("é".as_bytes(), 1).as_deref(), Some(""));
        assert_eq!(super::snippet(b"", 10), None);
    }
}
