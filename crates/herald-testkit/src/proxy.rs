//! A TCP proxy on port 0 in front of a real server (PostgreSQL), which a
//! test can cut (every connection dropped, new ones refused) and restore:
//! a database outage without stopping the database other tests share.

use std::sync::Arc;

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct TcpProxy {
    pub port: u16,
    up: Arc<watch::Sender<bool>>,
}

impl TcpProxy {
    /// Forwards connections on a fresh local port to `target` (`host:port`).
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(watch::channel(true).0);
        let target = target.to_owned();
        let state = up.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !*state.borrow() {
                    drop(client);
                    continue;
                }
                let (target, mut down) = (target.clone(), state.subscribe());
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else { return };
                    let mut client = client;
                    tokio::select! {
                        _ = copy_bidirectional(&mut client, &mut server) => {}
                        _ = down.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { port, up }
    }

    /// Drops every open connection and refuses new ones until [`restore`](Self::restore).
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

/// Which protocol a [`ConnectProxy`] speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyProtocol {
    /// HTTP `CONNECT host:port`.
    HttpConnect,
    /// SOCKS5 (RFC 1928), with user/password auth (RFC 1929) when set.
    Socks5,
}

/// A forward proxy on port 0, as an egress proxy: it tunnels each
/// connection to the target its client names, and records the targets and
/// the local address of each outbound connection (what the receiver sees
/// as its peer).
pub struct ConnectProxy {
    pub port: u16,
    state: Arc<ProxyState>,
}

#[derive(Default)]
struct ProxyState {
    targets: std::sync::Mutex<Vec<String>>,
    outbound: std::sync::Mutex<Vec<std::net::SocketAddr>>,
    credentials: Option<(String, String)>,
}

impl ConnectProxy {
    pub async fn start(protocol: ProxyProtocol, credentials: Option<(&str, &str)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(ProxyState {
            credentials: credentials.map(|(u, p)| (u.to_owned(), p.to_owned())),
            ..ProxyState::default()
        });
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = match protocol {
                        ProxyProtocol::HttpConnect => http_connect(client, &state).await,
                        ProxyProtocol::Socks5 => socks5(client, &state).await,
                    };
                });
            }
        });
        Self { port, state }
    }

    /// The targets clients asked for (`ip:port` or `host:port`), in order.
    pub fn targets(&self) -> Vec<String> {
        self.state.targets.lock().unwrap().clone()
    }

    /// The local addresses of the connections it made on its clients' behalf.
    pub fn outbound(&self) -> Vec<std::net::SocketAddr> {
        self.state.outbound.lock().unwrap().clone()
    }
}

async fn open(target: &str, state: &ProxyState) -> std::io::Result<TcpStream> {
    state.targets.lock().unwrap().push(target.to_owned());
    let upstream = TcpStream::connect(target).await?;
    state.outbound.lock().unwrap().push(upstream.local_addr()?);
    Ok(upstream)
}

async fn http_connect(mut client: TcpStream, state: &ProxyState) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(client.read_u8().await?);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let target = head.split_whitespace().nth(1).unwrap_or_default().to_owned();
    if let Some((user, pass)) = &state.credentials {
        let expected = format!("proxy-authorization: basic {}", base64_encode(&format!("{user}:{pass}")));
        if !head.to_ascii_lowercase().lines().any(|l| l.trim() == expected.to_ascii_lowercase()) {
            client.write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n").await?;
            return Ok(());
        }
    }
    if !head.starts_with("CONNECT ") {
        client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n").await?;
        return Ok(());
    }
    let Ok(mut upstream) = open(&target, state).await else {
        client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n").await?;
        return Ok(());
    };
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await?;
    copy_bidirectional(&mut client, &mut upstream).await.map(|_| ())
}

async fn socks5(mut client: TcpStream, state: &ProxyState) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let bad = || std::io::Error::other("bad SOCKS5 request");
    let mut greeting = [0_u8; 2];
    client.read_exact(&mut greeting).await?;
    let mut methods = vec![0_u8; usize::from(greeting[1])];
    client.read_exact(&mut methods).await?;
    if let Some((user, pass)) = &state.credentials {
        if !methods.contains(&2) {
            client.write_all(&[5, 0xff]).await?;
            return Ok(());
        }
        client.write_all(&[5, 2]).await?;
        let ver = client.read_u8().await?;
        let got_user = read_short(&mut client).await?;
        let got_pass = read_short(&mut client).await?;
        let ok = ver == 1 && got_user == user.as_bytes() && got_pass == pass.as_bytes();
        client.write_all(&[1, u8::from(!ok)]).await?;
        if !ok {
            return Ok(());
        }
    } else {
        client.write_all(&[5, 0]).await?;
    }
    let mut req = [0_u8; 4];
    client.read_exact(&mut req).await?;
    if req[0] != 5 || req[1] != 1 {
        return Err(bad());
    }
    let host = match req[3] {
        1 => {
            let mut ip = [0_u8; 4];
            client.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        4 => {
            let mut ip = [0_u8; 16];
            client.read_exact(&mut ip).await?;
            format!("[{}]", std::net::Ipv6Addr::from(ip))
        }
        3 => String::from_utf8_lossy(&read_short(&mut client).await?).to_string(),
        _ => return Err(bad()),
    };
    let port = client.read_u16().await?;
    let Ok(mut upstream) = open(&format!("{host}:{port}"), state).await else {
        client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
        return Ok(());
    };
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    copy_bidirectional(&mut client, &mut upstream).await.map(|_| ())
}

async fn read_short(s: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let len = s.read_u8().await?;
    let mut buf = vec![0_u8; usize::from(len)];
    s.read_exact(&mut buf).await?;
    Ok(buf)
}

fn base64_encode(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}
