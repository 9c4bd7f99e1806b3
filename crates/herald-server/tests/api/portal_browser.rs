//! The customer portal in a real headless Chromium: a customer opens the
//! link, adds an endpoint, sends a test event, sees a failure with the
//! receiver's answer, replays it; another application's link sees none of
//! it; an expired link is refused; the operator lists every application.
//! Screenshots of the main screens (desktop and phone width) are saved in
//! `docs/portal/` (see the README).

use std::path::PathBuf;
use std::time::Duration;

use herald_testkit::{Browser, Reply, TestReceiver};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TOKEN};

pub(crate) fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/portal")
}

pub(crate) async fn catalog(app: &TestApp) {
    for (name, description, example) in [
        (
            "referral.converted",
            "A referred customer paid for the first time.",
            json!({"referral_id": "ref_1", "amount": 4900}),
        ),
        ("referral.created", "Someone signed up with a referral link.", json!({"referral_id": "ref_1"})),
        ("influencer.updated", "An influencer's profile changed.", json!({"influencer_id": "inf_7"})),
    ] {
        let (s, v) = app
            .post("/api/v1/event-types", json!({"name": name, "description": description, "example": example}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
}

pub(crate) async fn new_app(app: &TestApp, name: &str, uid: &str) -> String {
    let (s, v) = app.post("/api/v1/apps", json!({"name": name, "uid": uid})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn portal_link(app: &TestApp, app_id: &str, body: Value) -> String {
    let (s, v) = app.post(&format!("/api/v1/apps/{app_id}/portal-link"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["url"].as_str().unwrap().to_owned()
}

/// Opens a link in a fresh page: no token kept from before.
pub(crate) async fn open_fresh(browser: &Browser, url: &str) {
    browser.open("about:blank").await;
    let base = url.split("/portal/").next().unwrap();
    browser.open(&format!("{base}/health")).await;
    browser.client.execute("sessionStorage.clear()", vec![]).await.unwrap();
    browser.open(url).await;
}

/// The delivery status of each row of the log, top to bottom.
pub(crate) async fn statuses(browser: &Browser) -> Vec<String> {
    browser.attrs("[data-test=message-log] li [data-status]", "data-status").await
}

/// Waits until the log's rows show `want`, pressing Refresh now and then.
pub(crate) async fn wait_statuses(browser: &Browser, want: &[&str]) {
    let mut seen = Vec::new();
    for i in 0..100 {
        seen = statuses(browser).await;
        if seen == want {
            return;
        }
        if i % 5 == 4 {
            browser.click_text("Refresh").await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the log shows {seen:?}, not {want:?}");
}

pub(crate) async fn page_text(browser: &Browser) -> String {
    browser.find("body").await.text().await.unwrap()
}

/// Asserts what a person reads on the screen now: no JavaScript value or
/// operator setting in the text, and (at any width) nothing drawn over
/// something else, no word broken in the middle, nothing wider than the
/// window. `what` names the screen in the failure.
pub(crate) async fn looks_right(browser: &Browser, what: &str) {
    assert_eq!(browser.unreadable_text().await, Vec::<String>::new(), "{what}: the text a person reads");
    assert_eq!(browser.layout_problems().await, Vec::<String>::new(), "{what}: the layout");
}

/// [`looks_right`], then a screenshot in `docs/portal/`.
pub(crate) async fn shot(browser: &Browser, name: &str) {
    looks_right(browser, name).await;
    browser.screenshot(&shots().join(format!("{name}.png"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_runs_their_webhooks_from_the_portal() {
    let Some(browser) = Browser::start(1280, 900).await else { return };
    // One attempt per delivery: a failure is final at once, so it can be replayed.
    let app = TestApp::spawn_with(|c| c.delivery.retry_schedule_secs = vec![]).await;
    let receiver = TestReceiver::start().await;
    catalog(&app).await;
    let acme = new_app(&app, "Acme Inc.", "acme").await;
    let (s, v) = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/apps/{acme}/portal-theme"),
            Some(json!({"name": "Acme Webhooks", "color": "#0b6e4f"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Another customer, with an endpoint and a delivery of its own.
    let globex = new_app(&app, "Globex", "globex").await;
    let (s, _) = app
        .post(
            &format!("/api/v1/apps/{globex}/endpoints"),
            json!({"url": receiver.url("/globex-secret-hook"), "description": "Globex billing"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    // The link opens the portal, themed for Acme.
    let link = portal_link(&app, &acme, json!({})).await;
    assert!(link.starts_with(&format!("{}/portal/?app={acme}#token=hrld_", app.base)), "{link}");
    browser.open(&link).await;
    browser.wait_text("h1", "Overview").await;
    browser.wait_text("#title", "Acme Webhooks").await;
    browser.wait_text("main", "No endpoints yet").await;
    looks_right(&browser, "an empty overview").await;
    browser.click_text("Endpoints").await;
    browser.wait_text("h1", "Endpoints").await;
    let url_after = browser.client.current_url().await.unwrap();
    assert!(!url_after.as_str().contains("hrld_"), "the token is taken out of the address bar: {url_after}");

    // Add an endpoint. A bad URL first: the API's answer is shown next to
    // the field, in words, and goes once the field changes.
    browser.click_text("Add endpoint").await;
    assert_eq!(browser.unlabelled_fields().await, Vec::<String>::new(), "every field has a label");
    browser.fill("#ep-url", "not a url").await;
    browser.click_text("Create endpoint").await;
    browser.wait_text("#ep-url-error", "Not a full web address: write it like https://example.com/webhooks").await;
    assert_eq!(browser.error_text().await, None, "the error is by the field, not at the top");
    // Then a good one, with two of the three event types, a header and a rate.
    browser.fill("#ep-url", &receiver.url("/hook")).await;
    browser.fill("#ep-description", "Production receiver").await;
    browser.click("#events-chosen").await;
    browser.click("[id='type-referral.converted']").await;
    browser.click("[id='type-referral.created']").await;
    browser.fill("#ep-headers", "X-Team: growth").await;
    browser.fill("#ep-rate", "20").await;
    assert!(!browser.has("#ep-url-error").await, "the error went once the URL changed");
    shot(&browser, "desktop-endpoint-form").await;
    browser.click_text("Create endpoint").await;
    browser.wait_text("h1.url", "/hook").await;
    browser.wait_text("#notice", "Endpoint created").await;
    assert_eq!(browser.error_text().await, None, "the earlier error is gone");

    let (_, list) = app.get(&format!("/api/v1/apps/{acme}/endpoints")).await;
    let ep = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["url"].as_str().unwrap().ends_with("/hook"))
        .unwrap()
        .clone();
    let ep_id = ep["id"].as_str().unwrap().to_owned();
    let mut types: Vec<&str> = ep["event_types"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    types.sort_unstable();
    assert_eq!(types, ["referral.converted", "referral.created"]);
    assert_eq!(ep["headers"], json!({"x-team": "growth"}), "{ep}");
    assert_eq!(ep["profile"]["rate_limit"]["per_second"], 20.0);

    // Edit it from the keyboard: Enter in a field submits the form.
    browser.click_text("Edit").await;
    browser.fill("#ep-description", "Production receiver (EU)\u{E007}").await;
    browser.wait_text("#notice", "Changes saved").await;
    browser.wait_text("main", "Production receiver (EU)").await;
    let (_, edited) = app.get(&format!("/api/v1/apps/{acme}/endpoints/{ep_id}")).await;
    assert_eq!(edited["description"], "Production receiver (EU)");
    assert_eq!(edited["event_types"].as_array().unwrap().len(), 2, "the rest is kept");

    // Reveal the secret: the snippets carry it. Rotate it: a new one.
    assert_eq!(browser.unlabelled_fields().await, Vec::<String>::new(), "every field has a label");
    browser.click_text("Reveal").await;
    let (_, secret) = app.get(&format!("/api/v1/apps/{acme}/endpoints/{ep_id}/secret")).await;
    let key = secret["key"].as_str().unwrap().to_owned();
    browser.wait_text("#secret-value", &key).await;
    browser.wait_text("[data-test=snippet-node]", &format!("new Webhook(\"{key}\")")).await;
    browser.click_text("Rotate").await;
    browser.wait_text("[data-test=confirm]", "Rotate the signing secret?").await;
    browser.click_text("Rotate secret").await;
    browser.wait_text("#notice", "Secret rotated").await;
    let (_, secret) = app.get(&format!("/api/v1/apps/{acme}/endpoints/{ep_id}/secret")).await;
    let rotated = secret["key"].as_str().unwrap().to_owned();
    assert_ne!(rotated, key);
    browser.wait_text("[data-test=snippet-python]", &rotated).await;

    // A test event of a picked type: delivered, and the log says so.
    app.advance(Duration::from_secs(1));
    browser.select("#test-type", "referral.converted").await;
    browser.click_text("Send test event").await;
    browser.wait_text("#notice", "Test event referral.converted sent").await;
    let got = receiver.wait_for("/hook", 1).await;
    assert_eq!(got[0].header("x-team"), Some("growth"));
    assert!(got[0].body_text().contains("ref_1"), "the catalog's example is sent");
    browser.wait_text("[data-test=message-log] li", "Delivered").await;
    shot(&browser, "desktop-endpoint").await;

    // The receiver breaks: two more test events fail, with its answer shown.
    // (The test clock moves a second between events, so the log's order is theirs.)
    receiver.set_default(Reply::WithBody(500, b"receiver exploded"));
    app.advance(Duration::from_secs(1));
    browser.click_text("Send test event").await;
    receiver.wait_for("/hook", 2).await;
    browser.wait_text("[data-test=message-log] li:first-child", "Failed").await;
    app.advance(Duration::from_secs(1));
    browser.click_text("Send test event").await;
    receiver.wait_for("/hook", 3).await;
    browser.wait_text("[data-test=message-log] li:first-child", "Failed").await;
    browser.wait_text("[data-test=message-log] li:first-child", "last answer: HTTP 500").await;
    browser.click("[data-test=message-log] li:first-child a").await;
    browser.wait_text("[data-test=response-body]", "receiver exploded").await;
    browser.wait_text("[data-test=attempts] li", "HTTP 500").await;
    browser.click_text("Show request").await;
    let request = browser.wait_text("[data-test=request]", "webhook-signature").await;
    let shown = request.text().await.unwrap();
    assert!(shown.contains("x-team") && shown.contains("growth") && shown.contains("ref_1"), "{shown}");
    // The signature shown is the one the receiver got for that message.
    let sent = receiver.received_on("/hook");
    let sent = sent.iter().find(|r| shown.contains(r.header("webhook-id").unwrap())).expect("the message was received");
    let sent_signature = sent.header("webhook-signature").unwrap();
    assert!(shown.contains(sent_signature), "shown:\n{shown}\nsent: {sent_signature}");
    // The body shown byte for byte as sent (the signature is over it).
    let body = browser.find("[data-test=request-body]").await.text().await.unwrap();
    assert_eq!(body, sent.body_text(), "the request body as sent");
    shot(&browser, "desktop-message").await;

    // The log filtered by status: the two failures only.
    browser.click_text("Deliveries").await;
    browser.select("#f-status", "failed").await;
    browser.click_text("Apply").await;
    wait_statuses(&browser, &["failed", "failed"]).await;

    // Both are listed under Failed; their payloads download; one is replayed
    // and the other recovered once the receiver is back.
    browser.click_text("Failed").await;
    browser.wait_text("[data-test=dead-letters] li", "HTTP 500").await;
    assert_eq!(browser.unlabelled_fields().await, Vec::<String>::new(), "every field has a label");
    shot(&browser, "desktop-failed").await;
    browser.click_text("Download failed payloads").await;
    let (name, body) = browser.wait_download().await;
    assert_eq!(name, format!("{acme}-failed.ndjson"));
    let lines: Vec<Value> =
        String::from_utf8(body).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l["payload"]["referral_id"] == "ref_1"), "{lines:?}");
    receiver.set_default(Reply::Status(200));
    browser.click_text("Replay").await;
    browser.wait_text("#notice[data-kind=ok]", "Sent again: HTTP 200, delivered").await;
    receiver.wait_for("/hook", 4).await;
    browser.wait_text("[data-test=dead-letters]", "HTTP 500").await;
    browser.click_text("Recover").await;
    browser.wait_text("#notice", "Recovery started: 1 failed delivery to send again").await;
    browser.wait_text("[data-test=recovery]", "Recovery done: 1 failed delivery queued again").await;
    browser.wait_text("[data-test=failed-empty]", "No failed deliveries").await;
    receiver.wait_for("/hook", 5).await;
    browser.click_text("Deliveries").await;
    wait_statuses(&browser, &["delivered", "delivered", "delivered"]).await;
    shot(&browser, "desktop-deliveries").await;
    browser.click_text("Overview").await;
    browser.wait_text("[data-test=endpoint-health] li", "/hook").await;
    shot(&browser, "desktop-overview").await;

    // The same screens at phone width.
    browser.set_size(390, 844).await;
    shot(&browser, "phone-overview").await;
    browser.click_text("Endpoints").await;
    browser.wait_text("[data-test=endpoints] li", "/hook").await;
    shot(&browser, "phone-endpoints").await;
    browser.click(&format!("[data-endpoint='{ep_id}'] a")).await;
    browser.wait_text("[data-test=stats]", "Success rate").await;
    shot(&browser, "phone-endpoint").await;
    browser.click_text("Deliveries").await;
    wait_statuses(&browser, &["delivered", "delivered", "delivered"]).await;
    shot(&browser, "phone-deliveries").await;
    browser.click("[data-test=message-log] li:last-child a").await;
    browser.wait_text("[data-test=attempts]", "Attempt 1").await;
    browser.click_text("Show request").await;
    browser.wait_text("[data-test=request]", "webhook-signature").await;
    shot(&browser, "phone-message").await;
    browser.click_text("Failed").await;
    browser.wait_text("[data-test=failed-empty]", "No failed deliveries").await;
    shot(&browser, "phone-failed").await;
    browser.set_size(1280, 900).await;

    // Globex's link sees Globex only.
    let other = portal_link(&app, &globex, json!({})).await;
    open_fresh(&browser, &other).await;
    browser.wait_text("[data-test=endpoint-health] li", "globex-secret-hook").await;
    browser.click_text("Deliveries").await;
    browser.wait_text("[data-test=message-log]", "No deliveries yet").await;
    let text = page_text(&browser).await;
    assert!(!text.contains("/hook") && !text.contains("referral.converted sent"), "{text}");

    // Globex's token pointed at Acme: refused, nothing of Acme shown.
    let globex_token = other.split("#token=").nth(1).unwrap();
    open_fresh(&browser, &format!("{}/portal/?app={acme}#token={globex_token}", app.base)).await;
    browser.wait_text("#error", "Application not found").await;
    let text = page_text(&browser).await;
    assert!(!text.contains("/hook") && !text.contains("Acme"), "{text}");

    // An expired link is refused with a clear message.
    let short = portal_link(&app, &acme, json!({"ttl_secs": 60})).await;
    app.advance(Duration::from_secs(61));
    open_fresh(&browser, &short).await;
    browser.wait_text("#error", "This portal link has expired").await;
    assert!(!page_text(&browser).await.contains("/hook"));
    assert!(!browser.has("#admin-token").await, "a customer is not asked for an admin token");
    shot(&browser, "desktop-expired-link").await;

    // The operator signs in with the admin token and sees every application.
    open_fresh(&browser, &format!("{}/portal/", app.base)).await;
    browser.fill("#admin-token", TOKEN).await;
    browser.click_text("Sign in").await;
    let acme_row = browser.wait_text("[data-test=apps] li", "Acme Inc.").await;
    assert!(acme_row.text().await.unwrap().contains("Degraded"), "3 of 5 attempts delivered");
    browser.wait_text("[data-test=apps] li", "Globex").await;
    shot(&browser, "desktop-operator").await;
    browser.quit().await;
}

/// A page on another origin (`localhost` against Herald's `127.0.0.1`) that
/// shows `src` in an iframe; returns its address.
async fn embedding_page(listener: tokio::net::TcpListener, src: String) -> String {
    let port = listener.local_addr().unwrap().port();
    let html = format!("<!doctype html><title>Provider</title><h1>Provider dashboard</h1><iframe src=\"{src}\" width=\"1000\" height=\"700\"></iframe>");
    let router =
        axum::Router::new().route("/embed", axum::routing::get(move || async move { axum::response::Html(html) }));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://localhost:{port}/embed")
}

/// Embedded in the provider's page: shown where `portal.frame_ancestors`
/// lists the page's origin, refused by the browser where it does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_embeds_only_where_frame_ancestors_allows() {
    let Some(browser) = Browser::start(1280, 900).await else { return };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let provider = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let allowed = TestApp::spawn_with(|c| c.portal.frame_ancestors = format!("'self' {provider}")).await;
    let acme = new_app(&allowed, "Acme Inc.", "acme").await;
    let page = embedding_page(listener, portal_link(&allowed, &acme, json!({})).await).await;
    browser.open(&page).await;
    browser.wait_text("h1", "Provider dashboard").await;
    browser.client.enter_frame(Some(0)).await.unwrap();
    browser.wait_text("h1", "Overview").await;
    browser.client.enter_parent_frame().await.unwrap();
    browser.screenshot(&shots().join("desktop-embedded.png")).await;

    // The default ('self' only): the browser shows nothing of it in the frame.
    let strict = TestApp::spawn().await;
    let globex = new_app(&strict, "Globex", "globex").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page = embedding_page(listener, portal_link(&strict, &globex, json!({})).await).await;
    browser.open(&page).await;
    browser.wait_text("h1", "Provider dashboard").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    browser.client.enter_frame(Some(0)).await.unwrap();
    assert!(!browser.has("#main").await, "the framed portal was blocked");
    browser.quit().await;
}
