//! The egress proxy (`delivery.proxy_url`): deliveries leave through a real
//! local HTTP CONNECT or SOCKS5 proxy, which is asked for the address Herald
//! resolved and checked; the SSRF rules still hold for the destination.

use std::sync::Arc;

use herald_server::config::StringOrList;
use herald_testkit::{ConnectProxy, ProxyProtocol, TestReceiver};
use serde_json::json;

use crate::destinations::ScriptedDns;
use crate::helpers::{status_is, TestApp};

/// Through each kind of proxy (with credentials): the receiver's peer is
/// the proxy's outbound connection, and the proxy was asked for the
/// resolved IP, not the host name; a token-protected proxy refuses wrong
/// credentials and the attempt says so.
async fn deliveries_leave_through_the_proxy() {
    for protocol in [ProxyProtocol::HttpConnect, ProxyProtocol::Socks5] {
        let proxy = ConnectProxy::start(protocol, Some(("herald", "p@ss"))).await;
        let scheme = if protocol == ProxyProtocol::Socks5 { "socks5" } else { "http" };
        let url = format!("{scheme}://herald:p%40ss@127.0.0.1:{}", proxy.port);
        let dns = Arc::new(ScriptedDns::default());
        dns.answer("hooks.customer.test", &["127.0.0.1"]);
        let app = TestApp::spawn_resolving(dns.clone(), |c| c.delivery.proxy_url = url).await;
        let rx = TestReceiver::start().await;
        let app_id = app.create_app().await;
        app.create_endpoint(&app_id, json!({ "url": format!("http://hooks.customer.test:{}/in", rx.port) })).await;
        let msg = app.publish(&app_id, "a.b", json!({ "n": 1 })).await;
        let got = rx.wait_for("/in", 1).await;
        app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
        assert_eq!(proxy.targets(), [format!("127.0.0.1:{}", rx.port)], "{protocol:?}: the checked address");
        assert!(proxy.outbound().contains(&got[0].peer), "{protocol:?}: the receiver saw the proxy's connection");
        assert_eq!(got[0].header("host"), Some(format!("hooks.customer.test:{}", rx.port).as_str()));
        app.stop().await;

        let wrong = format!("{scheme}://herald:nope@127.0.0.1:{}", proxy.port);
        let app = TestApp::spawn_resolving(dns, |c| c.delivery.proxy_url = wrong).await;
        let app_id = app.create_app().await;
        app.create_endpoint(&app_id, json!({ "url": rx.url("/refused") })).await;
        let msg = app.publish(&app_id, "a.b", json!({})).await;
        let d = app.wait_attempts(&app_id, &msg, 1).await;
        let error = d["last_error"].as_str().unwrap();
        assert!(error.contains(&format!("proxy 127.0.0.1:{}", proxy.port)), "{protocol:?}: {error}");
        assert!(rx.received_on("/refused").is_empty());
        app.stop().await;
    }
}

/// A destination that resolves to a refused address at delivery is refused
/// before the proxy is asked for anything.
async fn the_ssrf_rules_hold_behind_the_proxy() {
    let proxy = ConnectProxy::start(ProxyProtocol::HttpConnect, None).await;
    let dns = Arc::new(ScriptedDns::default());
    let url = format!("http://127.0.0.1:{}", proxy.port);
    let app = TestApp::spawn_resolving(dns.clone(), |c| {
        c.security.allowed_cidrs = StringOrList::One(String::new());
        c.delivery.proxy_url = url;
    })
    .await;
    let app_id = app.create_app().await;
    dns.answer("hooks.rebind.test", &["93.184.215.14"]);
    app.create_endpoint(&app_id, json!({ "url": "http://hooks.rebind.test:8080/in" })).await;
    dns.answer("hooks.rebind.test", &["169.254.169.254"]);
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    let d = app.wait_attempts(&app_id, &msg, 1).await;
    let error = d["last_error"].as_str().unwrap();
    assert!(error.starts_with("destination refused: hooks.rebind.test: 169.254.169.254"), "{error}");
    assert!(proxy.targets().is_empty(), "the proxy was never asked: {:?}", proxy.targets());
}

crate::both_stores!(deliveries_leave_through_the_proxy, the_ssrf_rules_hold_behind_the_proxy);
