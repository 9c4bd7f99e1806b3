//! A real HTTP server on port 0 that records what it receives and answers
//! as told: a status, a status with headers, a hang, a redirect.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;

#[derive(Clone, Debug)]
pub enum Reply {
    Status(u16),
    WithHeaders(u16, Vec<(&'static str, String)>),
    /// Answers 200 after this long (longer than the delivery timeout = a timeout).
    Hang(Duration),
    RedirectTo(&'static str),
    /// 200 with `{"<field>": <the request body's field>}` (a challenge echo).
    EchoJsonField(&'static str),
    /// This status with this body, byte for byte.
    WithBody(u16, &'static [u8]),
}

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// When it arrived.
    pub at: std::time::Instant,
    /// The status it was answered with (200 for a hang).
    pub status: u16,
    /// The address the request came from.
    pub peer: std::net::SocketAddr,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("body is JSON")
    }

    pub fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("body is UTF-8")
    }
}

#[derive(Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Reply>>,
    default: Mutex<Option<Reply>>,
    /// Requests being answered now, and the most there were at once.
    open: Mutex<(usize, usize)>,
}

/// Counts a request as open until dropped (also when the client hangs up).
struct Open<'a>(&'a Mutex<(usize, usize)>);

impl<'a> Open<'a> {
    fn new(m: &'a Mutex<(usize, usize)>) -> Self {
        let mut g = m.lock().unwrap();
        g.0 += 1;
        g.1 = g.1.max(g.0);
        drop(g);
        Self(m)
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.0.lock().unwrap().0 -= 1;
    }
}

#[derive(Clone)]
pub struct TestReceiver {
    inner: Arc<Inner>,
    pub port: u16,
}

impl TestReceiver {
    pub async fn start() -> Self {
        let inner = Arc::new(Inner::default());
        let router = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        Self { inner, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The next requests get these replies, in order; then the default.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.script.lock().unwrap().extend(replies);
    }

    /// What every unscripted request gets (200 unless set).
    pub fn set_default(&self, reply: Reply) {
        *self.inner.default.lock().unwrap() = Some(reply);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().unwrap().clone()
    }

    pub fn received_on(&self, path: &str) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.path == path).collect()
    }

    /// Waits (up to 10 s) until at least `n` requests arrived on `path`.
    pub async fn wait_for(&self, path: &str, n: usize) -> Vec<Received> {
        self.wait_for_within(path, n, Duration::from_secs(10)).await
    }

    /// Waits (up to `limit`) until at least `n` requests arrived on `path`.
    pub async fn wait_for_within(&self, path: &str, n: usize, limit: Duration) -> Vec<Received> {
        let end = std::time::Instant::now() + limit;
        loop {
            let got = self.received_on(path);
            if got.len() >= n {
                return got;
            }
            assert!(std::time::Instant::now() < end, "expected {n} requests on {path}, got {}", got.len());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The most requests that were being answered at once.
    pub fn max_concurrent(&self) -> usize {
        self.inner.open.lock().unwrap().1
    }

    /// How many requests arrived in all (cheaper than `received()`).
    pub fn count(&self) -> usize {
        self.inner.received.lock().unwrap().len()
    }
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let headers = headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())).collect();
    let echo_source: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let _open = Open::new(&inner.open);
    let at = std::time::Instant::now();
    let reply = {
        // Recorded under the same lock as the script is read, so the n-th
        // request recorded is the one that got the n-th scripted reply.
        let mut received = inner.received.lock().unwrap();
        let scripted = inner.script.lock().unwrap().pop_front();
        let reply = scripted.or_else(|| inner.default.lock().unwrap().clone()).unwrap_or(Reply::Status(200));
        let status = match &reply {
            Reply::Status(c) | Reply::WithHeaders(c, _) | Reply::WithBody(c, _) => *c,
            Reply::Hang(_) | Reply::EchoJsonField(_) => 200,
            Reply::RedirectTo(_) => 302,
        };
        received.push(Received { path: uri.path().to_owned(), headers, body: body.to_vec(), at, status, peer });
        reply
    };
    match reply {
        Reply::Status(code) => (StatusCode::from_u16(code).unwrap(), "ok").into_response(),
        Reply::WithHeaders(code, hs) => {
            let mut resp = (StatusCode::from_u16(code).unwrap(), "busy").into_response();
            for (k, v) in hs {
                resp.headers_mut().insert(k, v.parse().unwrap());
            }
            resp
        }
        Reply::Hang(d) => {
            tokio::time::sleep(d).await;
            (StatusCode::OK, "late").into_response()
        }
        Reply::WithBody(code, body) => (StatusCode::from_u16(code).unwrap(), body).into_response(),
        Reply::RedirectTo(to) => (StatusCode::FOUND, [("location", to)], "moved").into_response(),
        Reply::EchoJsonField(field) => {
            let echoed = serde_json::json!({ field: echo_source.get(field).cloned().unwrap_or(Value::Null) });
            (StatusCode::OK, [("content-type", "application/json")], echoed.to_string()).into_response()
        }
    }
}
