//! The bench's receiver: a keep-alive HTTP/1.1 server that answers 200 at
//! once and records each arrival's time and `webhook-id`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::serve::ListenerExt;
use axum::Router;

#[derive(Default)]
pub struct Arrivals {
    pub list: Mutex<Vec<(String, Instant)>>,
    delay: Duration,
}

pub struct BenchReceiver {
    pub port: u16,
    pub arrivals: Arc<Arrivals>,
}

impl BenchReceiver {
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_answering_after(Duration::ZERO).await
    }

    /// Records each arrival at once and answers 200 after `delay`.
    pub async fn start_answering_after(delay: Duration) -> anyhow::Result<Self> {
        let arrivals = Arc::new(Arrivals { delay, ..Arrivals::default() });
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
    if !arrivals.delay.is_zero() {
        tokio::time::sleep(arrivals.delay).await;
    }
    StatusCode::OK
}

/// A receiver that accepts connections and never answers (each is held
/// until Herald gives up on it).
pub struct HangingReceiver {
    pub port: u16,
}

impl HangingReceiver {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = tokio::io::AsyncReadExt::read(&mut conn, &mut buf).await {
                        if n == 0 {
                            break;
                        }
                    }
                });
            }
        });
        Ok(Self { port })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }
}
