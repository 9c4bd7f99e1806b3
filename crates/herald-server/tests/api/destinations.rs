//! The SSRF guard: non-global destinations are refused when an endpoint is
//! saved and again, on the resolved address, when a delivery connects;
//! `security.allowed_cidrs` opens ranges on purpose.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use herald_server::config::StringOrList;
use herald_server::worker::connect::Resolve;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{status_is, TestApp};
use herald_testkit::TestReceiver;

/// DNS answers a test sets and changes (a rebinding attacker's server);
/// a name with no answer fails to resolve.
#[derive(Default)]
pub(crate) struct ScriptedDns(Mutex<HashMap<String, Vec<IpAddr>>>);

impl ScriptedDns {
    pub(crate) fn answer(&self, host: &str, ips: &[&str]) {
        let ips = ips.iter().map(|s| s.parse().unwrap()).collect();
        self.0.lock().unwrap().insert(host.to_owned(), ips);
    }
}

impl Resolve for ScriptedDns {
    fn resolve(
        &self,
        host: &str,
        port: u16,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = io::Result<Vec<SocketAddr>>> + Send>> {
        let found = self.0.lock().unwrap().get(host).cloned();
        Box::pin(async move {
            let ips = found.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such host"))?;
            Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect())
        })
    }
}

fn nothing_opened(c: &mut herald_server::Config) {
    c.security.allowed_cidrs = StringOrList::One(String::new());
}

async fn every_non_global_destination_is_refused_when_an_endpoint_is_saved() {
    let app = TestApp::spawn_with(nothing_opened).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let port = rx.port;
    for (url, range) in [
        (format!("http://127.0.0.1:{port}/"), "127.0.0.0/8"),
        (format!("http://localhost:{port}/"), "loopback"),
        ("http://127.1/".to_owned(), "127.0.0.0/8"),
        ("http://2130706433/".to_owned(), "127.0.0.0/8"),
        ("http://0x7f000001/".to_owned(), "127.0.0.0/8"),
        ("http://[::1]/".to_owned(), "::1/128"),
        ("http://[::ffff:127.0.0.1]/".to_owned(), "127.0.0.0/8"),
        ("http://[64:ff9b::a9fe:a9fe]/".to_owned(), "169.254.0.0/16"),
        ("http://[2002:c0a8:101::1]/".to_owned(), "192.168.0.0/16"),
        ("http://169.254.169.254/latest/meta-data/".to_owned(), "169.254.0.0/16"),
        ("http://10.0.0.1/".to_owned(), "10.0.0.0/8"),
        ("http://172.16.5.4/".to_owned(), "172.16.0.0/12"),
        ("http://192.168.1.1/".to_owned(), "192.168.0.0/16"),
        ("http://100.64.0.1/".to_owned(), "100.64.0.0/10"),
        ("http://0.0.0.0/".to_owned(), "0.0.0.0/8"),
        ("http://198.18.0.1/".to_owned(), "198.18.0.0/15"),
        ("http://192.0.2.1/".to_owned(), "192.0.2.0/24"),
        ("http://224.0.0.1/".to_owned(), "224.0.0.0/4"),
        ("http://[fe80::1]/".to_owned(), "fe80::/10"),
        ("http://[fd00::1]/".to_owned(), "fc00::/7"),
        ("http://[2001:db8::1]/".to_owned(), "2001:db8::/32"),
    ] {
        let (status, body) = app.post(&format!("/api/v1/apps/{app_id}/endpoints"), json!({ "url": url })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        let msg = body["message"].as_str().unwrap();
        assert!(msg.starts_with("url: destination refused"), "{url}: {msg}");
        assert!(msg.contains(range) && msg.contains("security.allowed_cidrs"), "{url}: {msg}");
    }
    // A global address is taken (no request is made to it here).
    let ep = app.create_endpoint(&app_id, json!({ "url": "https://93.184.215.14/hook" })).await;
    // Changing it to a refused one is refused the same way, and keeps it.
    let path = format!("/api/v1/apps/{app_id}/endpoints/{}", ep["id"].as_str().unwrap());
    let (status, body) = app.patch(&path, json!({ "url": "http://[::1]:9/" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.get(&path).await.1["url"], "https://93.184.215.14/hook");
}

/// The answer changes between saving and delivering (DNS rebinding): the
/// delivery checks the address it connects to and fails, clearly, without
/// reaching the receiver.
async fn a_host_that_rebinds_to_loopback_is_refused_at_delivery() {
    let dns = Arc::new(ScriptedDns::default());
    let app = TestApp::spawn_resolving(dns.clone(), nothing_opened).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    dns.answer("hooks.rebind.test", &["93.184.215.14"]);
    app.create_endpoint(&app_id, json!({ "url": format!("http://hooks.rebind.test:{}/in", rx.port) })).await;
    dns.answer("hooks.rebind.test", &["127.0.0.1"]);

    let msg = app.publish(&app_id, "user.created", json!({})).await;
    let m = app.wait_delivery(&app_id, &msg, |d| status_is(d, "retrying")).await;
    let attempts = app.attempts(&app_id, &msg).await;
    let error = attempts[0]["error"].as_str().unwrap();
    assert!(
        error.starts_with("destination refused: hooks.rebind.test: 127.0.0.1 is in 127.0.0.0/8 (loopback)"),
        "{error} {m}"
    );
    assert!(attempts[0]["status_code"].is_null());
    assert_eq!(rx.count(), 0, "nothing reached the receiver");

    // A mixed answer: only the checked, allowed address is connected to.
    // (Here that is none, since loopback is not open: still refused.)
    dns.answer("hooks.rebind.test", &["10.1.1.1", "127.0.0.1"]);
    app.advance(std::time::Duration::from_secs(10));
    app.wait_attempts(&app_id, &msg, 2).await;
    assert_eq!(rx.count(), 0);
}

/// Handshakes and test events go through the same guard: after the host
/// rebinds to loopback, re-running the handshake fails saying why, and a
/// test event's attempt is refused.
async fn handshakes_and_test_events_are_guarded_too() {
    let dns = Arc::new(ScriptedDns::default());
    let app = TestApp::spawn_resolving(dns.clone(), nothing_opened).await;
    let rx = TestReceiver::start().await;
    let (_, a) = app
        .post("/api/v1/apps", json!({ "name": "v", "profile": { "verification": { "event_type": "webhook.verify" } } }))
        .await;
    let app_id = a["id"].as_str().unwrap().to_owned();
    // Saved while it resolved to a global address (the handshake then fails
    // for want of a route, which is fine here).
    dns.answer("verify.rebind.test", &["93.184.215.14"]);
    let url = format!("http://verify.rebind.test:{}/v", rx.port);
    let ep = app.create_endpoint(&app_id, json!({ "url": url })).await;
    let ep_id = ep["id"].as_str().unwrap();
    dns.answer("verify.rebind.test", &["127.0.0.1"]);
    let (status, ep) = app.post(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/verify"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{ep}");
    assert_eq!(ep["verification"]["status"], "failed");
    let why = ep["verification"]["error"].as_str().unwrap();
    assert!(why.contains("destination refused: verify.rebind.test: 127.0.0.1 is in 127.0.0.0/8"), "{why}");

    let plain = app.create_app().await;
    dns.answer("test.rebind.test", &["93.184.215.14"]);
    let ep = app.create_endpoint(&plain, json!({ "url": format!("http://test.rebind.test:{}/t", rx.port) })).await;
    dns.answer("test.rebind.test", &["127.0.0.1"]);
    let (status, sent) =
        app.post(&format!("/api/v1/apps/{plain}/endpoints/{}/test", ep["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let msg = sent["id"].as_str().unwrap();
    app.wait_attempts(&plain, msg, 1).await;
    let error = app.attempts(&plain, msg).await[0]["error"].as_str().unwrap().to_owned();
    assert!(error.starts_with("destination refused"), "{error}");
    assert_eq!(rx.count(), 0, "nothing reached loopback");
}

/// TLS is always verified: a receiver with a self-signed certificate is a
/// failed attempt that says so.
async fn a_bad_certificate_is_a_failed_attempt_that_says_so() {
    let app = TestApp::spawn().await;
    let rx = herald_testkit::tls::SelfSignedReceiver::start().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let msg = app.publish(&app_id, "user.created", json!({})).await;
    app.wait_delivery(&app_id, &msg, |d| status_is(d, "retrying")).await;
    let error = app.attempts(&app_id, &msg).await[0]["error"].as_str().unwrap().to_owned();
    assert!(error.contains("certificate") && error.contains("UnknownIssuer"), "{error}");
    assert!(rx.connections() >= 1, "the connection was made; the certificate was refused");
}

/// With loopback opened, a name that resolves there is delivered to: the
/// connection goes to the address the resolver gave and the guard passed.
async fn opened_ranges_are_delivered_to_through_the_resolver() {
    let dns = Arc::new(ScriptedDns::default());
    let app = TestApp::spawn_resolving(dns.clone(), |_| {}).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    // 10/8 stays refused, so of this answer only 127.0.0.1 may be used.
    dns.answer("hooks.internal.test", &["10.9.9.9", "127.0.0.1"]);
    app.create_endpoint(&app_id, json!({ "url": format!("http://hooks.internal.test:{}/in", rx.port) })).await;
    let msg = app.publish(&app_id, "user.created", json!({ "n": 1 })).await;
    let got = rx.wait_for("/in", 1).await;
    assert_eq!(got[0].header("host"), Some(format!("hooks.internal.test:{}", rx.port).as_str()));
    app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
}

/// `security.require_https`: plain http only inside the opened ranges, at
/// saving and at delivery.
async fn plain_http_is_refused_outside_the_allow_list_when_https_is_required() {
    let dns = Arc::new(ScriptedDns::default());
    let app = TestApp::spawn_resolving(dns.clone(), |c| c.security.require_https = true).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    // Loopback is opened by the test config: plain http is fine there.
    app.create_endpoint(&app_id, json!({ "url": rx.url("/in"), "event_types": ["other.thing"] })).await;
    let (status, body) =
        app.post(&format!("/api/v1/apps/{app_id}/endpoints"), json!({ "url": "http://93.184.215.14/" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("security.require_https"), "{body}");
    app.create_endpoint(&app_id, json!({ "url": "https://93.184.215.14/", "event_types": ["other.thing"] })).await;

    // Not resolvable when saved; at delivery it resolves to a global
    // address, which plain http may not reach.
    let ep =
        app.create_endpoint(&app_id, json!({ "url": "http://later.test/in", "event_types": ["only.later"] })).await;
    dns.answer("later.test", &["93.184.215.14"]);
    let msg = app.publish(&app_id, "only.later", json!({})).await;
    app.wait_attempts(&app_id, &msg, 1).await;
    let attempts = app.attempts(&app_id, &msg).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["endpoint_id"], ep["id"]);
    let error = attempts[0]["error"].as_str().unwrap();
    assert!(error.contains("security.require_https"), "{error}");
}

/// A cloud metadata service by name is refused at save even where the name
/// does not resolve (the check used to need an address), and at delivery.
async fn cloud_metadata_names_are_refused_even_unresolved() {
    let dns = Arc::new(ScriptedDns::default());
    let app = TestApp::spawn_resolving(dns.clone(), nothing_opened).await;
    let app_id = app.create_app().await;
    for url in [
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://METADATA.GOOGLE.INTERNAL./",
        "https://instance-data.ec2.internal/latest/meta-data/",
        "http://metadata/",
    ] {
        let (status, body) = app.post(&format!("/api/v1/apps/{app_id}/endpoints"), json!({ "url": url })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert!(body["message"].as_str().unwrap().contains("metadata service"), "{url}: {body}");
    }
    // An unresolvable name that is not one stays accepted (it may resolve later).
    app.create_endpoint(&app_id, json!({ "url": "https://hooks.not-yet.test/in" })).await;
}

crate::both_stores!(
    cloud_metadata_names_are_refused_even_unresolved,
    every_non_global_destination_is_refused_when_an_endpoint_is_saved,
    a_host_that_rebinds_to_loopback_is_refused_at_delivery,
    opened_ranges_are_delivered_to_through_the_resolver,
    plain_http_is_refused_outside_the_allow_list_when_https_is_required,
    handshakes_and_test_events_are_guarded_too,
    a_bad_certificate_is_a_failed_attempt_that_says_so,
);
