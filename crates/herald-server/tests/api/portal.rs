//! What the portal needs from the API, on both stores: links (admin only,
//! short-lived, at the public address), themes, the request behind an
//! attempt, statistics per part of a window, the message list with its
//! deliveries; and the page itself served with its security headers.

use std::time::Duration;

use herald_testkit::{Reply, TestReceiver};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn link(app: &TestApp, app_id: &str, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/apps/{app_id}/portal-link"), body).await
}

async fn portal_links_are_admin_only_short_lived_and_scoped() {
    let app = TestApp::spawn_with(|c| c.portal.public_url = "https://webhooks.example.com/".into()).await;
    let acme = app.create_app().await;
    let other = app.create_app().await;

    let (s, made) = link(&app, &acme, json!({"ttl_secs": 600})).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let token = made["token"].as_str().unwrap();
    assert_eq!(made["url"], format!("https://webhooks.example.com/portal/?app={acme}#token={token}"));
    assert_eq!(made["app_id"], acme.as_str());
    let expires = herald_core::Timestamp::parse_rfc3339(made["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires.as_millis() - app.now_ms(), 600_000);

    // The token reaches its application, and nothing else.
    let (s, _, _) = app.request_as(token, Method::GET, &format!("/api/v1/apps/{acme}/endpoints"), None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = app.request_as(token, Method::GET, &format!("/api/v1/apps/{other}/endpoints"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // It cannot make links (for itself or longer-lived), nor set the theme.
    let (s, _, body) = app.request_as(token, Method::POST, &format!("/api/v1/apps/{acme}/portal-link"), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("portal links"), "{body}");
    let (s, _, _) = app
        .request_as(token, Method::PUT, &format!("/api/v1/apps/{acme}/portal-theme"), Some(json!({"name": "x"})))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = app.request_as(token, Method::GET, &format!("/api/v1/apps/{acme}/portal-theme"), None).await;
    assert_eq!(s, StatusCode::OK, "the portal reads its theme");

    // It stops working when it runs out.
    app.advance(Duration::from_secs(601));
    let (s, _, body) = app.request_as(token, Method::GET, &format!("/api/v1/apps/{acme}/endpoints"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");

    // Bad requests are named; an unknown application is 404.
    for ttl in [json!(59), json!(604_801), json!("soon")] {
        let (s, body) = link(&app, &acme, json!({ "ttl_secs": ttl })).await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::BAD_REQUEST, "{ttl}: {s} {body}");
        assert!(body["message"].as_str().unwrap().contains("ttl_secs"), "{body}");
    }
    let (s, _) = link(&app, "app_nope", json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Without a body: the configured lifetime (an hour by default).
    let (s, made) = app.request(Method::POST, &format!("/api/v1/apps/{acme}/portal-link"), None).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
}

async fn without_a_public_url_the_link_uses_the_request_host() {
    let app = TestApp::spawn().await;
    let acme = app.create_app().await;
    let (_, made) = link(&app, &acme, json!({})).await;
    let url = made["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/portal/?app={acme}#token=hrld_", app.base)), "{url}");
    let expires = herald_core::Timestamp::parse_rfc3339(made["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires.as_millis() - app.now_ms(), 3_600_000, "portal.link_ttl_secs default");

    // Turned off: no page and no links.
    let off = TestApp::spawn_with(|c| c.portal.enabled = false).await;
    let id = off.create_app().await;
    let (s, _) = link(&off, &id, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let res = reqwest::get(format!("{}/portal/", off.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// Each link makes a token; a day after they expire they are deleted (the
/// expirer sweeps when it starts and once a minute after).
async fn expired_links_are_deleted_a_day_later() {
    let app = TestApp::spawn().await;
    let acme = app.create_app().await;
    let (_, old) = link(&app, &acme, json!({"ttl_secs": 60})).await;
    let (_, fresh) = link(&app, &acme, json!({"ttl_secs": 7 * 86_400})).await;
    let (_, forever) = app.post("/api/v1/tokens", json!({"name": "ci", "scope": "admin"})).await;
    app.advance(Duration::from_secs(60 + 86_400 + 1));
    let node = app.spawn_sibling(|_| {}).await;
    let id_of = |token: &Value| {
        let value = token["token"].as_str().unwrap().to_owned();
        let hash = herald_server::auth::sha256(&value);
        hex::encode(hash)
    };
    let mut gone = false;
    for _ in 0..200 {
        if node.store.token_by_hash(&id_of(&old)).await.unwrap().is_none() {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(gone, "the link that expired over a day ago is deleted");
    assert!(node.store.token_by_hash(&id_of(&fresh)).await.unwrap().is_some(), "a live link stays");
    assert!(node.store.token_by_hash(&id_of(&forever)).await.unwrap().is_some(), "a token without expiry stays");
}

async fn themes_are_checked_stored_and_cleared() {
    let app = TestApp::spawn().await;
    let acme = app.create_app().await;
    let path = format!("/api/v1/apps/{acme}/portal-theme");
    assert_eq!(app.get(&path).await, (StatusCode::OK, json!({})));
    let theme = json!({"name": "Acme Webhooks", "logo_url": "https://acme.example/logo.png", "color": "#0B6E4F"});
    let (s, body) = app.request(Method::PUT, &path, Some(theme.clone())).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(app.get(&path).await, (StatusCode::OK, theme));
    for (bad, field) in [
        (json!({"color": "green"}), "color"),
        (json!({"logo_url": "http://acme.example/logo.png"}), "logo_url"),
        (json!({"logo_url": "javascript:alert(1)"}), "logo_url"),
        // The url crate takes this; the document's pattern does not.
        (json!({"logo_url": "https://acme.example/logo*.png"}), "logo_url"),
        (json!({"name": ""}), "name"),
        (json!({"font": "Comic Sans"}), "font"),
    ] {
        let (s, body) = app.request(Method::PUT, &path, Some(bad.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["message"].as_str().unwrap().contains(field), "{bad}: {body}");
    }
    let (s, _) = app.request(Method::PUT, &path, Some(json!({}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.get(&path).await, (StatusCode::OK, json!({})), "back to Herald's look");
    let (s, _) = app.request(Method::PUT, "/api/v1/apps/app_nope/portal-theme", Some(json!({}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// The request shown for an attempt is the one the receiver got, but for
/// the credential, which is masked.
async fn an_attempts_request_is_rebuilt_as_sent() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let (s, a) = app
        .post(
            "/api/v1/apps",
            json!({"name": "Keyed", "credential": "sk_live_secret",
                   "profile": {"signature": {"scheme": "static-header", "header": "X-Api-Key"}}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let keyed = a["id"].as_str().unwrap().to_owned();
    app.create_endpoint(&keyed, json!({"url": rx.url("/keyed"), "headers": {"X-Team": "growth"}})).await;
    let plain = app.create_app().await;
    app.create_endpoint(&plain, json!({"url": rx.url("/plain")})).await;

    rx.script([Reply::WithBody(500, b"nope")]);
    let msg = app.publish(&plain, "order.paid", json!({"order": 7})).await;
    app.wait_attempts(&plain, &msg, 1).await;
    let attempt = app.attempts(&plain, &msg).await[0]["id"].as_str().unwrap().to_owned();
    let (s, req) = app.get(&format!("/api/v1/apps/{plain}/messages/{msg}/attempts/{attempt}/request")).await;
    assert_eq!(s, StatusCode::OK, "{req}");
    let got = &rx.received_on("/plain")[0];
    assert_eq!(req["method"], "POST");
    assert_eq!(req["url"], rx.url("/plain"));
    assert_eq!(req["rebuilt"], true);
    assert_eq!(req["body"], got.body_text());
    let headers: Vec<(String, String)> = serde_json::from_value(req["headers"].clone()).unwrap();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "user-agent"] {
        let shown = headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(shown, got.header(name), "{name}");
    }

    let msg = app.publish(&keyed, "order.paid", json!({"order": 8})).await;
    app.wait_attempts(&keyed, &msg, 1).await;
    let attempt = app.attempts(&keyed, &msg).await[0]["id"].as_str().unwrap().to_owned();
    let (_, req) = app.get(&format!("/api/v1/apps/{keyed}/messages/{msg}/attempts/{attempt}/request")).await;
    assert_eq!(rx.received_on("/keyed")[0].header("x-api-key"), Some("sk_live_secret"));
    assert!(!req.to_string().contains("sk_live_secret"), "{req}");
    assert!(req["headers"].as_array().unwrap().contains(&json!(["x-api-key", "(hidden)"])), "{req}");
    assert!(req["headers"].as_array().unwrap().contains(&json!(["x-team", "growth"])), "{req}");

    // Unknown or malformed attempt ids, and another message's attempt: 404.
    for bad in ["att_01J00000000000000000000000", "nope"] {
        let (s, _) = app.get(&format!("/api/v1/apps/{keyed}/messages/{msg}/attempts/{bad}/request")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{bad}");
    }
    let other_msg = app.publish(&keyed, "order.paid", json!({"order": 9})).await;
    app.wait_attempts(&keyed, &other_msg, 1).await;
    let (s, _) = app.get(&format!("/api/v1/apps/{keyed}/messages/{other_msg}/attempts/{attempt}/request")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn stats_come_in_parts_and_messages_with_their_deliveries() {
    // The failed delivery's retry is not due within the test.
    let app = TestApp::spawn_with(|c| c.delivery.retry_schedule_secs = vec![86_400]).await;
    let rx = TestReceiver::start().await;
    let acme = app.create_app().await;
    let ep = app.create_endpoint(&acme, json!({"url": rx.url("/a")})).await;
    let ep = ep["id"].as_str().unwrap();
    rx.script([Reply::Status(500)]);
    let first = app.publish(&acme, "a.b", json!({})).await;
    app.wait_delivery(&acme, &first, |d| d["attempts"] == 1 && d["status"] == "retrying").await;
    app.advance(Duration::from_secs(2 * 3600 + 1800));
    let second = app.publish(&acme, "a.b", json!({})).await;
    app.wait_delivery(&acme, &second, |d| d["status"] == "delivered").await;

    let (s, stats) = app.get(&format!("/api/v1/apps/{acme}/endpoints/{ep}/stats?window=day&buckets=24")).await;
    assert_eq!(s, StatusCode::OK, "{stats}");
    let series = stats["series"].as_array().unwrap();
    assert_eq!(series.len(), 24);
    let sum = |k: &str| series.iter().map(|b| b[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("attempts"), sum("delivered")), (2, 1), "{stats}");
    assert_eq!(stats["attempts"], 2);
    // The failure two and a half hours ago, the success in the last hour.
    assert_eq!((series[21]["attempts"].as_u64(), series[21]["delivered"].as_u64()), (Some(1), Some(0)), "{stats}");
    assert_eq!(series[23]["delivered"], 1, "{stats}");
    let (_, app_stats) = app.get(&format!("/api/v1/apps/{acme}/stats?window=hour&buckets=4")).await;
    assert_eq!(app_stats["series"].as_array().unwrap().len(), 4);
    let (_, plain) = app.get(&format!("/api/v1/apps/{acme}/stats")).await;
    assert!(plain.get("series").is_none(), "{plain}");
    for bad in ["0", "97", "x"] {
        let (s, body) = app.get(&format!("/api/v1/apps/{acme}/stats?buckets={bad}")).await;
        assert!(s.is_client_error(), "{bad}: {body}");
        assert!(body["message"].as_str().unwrap().contains("buckets"), "{body}");
    }

    let (_, list) = app.get(&format!("/api/v1/apps/{acme}/messages?with_deliveries=true")).await;
    let data = list["data"].as_array().unwrap();
    assert_eq!(data[0]["id"], second.as_str());
    assert_eq!(data[0]["deliveries"][0]["status"], "delivered");
    assert_eq!(data[1]["deliveries"][0]["status"], "retrying");
    assert_eq!(data[1]["deliveries"][0]["endpoint_id"], ep);
    let (_, list) = app.get(&format!("/api/v1/apps/{acme}/messages")).await;
    assert!(list["data"][0].get("deliveries").is_none(), "only when asked for");
}

async fn the_page_is_served_with_its_security_headers() {
    let app = TestApp::spawn_with(|c| c.portal.frame_ancestors = "'self' https://app.example.com".into()).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/portal", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.headers()["location"], "/portal/");
    for (path, kind, needle) in [
        ("/portal/", "text/html", "app.js"),
        ("/portal/app.js", "text/javascript", "portal-theme"),
        ("/portal/app.css", "text/css", "--accent"),
    ] {
        let res = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers().clone();
        assert!(h["content-type"].to_str().unwrap().starts_with(kind), "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'self' https://app.example.com"), "{csp}");
        assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(res.text().await.unwrap().contains(needle), "{path}");
    }
    // The page is public (it holds no data); the API behind it is not.
    let res = reqwest::get(format!("{}/api/v1/apps", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

crate::both_stores!(
    portal_links_are_admin_only_short_lived_and_scoped,
    without_a_public_url_the_link_uses_the_request_host,
    expired_links_are_deleted_a_day_later,
    themes_are_checked_stored_and_cleared,
    an_attempts_request_is_rebuilt_as_sent,
    stats_come_in_parts_and_messages_with_their_deliveries,
    the_page_is_served_with_its_security_headers,
);
