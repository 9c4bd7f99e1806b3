//! The egress proxy (`delivery.proxy_url`): every delivery connection is a
//! tunnel through it, so requests leave from the proxy's fixed address. The
//! destination is resolved and checked by Herald first, and the tunnel is
//! asked for the checked IP address itself (never the host name), so the
//! SSRF rules hold for the final destination and the proxy's own DNS
//! cannot be used to rebind it. HTTP proxies get `CONNECT` (for `http`
//! destinations too); SOCKS5 proxies a CONNECT command with the address.

use std::net::SocketAddr;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::connect::BoxError;

/// The longest `CONNECT` answer head read from an HTTP proxy.
const MAX_CONNECT_ANSWER: usize = 8 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyKind {
    Http,
    Socks5,
}

/// Where deliveries leave through.
#[derive(Clone, PartialEq, Eq)]
pub struct EgressProxy {
    pub kind: ProxyKind,
    pub host: String,
    pub port: u16,
    /// User and password, from the URL's userinfo.
    pub auth: Option<(String, String)>,
}

impl std::fmt::Debug for EgressProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} proxy {}:{}", self.kind, self.host, self.port)
    }
}

impl EgressProxy {
    /// `http://[user:pass@]host:port` or `socks5://[user:pass@]host:port`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let url = url::Url::parse(s).map_err(|e| format!("not a URL: {e}"))?;
        let kind = match url.scheme() {
            "http" => ProxyKind::Http,
            "socks5" => ProxyKind::Socks5,
            other => return Err(format!("scheme `{other}` is not supported (http or socks5)")),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("the URL has no host")?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let port = url.port().unwrap_or(if kind == ProxyKind::Http { 80 } else { 1080 });
        if url.path() != "/" && !url.path().is_empty() || url.query().is_some() {
            return Err("a proxy URL has no path or query".to_owned());
        }
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let auth = (!url.username().is_empty()).then(|| (decode(url.username()), decode(url.password().unwrap_or(""))));
        Ok(Self { kind, host, port, auth })
    }

    /// A connection to `target` through the proxy.
    pub async fn tunnel(&self, target: SocketAddr, timeout: Duration) -> Result<TcpStream, BoxError> {
        let name = format!("proxy {}:{}", self.host, self.port);
        let work = async {
            let tcp = TcpStream::connect((self.host.as_str(), self.port)).await.map_err(|e| format!("{name}: {e}"))?;
            tcp.set_nodelay(true)?;
            match self.kind {
                ProxyKind::Http => self.http_connect(tcp, target, &name).await,
                ProxyKind::Socks5 => {
                    let stream = match &self.auth {
                        Some((user, pass)) => {
                            tokio_socks::tcp::Socks5Stream::connect_with_password_and_socket(tcp, target, user, pass)
                                .await
                        }
                        None => tokio_socks::tcp::Socks5Stream::connect_with_socket(tcp, target).await,
                    }
                    .map_err(|e| format!("{name}: SOCKS5 to {target}: {e}"))?;
                    Ok(stream.into_inner())
                }
            }
        };
        tokio::time::timeout(timeout, work).await.map_err(|_| format!("{name}: timed out"))?
    }

    async fn http_connect(&self, mut tcp: TcpStream, target: SocketAddr, name: &str) -> Result<TcpStream, BoxError> {
        let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some((user, pass)) = &self.auth {
            head.push_str(&format!("Proxy-Authorization: Basic {}\r\n", B64.encode(format!("{user}:{pass}"))));
        }
        head.push_str("\r\n");
        tcp.write_all(head.as_bytes()).await.map_err(|e| format!("{name}: {e}"))?;
        // Byte by byte up to the blank line: nothing of the tunnel is read.
        let mut answer = Vec::with_capacity(128);
        while !answer.ends_with(b"\r\n\r\n") {
            if answer.len() >= MAX_CONNECT_ANSWER {
                return Err(format!("{name}: answer to CONNECT too long").into());
            }
            let byte = tcp.read_u8().await.map_err(|e| format!("{name}: closed during CONNECT: {e}"))?;
            answer.push(byte);
        }
        let text = String::from_utf8_lossy(&answer);
        let status = text.lines().next().unwrap_or_default();
        let ok = status.split_whitespace().nth(1).is_some_and(|code| code.starts_with('2'));
        if !ok {
            return Err(format!("{name}: CONNECT {target} answered `{status}`").into());
        }
        Ok(tcp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_parse() {
        let p = EgressProxy::parse("http://egress.internal:3128").unwrap();
        assert_eq!((p.kind, p.host.as_str(), p.port, p.auth), (ProxyKind::Http, "egress.internal", 3128, None));
        let s = EgressProxy::parse("socks5://us%40er:p%3Ass@[::1]").unwrap();
        assert_eq!((s.kind, s.host.as_str(), s.port), (ProxyKind::Socks5, "::1", 1080));
        assert_eq!(s.auth, Some(("us@er".to_owned(), "p:ss".to_owned())));
        for bad in ["ftp://x:1", "http://x:1/path", "nope", "socks5://"] {
            assert!(EgressProxy::parse(bad).is_err(), "{bad}");
        }
    }
}
