//! The outbound connector: resolves the host, checks every address against
//! the [`DestinationPolicy`], and connects only to an address it checked,
//! so a DNS answer that changes between the check and the connection
//! (rebinding) cannot reach a refused address. IP literals are checked the
//! same way. TLS is layered on top by hyper-rustls.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use herald_core::destination::{DestinationPolicy, Refusal};

use super::egress::EgressProxy;
use http::Uri;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Turns a host name into addresses. The system resolver in production;
/// tests script the answers to play a rebinding attack.
pub trait Resolve: Send + Sync + 'static {
    fn resolve(&self, host: &str, port: u16) -> BoxFuture<io::Result<Vec<SocketAddr>>>;
}

/// `getaddrinfo`, through tokio's blocking pool.
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, host: &str, port: u16) -> BoxFuture<io::Result<Vec<SocketAddr>>> {
        let host = host.to_owned();
        Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), port)).await?.collect()) })
    }
}

/// A destination the policy refused: every address the host has now.
#[derive(Debug, thiserror::Error)]
#[error("destination refused: {host}: {why}")]
pub struct Refused {
    pub host: String,
    pub why: Refusal,
}

/// Checks and connects; shared by every request of one client.
#[derive(Clone)]
pub struct GuardedConnector {
    pub policy: Arc<DestinationPolicy>,
    pub resolver: Arc<dyn Resolve>,
    pub connect_timeout: Duration,
    /// Every connection tunnels through this, when set.
    pub proxy: Option<Arc<EgressProxy>>,
}

impl GuardedConnector {
    /// The addresses of `host` the policy lets a request reach, or why
    /// none. Used at connect time and when an endpoint is saved.
    pub async fn allowed_addrs(&self, host: &str, port: u16, https: bool) -> Result<Vec<SocketAddr>, BoxError> {
        if let Some(why) = herald_core::destination::metadata_name(host) {
            return Err(Box::new(Refused { host: host.to_owned(), why }));
        }
        let addrs = match literal(host) {
            Some(ip) => vec![SocketAddr::new(ip, port)],
            None => self.resolver.resolve(host, port).await.map_err(|e| format!("dns error: {host}: {e}"))?,
        };
        let mut refusal = None;
        let allowed: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| match self.policy.check(a.ip(), https) {
                Ok(()) => true,
                Err(why) => {
                    refusal.get_or_insert(why);
                    false
                }
            })
            .collect();
        match (allowed.is_empty(), refusal) {
            (false, _) => Ok(allowed),
            (true, Some(why)) => Err(Box::new(Refused { host: host.to_owned(), why })),
            (true, None) => Err(format!("dns error: {host} has no address").into()),
        }
    }

    async fn connect(self, uri: Uri) -> Result<TokioIo<TcpStream>, BoxError> {
        let host = uri.host().ok_or("the URL has no host")?;
        let https = uri.scheme_str() == Some("https");
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let addrs = self.allowed_addrs(host, port, https).await?;
        let mut last = None;
        for addr in addrs {
            if let Some(proxy) = &self.proxy {
                // Through the proxy, to the address checked here.
                match proxy.tunnel(addr, self.connect_timeout).await {
                    Ok(tcp) => return Ok(TokioIo::new(tcp)),
                    Err(e) => last = Some(e.to_string()),
                }
                continue;
            }
            match tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr)).await {
                Ok(Ok(tcp)) => {
                    tcp.set_nodelay(true)?;
                    return Ok(TokioIo::new(tcp));
                }
                Ok(Err(e)) => last = Some(format!("{addr}: {e}")),
                Err(_) => last = Some(format!("{addr}: connect timed out")),
            }
        }
        Err(last.unwrap_or_else(|| "no address to connect to".to_owned()).into())
    }
}

/// An IP literal host (`[::1]` as the URI shows it, or `127.0.0.1`).
fn literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

impl tower_service::Service<Uri> for GuardedConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = BoxFuture<Result<Self::Response, BoxError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(self.clone().connect(uri))
    }
}
