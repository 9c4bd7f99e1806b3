//! Authenticating to receivers: OAuth2 client credentials against a real
//! local token server, and mutual TLS against a real TLS receiver that
//! requires a client certificate.

use std::time::Duration;

use herald_testkit::{MtlsReceiver, Reply, TestReceiver, TokenServer};
use serde_json::json;

use crate::helpers::{status_is, TestApp};

/// One token for many deliveries (fetched once while they all wait),
/// refreshed when it is due and when the receiver answers 401; the client
/// secret is never shown back and is kept when an update leaves it out.
async fn oauth2_tokens_are_shared_and_refreshed() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let auth = TokenServer::start("herald", "s3cret&=").await;
    auth.set_delay(Duration::from_millis(300));
    let app_id = app.create_app().await;
    let oauth2 = json!({
        "token_url": auth.url(), "client_id": "herald", "client_secret": "s3cret&=",
        "scopes": ["hooks.write", "hooks.read"], "audience": "https://rx.example",
    });
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "oauth2": oauth2 })).await;
    let ep_id = ep["id"].as_str().unwrap().to_owned();
    assert_eq!(ep["oauth2"]["client_id"], "herald", "{ep}");
    assert!(!ep.to_string().contains("s3cret"), "the client secret is write-only: {ep}");

    let mut sent = Vec::new();
    for n in 0..20 {
        sent.push(app.publish(&app_id, "a.b", json!({ "n": n })).await);
    }
    let got = rx.wait_for("/hook", 20).await;
    for msg in &sent {
        // Settled before the clock moves on (else their leases run out).
        app.wait_delivery(&app_id, msg, |d| status_is(d, "delivered")).await;
    }
    assert!(got.iter().all(|r| r.header("authorization") == Some("Bearer tok-1")), "one token for all");
    assert_eq!(auth.issued(), 1, "deliveries waiting for a token share one fetch");
    let asked = &auth.requests()[0];
    assert_eq!(asked.basic, Some(("herald".to_owned(), "s3cret&=".to_owned())), "client_secret_basic");
    assert_eq!(asked.form["grant_type"], "client_credentials");
    assert_eq!(asked.form["scope"], "hooks.write hooks.read");
    assert_eq!(asked.form["audience"], "https://rx.example");

    // Due for renewal: an hour later a new one is fetched.
    auth.set_delay(Duration::ZERO);
    app.advance(Duration::from_secs(3_600));
    let later = app.publish(&app_id, "a.b", json!({ "n": "later" })).await;
    let got = rx.wait_for("/hook", 21).await;
    app.wait_delivery(&app_id, &later, |d| status_is(d, "delivered")).await;
    assert_eq!(got[20].header("authorization"), Some("Bearer tok-2"));

    // A 401 to the token: once more with a fresh one, in the same attempt.
    rx.script([Reply::Status(401)]);
    let msg = app.publish(&app_id, "a.b", json!({ "n": "refused" })).await;
    let got = rx.wait_for("/hook", 23).await;
    assert_eq!(got[21].header("authorization"), Some("Bearer tok-2"));
    assert_eq!(got[22].header("authorization"), Some("Bearer tok-3"));
    let d = app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert_eq!(d["attempts"], 1, "{d}");

    // Scopes changed without the secret: the secret is kept.
    let patch = json!({ "oauth2": { "token_url": auth.url(), "client_id": "herald", "scopes": ["hooks.admin"] } });
    let (status, updated) = app.patch(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}"), patch).await;
    assert_eq!(status.as_u16(), 200, "{updated}");
    assert_eq!(updated["oauth2"]["scopes"], json!(["hooks.admin"]));
    app.publish(&app_id, "a.b", json!({ "n": "rescoped" })).await;
    let got = rx.wait_for("/hook", 24).await;
    assert_eq!(got[23].header("authorization"), Some("Bearer tok-4"), "new settings, new token");
    assert_eq!(auth.requests().last().unwrap().form["scope"], "hooks.admin");
}

/// A token endpoint that refuses the client fails the attempt with an error
/// naming it, and nothing reaches the receiver; bad settings answer 422.
async fn a_failing_token_endpoint_fails_the_attempt_naming_it() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let auth = TokenServer::start("herald", "right").await;
    let app_id = app.create_app().await;
    let oauth2 =
        json!({ "token_url": auth.url(), "client_id": "herald", "client_secret": "wrong", "client_auth": "body" });
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "oauth2": oauth2 })).await;
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    let d = app.wait_attempts(&app_id, &msg, 1).await;
    assert!(status_is(&d, "retrying"), "{d}");
    let error = d["last_error"].as_str().unwrap();
    assert!(
        error.contains(&format!("OAuth2 token endpoint {}", auth.url())) && error.contains("HTTP 401 (invalid_client)"),
        "{error}"
    );
    assert_eq!(auth.requests()[0].form["client_secret"], "wrong", "client_secret_post sends it in the form");
    assert_eq!(rx.count(), 0);

    let endpoints = format!("/api/v1/apps/{app_id}/endpoints");
    for (body, field) in [
        (
            json!({ "url": rx.url("/x"), "oauth2": { "token_url": auth.url(), "client_id": "a" } }),
            "oauth2.client_secret",
        ),
        (
            json!({ "url": rx.url("/x"), "oauth2": { "token_url": "ftp://x", "client_id": "a", "client_secret": "b" } }),
            "oauth2.token_url",
        ),
        (
            json!({ "url": rx.url("/x"), "oauth2": { "token_url": "http://169.254.169.254/t", "client_id": "a", "client_secret": "b" } }),
            "oauth2.token_url",
        ),
        (
            json!({ "url": rx.url("/x"), "oauth2": { "token_url": auth.url(), "client_id": "a", "client_secret": "b", "scopes": ["a b"] } }),
            "scopes",
        ),
        (json!({ "url": rx.url("/x"), "tls": { "client_cert": "-----BEGIN CERTIFICATE-----" } }), "tls"),
        (
            json!({ "url": rx.url("/x"), "tls": { "ca_bundle": "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n" } }),
            "tls.ca_bundle",
        ),
    ] {
        let (status, err) = app.post(&endpoints, body).await;
        assert_eq!(status.as_u16(), 422, "{err}");
        assert!(err["message"].as_str().unwrap().contains(field), "{field}: {err}");
    }
}

/// Mutual TLS: with the receiver's CA trusted and the client certificate
/// it knows, the delivery is accepted; without a certificate, or with one
/// from another CA, the handshake is refused and the attempt says so.
async fn mutual_tls_delivers_with_the_client_certificate_only() {
    let app = TestApp::spawn().await;
    let rx = MtlsReceiver::start().await;
    let app_id = app.create_app().await;
    let tls = json!({ "client_cert": rx.client_cert_pem, "client_key": rx.client_key_pem, "ca_bundle": rx.ca_pem });
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/mtls"), "tls": tls })).await;
    assert_eq!(ep["tls"]["has_client_key"], true, "{ep}");
    assert!(!ep.to_string().contains("PRIVATE KEY"), "the key is write-only");
    let msg = app.publish(&app_id, "a.b", json!({ "n": 1 })).await;
    app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert_eq!(rx.received(), ["/mtls"]);

    let other = app.create_app().await;
    app.create_endpoint(&other, json!({ "url": rx.url("/anonymous"), "tls": { "ca_bundle": rx.ca_pem } })).await;
    let stranger =
        json!({ "client_cert": rx.stranger_cert_pem, "client_key": rx.stranger_key_pem, "ca_bundle": rx.ca_pem });
    app.create_endpoint(&other, json!({ "url": rx.url("/stranger"), "tls": stranger })).await;
    app.create_endpoint(&other, json!({ "url": rx.url("/untrusted") })).await;
    let msg = app.publish(&other, "a.b", json!({ "n": 2 })).await;
    let mut errors = Vec::new();
    for _ in 0..500 {
        let m = app.message(&other, &msg).await;
        let ds = m["deliveries"].as_array().unwrap().clone();
        if ds.iter().all(|d| d["attempts"].as_u64() >= Some(1) && !d["last_error"].is_null()) {
            errors = ds.iter().map(|d| d["last_error"].as_str().unwrap().to_owned()).collect();
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(errors.len(), 3, "every delivery failed");
    let untrusted = errors.iter().filter(|e| e.contains("UnknownIssuer")).count();
    assert_eq!(untrusted, 1, "without the CA the server certificate is not trusted: {errors:?}");
    let required = errors.iter().filter(|e| e.contains("requires a client certificate")).count();
    assert_eq!(required, 1, "without a client certificate the attempt says one is required: {errors:?}");
    let refused = errors.iter().filter(|e| e.contains("refused the client certificate")).count();
    assert_eq!(refused, 1, "a certificate from another CA is refused: {errors:?}");
    assert_eq!(rx.received(), ["/mtls"], "nothing else got through");
    assert!(rx.refused() >= 2, "the receiver refused the handshakes without its client certificate");
    let mismatched = json!({ "client_cert": rx.client_cert_pem, "client_key": rx.stranger_key_pem });
    let (status, err) =
        app.post(&format!("/api/v1/apps/{other}/endpoints"), json!({ "url": rx.url("/x"), "tls": mismatched })).await;
    assert_eq!(status.as_u16(), 422, "a key that is not the certificate's: {err}");
    assert!(err["message"].as_str().unwrap().contains("tls.client_key"), "{err}");
}

crate::both_stores!(
    oauth2_tokens_are_shared_and_refreshed,
    a_failing_token_endpoint_fails_the_attempt_naming_it,
    mutual_tls_delivers_with_the_client_certificate_only
);
