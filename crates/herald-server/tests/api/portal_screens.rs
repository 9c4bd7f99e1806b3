//! What a customer reads in the portal, screen by screen, in a real headless
//! Chromium: each test is one of the defects a first use found (issue 33),
//! checked by the visible text and state after each action, at desktop and
//! phone width.

use std::time::Duration;

use herald_testkit::{Browser, Reply, TestReceiver};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TOKEN};
use crate::portal_browser::{catalog, looks_right, new_app, open_fresh, page_text, portal_link, shot};

/// A node whose deliveries get one attempt each (a failure is final at
/// once), the catalog, and an application "acme".
async fn setup() -> (TestApp, String) {
    let app = TestApp::spawn_with(|c| c.delivery.retry_schedule_secs = vec![]).await;
    catalog(&app).await;
    let acme = new_app(&app, "Acme Inc.", "acme").await;
    (app, acme)
}

async fn endpoint(app: &TestApp, acme: &str, body: Value) -> String {
    app.create_endpoint(acme, body).await["id"].as_str().unwrap().to_owned()
}

/// Publishes and waits until every delivery of the message has ended.
async fn publish_settled(app: &TestApp, acme: &str, event_type: &str) -> String {
    let msg = app.publish(acme, event_type, json!({"referral_id": "ref_9"})).await;
    for _ in 0..500 {
        let m = app.message(acme, &msg).await;
        let ds = m["deliveries"].as_array().unwrap();
        if !ds.is_empty() && ds.iter().all(|d| d["status"] == "delivered" || d["status"] == "failed") {
            return msg;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("message {msg} never settled");
}

/// The current value of the form field `css` matches.
async fn value(browser: &Browser, css: &str) -> String {
    browser.find(css).await;
    let v =
        browser.client.execute("return document.querySelector(arguments[0]).value", vec![json!(css)]).await.unwrap();
    v.as_str().unwrap().to_owned()
}

/// The text of the element `css` matches now.
async fn text(browser: &Browser, css: &str) -> String {
    browser.find(css).await.text().await.unwrap()
}

/// Defect 6: a message delivered to one endpoint and failed at another
/// reads as two statuses, not `[object HTMLSpanElement]`; under the Failed
/// filter its answer is the failed one's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_with_two_outcomes_reads_as_both() {
    let Some(browser) = Browser::start(1280, 900).await else { return };
    let (app, acme) = setup().await;
    let (good, bad) = (TestReceiver::start().await, TestReceiver::start().await);
    bad.set_default(Reply::Status(500));
    endpoint(&app, &acme, json!({"url": good.url("/good")})).await;
    endpoint(&app, &acme, json!({"url": bad.url("/bad")})).await;
    publish_settled(&app, &acme, "referral.created").await;

    browser.open(&portal_link(&app, &acme, json!({})).await).await;
    browser.click_text("Deliveries").await;
    let row = browser.wait_text("[data-test=message-log] li", "referral.created").await;
    let shown = row.text().await.unwrap();
    assert!(shown.contains("Delivered · 1") && shown.contains("Failed · 1"), "{shown}");
    assert!(shown.contains("/bad: HTTP 500"), "the failure's answer is the one shown: {shown}");
    shot(&browser, "desktop-deliveries-mixed").await;

    browser.select("#f-status", "failed").await;
    browser.click_text("Apply").await;
    browser.find("#f-status option[value=failed][selected]").await;
    browser.wait_text("[data-test=message-log] li", "Failed · 1").await;
    let shown = text(&browser, "[data-test=message-log] li").await;
    assert!(shown.contains("HTTP 500") && !shown.contains("HTTP 200"), "{shown}");
    browser.set_size(390, 844).await;
    shot(&browser, "phone-deliveries-failed-filter").await;
    browser.quit().await;
}

/// Defect 7: an endpoint subscribed with a wildcard shows it, keeps it
/// through an edit of something else, and offers its types as test events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wildcard_subscription_is_shown_kept_and_offered_for_tests() {
    let Some(browser) = Browser::start(1280, 900).await else { return };
    let (app, acme) = setup().await;
    let rx = TestReceiver::start().await;
    let ep = endpoint(&app, &acme, json!({"url": rx.url("/hook"), "event_types": ["referral.*"]})).await;

    browser.open(&portal_link(&app, &acme, json!({})).await).await;
    browser.wait_text("#nav", "Deliveries").await;
    browser.open(&format!("{}/portal/?app={acme}#/endpoints/{ep}/edit", app.base)).await;
    browser.wait_text("h1", "Edit endpoint").await;
    assert_eq!(browser.attrs("#ep-patterns", "value").await, ["referral.*"]);
    let chosen: bool = serde_json::from_value(
        browser.client.execute("return document.getElementById('events-chosen').checked", vec![]).await.unwrap(),
    )
    .unwrap();
    assert!(chosen, "'Only the events chosen' is ticked");
    browser.wait_text("#type-list", "also sent by referral.*").await;
    looks_right(&browser, "the form of a wildcard endpoint").await;
    browser.fill("#ep-description", "Referrals only").await;
    browser.click_text("Save changes").await;
    browser.wait_text("#notice", "Changes saved").await;
    let (_, saved) = app.get(&format!("/api/v1/apps/{acme}/endpoints/{ep}")).await;
    assert_eq!(saved["event_types"], json!(["referral.*"]), "{saved}");
    assert_eq!(saved["description"], "Referrals only");

    browser.wait_text("#test-type", "referral.created").await;
    let mut offered = browser.attrs("#test-type option", "value").await;
    offered.sort();
    assert_eq!(offered, ["", "referral.converted", "referral.created"], "the wildcard's types, and the built-in");
    browser.select("#test-type", "referral.created").await;
    browser.click_text("Send test event").await;
    rx.wait_for("/hook", 1).await;

    // A new pattern is added beside it, and an empty choice is refused by the field.
    browser.click_text("Edit").await;
    browser.fill("#ep-patterns", "referral.*, influencer.*").await;
    browser.click_text("Save changes").await;
    browser.wait_text("#notice", "Changes saved").await;
    let (_, saved) = app.get(&format!("/api/v1/apps/{acme}/endpoints/{ep}")).await;
    assert_eq!(saved["event_types"], json!(["referral.*", "influencer.*"]), "{saved}");
    browser.click_text("Edit").await;
    browser.fill("#ep-patterns", "").await;
    browser.click_text("Save changes").await;
    browser.wait_text("#ep-patterns-error", "Choose at least one event, or send all events").await;
    browser.quit().await;
}

/// Defect 8: after a bulk recovery the Failed list refreshes by itself
/// (no Replay left for what was recovered), and a delivered delivery is
/// never offered for replay, nor replayed if asked from a stale screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_refresh_after_a_recovery_and_delivered_deliveries_are_not_replayed() {
    let Some(browser) = Browser::start(1280, 900).await else { return };
    let (app, acme) = setup().await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let ep = endpoint(&app, &acme, json!({"url": rx.url("/hook")})).await;
    let first = publish_settled(&app, &acme, "referral.created").await;
    publish_settled(&app, &acme, "referral.converted").await;

    browser.open(&portal_link(&app, &acme, json!({})).await).await;
    browser.click_text("Failed").await;
    browser.wait_text("[data-test=dead-letters]", "referral.converted").await;
    assert_eq!(browser.attrs("[data-test=replay]", "type").await.len(), 2);
    rx.set_default(Reply::Status(200));
    browser.click_text("Recover").await;
    browser.wait_text("[data-test=failed-empty]", "No failed deliveries").await;
    assert!(!browser.has("[data-test=replay]").await, "nothing recovered is offered for replay");
    browser.wait_text("[data-test=recovery]", "Recovery done: 2 failed deliveries queued again").await;
    rx.wait_for("/hook", 4).await;
    assert!(browser.has("#download-failed:disabled").await, "nothing to download");
    looks_right(&browser, "the Failed screen after a recovery").await;

    // The delivered message offers no replay; the API refuses a replay
    // that only a failed delivery should get.
    browser.open(&format!("{}/portal/?app={acme}#/messages/{first}", app.base)).await;
    app.wait_delivery(&acme, &first, |d| crate::helpers::status_is(d, "delivered")).await;
    browser.wait_text("[data-test=deliveries] li", "Delivered").await;
    assert!(!browser.has("[data-test=replay]").await, "a delivered delivery has no Replay");
    let path = format!("/api/v1/apps/{acme}/messages/{first}/endpoints/{ep}/replay?only_failed=true");
    let (status, err) = app.post(&path, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["code"], "already_delivered");
    assert_eq!(rx.count(), 4, "nothing re-sent");
    browser.quit().await;
}

/// Defect 9: an endpoint failing most of its deliveries reads as Failing
/// (not a green Enabled), on its page, the list and the overview; a replay
/// that failed again is not a green banner; attempts go on being numbered
/// after a bulk recovery; a wrong admin token says so; an expired link
/// shows customers no admin form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_replay_outcomes_and_sign_in_read_as_they_are() {
    let Some(browser) = Browser::start(1280, 900).await else { return };
    let (app, acme) = setup().await;
    let rx = TestReceiver::start().await;
    let ep = endpoint(&app, &acme, json!({"url": rx.url("/hook"), "description": "Billing"})).await;
    publish_settled(&app, &acme, "referral.created").await;
    // Another application with one attempt, for the operator's view.
    let globex = new_app(&app, "Globex", "globex").await;
    endpoint(&app, &globex, json!({"url": rx.url("/globex")})).await;
    publish_settled(&app, &globex, "referral.created").await;
    rx.set_default(Reply::Status(500));
    let mut last = String::new();
    for _ in 0..10 {
        last = publish_settled(&app, &acme, "referral.converted").await;
    }

    // The endpoint's list and page: Failing, in red, not "Receiving events".
    browser.open(&portal_link(&app, &acme, json!({})).await).await;
    browser.click_text("Endpoints").await;
    let item = browser.wait_text("[data-test=endpoints] li", "/hook").await;
    let shown = item.text().await.unwrap();
    assert!(shown.contains("Failing") && !shown.contains("Receiving events"), "{shown}");
    assert!(item.find(herald_testkit::Locator::Css(".badge.bad")).await.is_ok());
    browser.click(&format!("[data-endpoint='{ep}'] a")).await;
    let state = text(&browser, "[data-test=endpoint-state]").await;
    assert!(state.contains("Failing") && state.contains("9.1% of attempts succeeded"), "{state}");
    assert!(!state.contains("Receiving events"), "{state}");

    // The overview: the same health, and a way to the failures.
    browser.click_text("Overview").await;
    let row = browser.wait_text("[data-test=endpoint-health] li", "/hook").await;
    assert_eq!(row.attr("data-health").await.unwrap().as_deref(), Some("failing"));
    browser.wait_text("[data-test=day] [data-test=success-rate]", "9.1%").await;
    browser.wait_text("[data-test=week] [data-test=success-rate]", "9.1%").await;
    browser.wait_text("[data-test=day] [data-test=failed]", "10").await;
    shot(&browser, "desktop-overview-failing").await;
    browser.click("[data-test=failures-link]").await;
    browser.wait_text("h1", "Failed deliveries").await;
    assert_eq!(value(&browser, "#failed-endpoint").await, ep);

    // A recovery, then a replay: one numbering (1, 2, 3), and the failed
    // replay is said in red.
    let (s, _) = app.post(&format!("/api/v1/apps/{acme}/recoveries"), json!({"since": "2000-01-01T00:00:00Z"})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    rx.wait_for("/hook", 21).await;
    app.wait_delivery(&acme, &last, |d| crate::helpers::status_is(d, "failed") && d["attempts"] == 2).await;
    browser.open(&format!("{}/portal/?app={acme}#/messages/{last}", app.base)).await;
    browser.wait_text("[data-test=attempts]", "Attempt 2").await;
    browser.click_text("Replay").await;
    let banner = browser.wait_text("#notice[data-kind=bad]", "failed again: HTTP 500").await;
    assert!(banner.is_displayed().await.unwrap());
    browser.wait_text("[data-test=attempts]", "Attempt 3 (replay)").await;
    let mut numbers = browser.attrs("[data-test=attempts] li", "data-number").await;
    numbers.sort();
    assert_eq!(numbers, ["1", "2", "3"]);
    browser.wait_text("[data-test=deliveries]", "3 attempts").await;
    looks_right(&browser, "a message replayed after a recovery").await;

    // A wrong admin token, then an expired link.
    open_fresh(&browser, &format!("{}/portal/", app.base)).await;
    browser.wait_text("form", "Admin token").await;
    looks_right(&browser, "the operator's sign-in").await;
    browser.fill("#admin-token", "not-the-token").await;
    browser.click_text("Sign in").await;
    browser.wait_text("[data-test=sign-in-message]", "That admin token was not accepted").await;
    assert!(!page_text(&browser).await.contains("portal link"), "an operator is not told about links");
    browser.fill("#admin-token", TOKEN).await;
    browser.click_text("Sign in").await;
    browser.wait_text("[data-test=apps] li", "Failing").await;
    browser.wait_text("[data-test=apps] li", "1 attempt ·").await;
    looks_right(&browser, "the operator's view").await;
    let short = portal_link(&app, &acme, json!({"ttl_secs": 60})).await;
    app.advance(Duration::from_secs(61));
    open_fresh(&browser, &short).await;
    browser.wait_text("#error", "This portal link has expired or was revoked").await;
    assert!(!browser.has("#admin-token").await, "no admin form for a customer");
    browser.set_size(390, 844).await;
    shot(&browser, "phone-expired-link").await;
    browser.quit().await;
}

/// Defect 10: errors are said next to their field in the customer's words
/// (no setting names, no parser messages) and go once the field changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_errors_sit_by_their_field_in_the_customers_words() {
    let Some(browser) = Browser::start(1280, 900).await else { return };
    // A phone's width (Chromium starts no narrower than 500 px).
    browser.set_size(390, 844).await;
    let (app, acme) = setup().await;
    browser.open(&portal_link(&app, &acme, json!({})).await).await;
    browser.click_text("Endpoints").await;
    browser.click_text("Add endpoint").await;
    browser.click_text("Create endpoint").await;
    browser.wait_text("#ep-url-error", "Enter the URL that should receive the events").await;
    assert_eq!(browser.error_text().await, None);
    assert_eq!(browser.attrs("#ep-url", "aria-invalid").await, ["true"]);
    shot(&browser, "phone-endpoint-form-error").await;

    browser.fill("#ep-url", "http://10.1.2.3/hook").await;
    assert!(!browser.has("#ep-url-error").await, "the error goes once the field changes");
    browser.click_text("Create endpoint").await;
    let said = browser.wait_text("#ep-url-error", "10.1.2.3").await.text().await.unwrap();
    assert!(said.contains("private network address") && said.contains("reachable from the Internet"), "{said}");
    looks_right(&browser, "a refused address").await;

    browser.fill("#ep-url", "https://example.com/hook").await;
    browser.fill("#ep-rate", "-1").await;
    browser.click_text("Create endpoint").await;
    browser.wait_text("#ep-rate-error", "Enter a number above 0").await;
    browser.fill("#ep-rate", "").await;
    browser.fill("#ep-headers", "no colon here").await;
    browser.click_text("Create endpoint").await;
    browser.wait_text("#ep-headers-error", "Line 1: write each header as Name: value").await;
    browser.fill("#ep-headers", "").await;
    browser.click_text("Create endpoint").await;
    browser.wait_text("#notice", "Endpoint created").await;

    // A message that does not exist: said plainly.
    browser.open(&format!("{}/portal/?app={acme}#/messages/msg_01JAAAAAAAAAAAAAAAAAAAAAAA", app.base)).await;
    browser.wait_text("#error", "Message not found. It may have been deleted").await;
    looks_right(&browser, "a message that does not exist").await;

    // The operator still gets the setting's name.
    let (s, err) = app.post(&format!("/api/v1/apps/{acme}/endpoints"), json!({"url": "http://10.1.2.3/x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap().contains("security.allowed_cidrs"), "{err}");
    assert_eq!(err["field"], "url");
    browser.quit().await;
}

/// Defect 11: a screen that is loading says so (the old list does not stay
/// under the new tab); empty states are sentences, not blank boxes; no
/// Load more under a short list; Reveal becomes Hide, with Copy beside it;
/// rotating and deleting ask in the page; an empty download is said, not
/// saved; a disabled endpoint offers no test event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screens_say_what_they_are_doing_and_what_is_empty() {
    let Some(browser) = Browser::start(1280, 900).await else { return };
    let (app, acme) = setup().await;
    let rx = TestReceiver::start().await;
    let ep = endpoint(&app, &acme, json!({"url": rx.url("/hook")})).await;
    browser.open(&portal_link(&app, &acme, json!({})).await).await;
    browser.click_text("Endpoints").await;
    browser.click(&format!("[data-endpoint='{ep}'] a")).await;
    browser.wait_text("[data-test=chart-empty]", "No deliveries in the last 24 hours").await;
    browser.wait_text("[data-test=log-empty]", "Nothing sent to this endpoint yet").await;
    assert!(!browser.has("[data-test=chart]").await);
    let more: bool = serde_json::from_value(
        browser
            .client
            .execute(
                "return [...document.querySelectorAll('button')].some(b => b.textContent === 'Load more' && b.offsetParent)",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(!more, "no Load more under a short list");
    looks_right(&browser, "a new endpoint").await;

    // The secret: Reveal, Hide, Copy.
    let (_, secret) = app.get(&format!("/api/v1/apps/{acme}/endpoints/{ep}/secret")).await;
    let key = secret["key"].as_str().unwrap();
    browser.click_text("Reveal").await;
    browser.wait_text("#secret-value", key).await;
    browser.click_text("Hide").await;
    browser.wait_text("#reveal-secret", "Reveal").await;
    assert!(!text(&browser, "#secret-value").await.contains(key));
    browser.click_text("Copy").await;
    browser.wait_text("#notice", "clipboard").await;
    assert!(!text(&browser, "#secret-value").await.contains(key), "copying does not show it");

    // Rotate and Delete ask in the page; Cancel leaves things as they were.
    browser.click_text("Rotate").await;
    browser.wait_text("[data-test=confirm]", "Rotate the signing secret?").await;
    browser.click_text("Cancel").await;
    assert!(!browser.has("[data-test=confirm]").await);
    browser.click_text("Delete").await;
    browser.wait_text("[data-test=confirm]", "Delete this endpoint?").await;
    browser.click_text("Cancel").await;
    let (s, _) = app.get(&format!("/api/v1/apps/{acme}/endpoints/{ep}")).await;
    assert_eq!(s, StatusCode::OK, "cancelled: still there");

    // Disabled: no test event.
    browser.click_text("Disable").await;
    browser.wait_text("[data-test=test-disabled]", "enable it to send a test event").await;
    assert!(browser.has("#send-test:disabled").await);
    browser.click_text("Enable").await;
    browser.wait_text("[data-test=endpoint-state]", "Enabled").await;
    assert!(browser.has("#send-test:enabled").await);

    // An empty download is said, not saved.
    browser.click_text("Failed").await;
    browser.wait_text("[data-test=failed-empty]", "No failed deliveries").await;
    assert!(browser.has("#download-failed:disabled").await);

    // At 1.5 s a request, a new tab shows it is loading, not the old list.
    browser.click_text("Endpoints").await;
    browser.wait_text("[data-test=endpoints] li", "/hook").await;
    browser.set_latency(Duration::from_millis(1500)).await;
    browser.click_text("Deliveries").await;
    browser.wait_text("[data-test=loading]", "Loading").await;
    assert!(!browser.has("[data-test=endpoints]").await, "the old list is gone at once");
    browser.wait_text("h1", "Deliveries").await;
    browser.wait_text("[data-test=log-empty]", "No deliveries yet").await;
    browser.set_latency(Duration::ZERO).await;

    // Delete, confirmed in the page.
    browser.click_text("Endpoints").await;
    browser.click(&format!("[data-endpoint='{ep}'] a")).await;
    browser.click_text("Delete").await;
    browser.click_text("Delete endpoint").await;
    browser.wait_text("#notice", "Endpoint deleted").await;
    browser.wait_text("main", "No endpoints yet").await;
    browser.quit().await;
}
