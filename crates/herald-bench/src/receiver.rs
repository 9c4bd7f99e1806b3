//! The bench's receiver: a keep-alive HTTP/1.1 server that answers 200 at
//! once and records each arrival's time and `webhook-id`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::serve::ListenerExt;
use axum::Router;

#[derive(Default)]
pub struct Arrivals {
    pub list: Mutex<Vec<(String, Instant)>>,
}

pub struct BenchReceiver {
    pub port: u16,
    pub arrivals: Arc<Arrivals>,
}

impl BenchReceiver {
    pub async fn start() -> anyhow::Result<Self> {
        let arrivals = Arc::new(Arrivals::default());
        let router = Router::new().fallback(record).with_state(arrivals.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(Self { port, arrivals })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    pub fn count(&self) -> usize {
        self.arrivals.list.lock().map(|l| l.len()).unwrap_or(0)
    }

    pub fn take(&self) -> Vec<(String, Instant)> {
        self.arrivals.list.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default()
    }
}

async fn record(State(arrivals): State<Arc<Arrivals>>, headers: HeaderMap) -> StatusCode {
    let now = Instant::now();
    let id = headers.get("webhook-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if let Ok(mut list) = arrivals.list.lock() {
        list.push((id, now));
    }
    StatusCode::OK
}
