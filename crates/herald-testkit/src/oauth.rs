//! A small OAuth2 authorization server on port 0: the client-credentials
//! grant only (RFC 6749 §4.4). It checks the client (HTTP Basic or the form
//! body), issues numbered tokens (`tok-1`, `tok-2`, …) with the lifetime it
//! is told, can be slowed down or made to refuse, and records every request.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::json;

/// One token request as the server saw it.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub form: BTreeMap<String, String>,
    /// The client id and secret from HTTP Basic, if sent that way.
    pub basic: Option<(String, String)>,
}

struct Inner {
    client_id: String,
    client_secret: String,
    expires_in: AtomicU64,
    delay_ms: AtomicU64,
    issued: AtomicUsize,
    requests: Mutex<Vec<TokenRequest>>,
}

pub struct TokenServer {
    pub port: u16,
    inner: Arc<Inner>,
}

impl TokenServer {
    /// Issues tokens to the client `client_id` / `client_secret`, valid for
    /// an hour unless told otherwise.
    pub async fn start(client_id: &str, client_secret: &str) -> Self {
        let inner = Arc::new(Inner {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            expires_in: AtomicU64::new(3_600),
            delay_ms: AtomicU64::new(0),
            issued: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
        });
        let router = Router::new().route("/token", post(token)).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { port, inner }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// The lifetime (`expires_in`) of the tokens issued from now on.
    pub fn set_expires_in(&self, secs: u64) {
        self.inner.expires_in.store(secs, Ordering::SeqCst);
    }

    /// Answers every token request only after this long.
    pub fn set_delay(&self, delay: Duration) {
        self.inner.delay_ms.store(u64::try_from(delay.as_millis()).unwrap(), Ordering::SeqCst);
    }

    /// How many tokens it issued.
    pub fn issued(&self) -> usize {
        self.inner.issued.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<TokenRequest> {
        self.inner.requests.lock().unwrap().clone()
    }
}

async fn token(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Response {
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| B64.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let dec =
                |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
            Some((dec(id)?, dec(secret)?))
        });
    inner.requests.lock().unwrap().push(TokenRequest { form: form.clone(), basic: basic.clone() });
    let delay = inner.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({ "error": "unsupported_grant_type" }))).into_response();
    }
    let client = basic.or_else(|| Some((form.get("client_id")?.clone(), form.get("client_secret")?.clone())));
    if client != Some((inner.client_id.clone(), inner.client_secret.clone())) {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({ "error": "invalid_client" }))).into_response();
    }
    let n = inner.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let answer = json!({
        "access_token": format!("tok-{n}"),
        "token_type": "Bearer",
        "expires_in": inner.expires_in.load(Ordering::SeqCst),
        "scope": form.get("scope"),
    });
    axum::Json(answer).into_response()
}
