//! A hostile receiver over a raw socket: it answers 200 and then sends a
//! chunked body that never ends, as fast as it can or one byte at a time.
//! It counts what it sent and how many of its connections are still open,
//! so a test can see that the sender stopped reading and let go.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy, Debug)]
pub enum Body {
    /// 64 KiB chunks, as fast as the socket takes them.
    Endless,
    /// One byte per interval.
    Drip(Duration),
}

#[derive(Default)]
struct Counters {
    requests: AtomicUsize,
    open: AtomicUsize,
    bytes_sent: AtomicU64,
}

pub struct StreamingReceiver {
    counters: Arc<Counters>,
    pub port: u16,
}

impl StreamingReceiver {
    pub async fn start(body: Body) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let c = c.clone();
                tokio::spawn(async move {
                    c.open.fetch_add(1, Ordering::SeqCst);
                    let _ = serve(tcp, body, &c).await;
                    c.open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Self { counters, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }

    /// Connections whose body is still being sent.
    pub fn open_connections(&self) -> usize {
        self.counters.open.load(Ordering::SeqCst)
    }

    pub fn bytes_sent(&self) -> u64 {
        self.counters.bytes_sent.load(Ordering::SeqCst)
    }
}

/// Reads one request (head and Content-Length body), then streams.
async fn serve(mut tcp: TcpStream, body: Body, c: &Counters) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    c.requests.fetch_add(1, Ordering::SeqCst);
    tcp.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n").await?;
    match body {
        Body::Endless => {
            let data = vec![b'x'; 64 * 1024];
            let frame = [format!("{:x}\r\n", data.len()).into_bytes(), data, b"\r\n".to_vec()].concat();
            loop {
                tcp.write_all(&frame).await?;
                c.bytes_sent.fetch_add(frame.len() as u64, Ordering::SeqCst);
            }
        }
        Body::Drip(every) => loop {
            tcp.write_all(b"1\r\nx\r\n").await?;
            c.bytes_sent.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(every).await;
        },
    }
}
