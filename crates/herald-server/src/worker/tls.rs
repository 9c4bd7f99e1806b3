//! Per-endpoint TLS: a rustls client configuration with the endpoint's
//! client certificate (mutual TLS) and the CA certificates it trusts besides
//! the public roots. Checked when an endpoint is saved; built once per
//! distinct setting when delivering (see [`super::http::HttpClient`]).

use std::sync::Arc;

use herald_core::auth::TlsAuth;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The client configuration for `tls`, or why it cannot be used (naming
/// the field at fault).
pub fn client_config(tls: &TlsAuth) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(bundle) = &tls.ca_bundle {
        for cert in certificates(bundle, "tls.ca_bundle")? {
            roots.add(cert).map_err(|e| format!("tls.ca_bundle: {e}"))?;
        }
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots);
    // ALPN (http/1.1) is set by the connector.
    let config = match (&tls.client_cert, &tls.client_key) {
        (Some(cert), Some(key)) => {
            let chain = certificates(cert, "tls.client_cert")?;
            let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
                .map_err(|_| "tls.client_key: no PEM private key (PKCS#8, PKCS#1 or SEC1) found".to_owned())?;
            builder.with_client_auth_cert(chain, key).map_err(|e| format!("tls.client_key: {e}"))?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(config)
}

fn certificates(pem: &str, field: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{field}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{field}: no PEM certificate found"));
    }
    Ok(certs)
}
