//! A TLS listener with a self-signed certificate: what a receiver with a
//! bad certificate looks like to Herald. It only shakes hands (a verifying
//! client hangs up there); it counts the connections it accepted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub struct SelfSignedReceiver {
    pub port: u16,
    accepted: Arc<AtomicUsize>,
}

impl SelfSignedReceiver {
    pub async fn start() -> Self {
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        let cert = CertificateDer::from(certified.cert.der().to_vec());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(mut tls) = acceptor.accept(tcp).await {
                        let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").await;
                    }
                });
            }
        });
        Self { port, accepted }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// A receiver that requires mutual TLS: its server certificate is signed by
/// a private CA (which a client must be told to trust), and it accepts only
/// clients presenting a certificate signed by its client CA. It answers each
/// request (HTTP/1.1, one per connection) with 200 and records its path.
pub struct MtlsReceiver {
    pub port: u16,
    /// The private CA that signed the server certificate (PEM).
    pub ca_pem: String,
    /// A client certificate and key the receiver accepts (PEM).
    pub client_cert_pem: String,
    pub client_key_pem: String,
    /// A client certificate and key from another CA, which it refuses.
    pub stranger_cert_pem: String,
    pub stranger_key_pem: String,
    paths: Arc<std::sync::Mutex<Vec<String>>>,
    refused: Arc<AtomicUsize>,
}

impl MtlsReceiver {
    pub async fn start() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let ca = |name: &str| {
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.distinguished_name.push(rcgen::DnType::CommonName, name);
            let key = KeyPair::generate().unwrap();
            (p.self_signed(&key).unwrap(), key)
        };
        let leaf = |sans: Vec<String>, (issuer, issuer_key): &(rcgen::Certificate, KeyPair)| {
            let key = KeyPair::generate().unwrap();
            (CertificateParams::new(sans).unwrap().signed_by(&key, issuer, issuer_key).unwrap(), key)
        };
        let server_ca = ca("Herald test server CA");
        let client_ca = ca("Herald test client CA");
        let other_ca = ca("Someone else's CA");
        let (server, server_key) = leaf(vec!["127.0.0.1".into(), "localhost".into()], &server_ca);
        let (client, client_key) = leaf(vec!["herald-client".into()], &client_ca);
        let (stranger, stranger_key) = leaf(vec!["stranger".into()], &other_ca);

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(client_ca.0.der().to_vec())).unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .unwrap();
        let chain = vec![CertificateDer::from(server.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let paths = Arc::new(std::sync::Mutex::new(Vec::new()));
        let refused = Arc::new(AtomicUsize::new(0));
        let (seen, no) = (paths.clone(), refused.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, seen, no) = (acceptor.clone(), seen.clone(), no.clone());
                tokio::spawn(async move {
                    match acceptor.accept(tcp).await {
                        Ok(mut tls) => {
                            if let Some(path) = read_request(&mut tls).await {
                                seen.lock().unwrap().push(path);
                                let _ = tls
                                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                                    .await;
                                let _ = tls.shutdown().await;
                            }
                        }
                        Err(_) => {
                            no.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                });
            }
        });
        Self {
            port,
            ca_pem: server_ca.0.pem(),
            client_cert_pem: client.pem(),
            client_key_pem: client_key.serialize_pem(),
            stranger_cert_pem: stranger.pem(),
            stranger_key_pem: stranger_key.serialize_pem(),
            paths,
            refused,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    /// The paths of the requests it answered (from accepted clients only).
    pub fn received(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }

    /// Handshakes it refused (no or an unknown client certificate).
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }
}

/// Reads one HTTP/1.1 request (head and `content-length` body); its path.
async fn read_request(s: &mut (impl tokio::io::AsyncRead + Unpin)) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 4096];
    let head_end = loop {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    head.split_whitespace().nth(1).map(str::to_owned)
}
