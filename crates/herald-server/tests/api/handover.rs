//! Publishing leases the new deliveries to its own process's worker and
//! hands them over in memory. The rows are on disk, leased, before the API
//! answers; what the worker does not start is given back.

use std::sync::Arc;
use std::time::Duration;

use herald_core::{AppId, Clock, MessageId};
use herald_server::worker::http::HttpClient;
use herald_server::worker::Sender;
use herald_store::NextState;
use serde_json::json;

use crate::helpers::{api_only_with_one_endpoint, status_is, TestApp};
use herald_testkit::{Reply, TestReceiver};

/// With a lease, publishing returns the new deliveries already leased: no
/// claim sees them until the lease runs out. Without one, they are claimable.
async fn publishing_with_a_lease_returns_the_deliveries_leased() {
    let app = TestApp::spawn_with(|c| c.worker.enabled = false).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/one") })).await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/two"), "event_types": ["other.*"] })).await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/three") })).await;
    let app_id = AppId::parse(&app_id).unwrap();
    let lease = Duration::from_secs(30);

    let published = app.store.publish(&app_id, app.new_message(), app.clock.now(), Some(lease)).await.unwrap();
    assert_eq!(published.fanned_out, 2, "the filter leaves one endpoint out");
    assert_eq!(published.claimed.len(), 2);
    for d in &published.claimed {
        assert_eq!(d.attempt_number, 1);
        assert_eq!(d.message.id, published.message.id);
        assert_eq!(d.leased_until, app.clock.now().plus(lease));
        assert!(d.endpoint.url.as_str().ends_with("/one") || d.endpoint.url.as_str().ends_with("/three"));
    }
    assert!(app.store.claim(app.clock.now(), 10, lease).await.unwrap().is_empty(), "leased at publish");

    let unleased = app.store.publish(&app_id, app.new_message(), app.clock.now(), None).await.unwrap();
    assert!(unleased.claimed.is_empty());
    let claimed = app.store.claim(app.clock.now(), 10, lease).await.unwrap();
    assert_eq!(claimed.len(), 2, "published without a lease: claimable at once");
    assert!(claimed.iter().all(|d| d.message.id == unleased.message.id));

    app.advance(Duration::from_secs(31));
    let expired = app.store.claim(app.clock.now(), 10, lease).await.unwrap();
    let mut ids: Vec<i64> = expired.iter().map(|d| d.delivery_id).collect();
    ids.sort_unstable();
    let mut want: Vec<i64> = published.claimed.iter().chain(&claimed).map(|d| d.delivery_id).collect();
    want.sort_unstable();
    assert_eq!(ids, want, "a lease taken at publish runs out like one taken by a claim");
}

/// A lease given back (`Released`) makes the delivery claimable at once,
/// as it was: still pending, no attempt counted.
async fn a_released_lease_is_claimable_at_once_and_unchanged() {
    let (app, rx, app_id) = api_only_with_one_endpoint().await;
    let lease = Duration::from_secs(30);
    let published = app.store.publish(&app_id, app.new_message(), app.clock.now(), Some(lease)).await.unwrap();
    let release = herald_server::worker::dispatch::release(&published.claimed[0]);
    assert_eq!(app.store.settle(&[release], app.clock.now()).await.unwrap(), 1);

    let claimed = app.store.claim(app.clock.now(), 10, lease).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempt_number, 1, "no attempt was counted");
    let status = app.store.message_deliveries(&app_id, &published.message.id).await.unwrap();
    assert_eq!(status[0].state, herald_core::delivery::DeliveryState::Pending);
    assert!(rx.received().is_empty());
}

/// A delivery that waited until too little of its lease was left is not
/// sent (another node may take it once the lease runs out); it is released.
async fn a_delivery_with_too_little_lease_left_is_released_unsent() {
    let (app, rx, app_id) = api_only_with_one_endpoint().await;
    let lease = Duration::from_secs(30);
    let published = app.store.publish(&app_id, app.new_message(), app.clock.now(), Some(lease)).await.unwrap();
    let sender = Sender {
        client: HttpClient::new(crate::helpers::test_config("sqlite::memory:").security.destination_policy().unwrap())
            .unwrap(),
        clock: Arc::new(app.clock.clone()),
        policy: Arc::new(herald_core::retry::RetryPolicy::default()),
        timeout: Duration::from_secs(10),
        max_retry_after: Duration::from_secs(3600),
        body_limit: 4096,
        auto_disable: herald_core::health::AutoDisable::default(),
        metrics: Arc::new(herald_server::metrics::Metrics::new()),
        tokens: Arc::new(herald_server::worker::oauth::TokenCache::new(Arc::new(app.clock.clone()))),
    };

    app.advance(lease - Duration::from_millis(50));
    let outcome = sender.deliver(published.claimed[0].clone()).await;
    assert!(matches!(outcome.next, NextState::Released), "{:?}", outcome.next);
    assert!(outcome.attempt.is_none());
    assert!(rx.received().is_empty(), "nothing was sent");

    // With the lease fresh, the same delivery is sent.
    let again = app.store.publish(&app_id, app.new_message(), app.clock.now(), Some(lease)).await.unwrap();
    let outcome = sender.deliver(again.claimed[0].clone()).await;
    assert!(matches!(outcome.next, NextState::Delivered), "{:?}", outcome.next);
    assert_eq!(rx.received_on("/hook").len(), 1);
}

/// A worker that stops gives back the leases of what it was handed but had
/// not started: those deliveries can be claimed at once, not after the lease.
async fn a_stopping_worker_gives_back_what_it_has_not_started() {
    let app = TestApp::spawn_with(|c| {
        c.worker.concurrency = 1;
        c.delivery.timeout_ms = 5_000;
    })
    .await;
    let rx = TestReceiver::start().await;
    // The first send hangs long enough to cover the other publishes and the
    // stop even on a loaded CI host; it is started before they are published,
    // so they can only be waiting for the one send slot.
    rx.script([Reply::Hang(Duration::from_secs(2))]);
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let mut msgs = vec![app.publish(&app_id, "a.b", json!({})).await];
    rx.wait_for("/hook", 1).await;
    for _ in 0..3 {
        msgs.push(app.publish(&app_id, "a.b", json!({})).await);
    }
    let (store, clock, _db) = (app.store.clone(), app.clock.clone(), app.db.clone());
    app.stop().await;

    assert_eq!(rx.count(), 1, "only the first was started");
    let claimed = store.claim(clock.now(), 10, Duration::from_secs(30)).await.unwrap();
    assert_eq!(claimed.len(), 3, "the three not started were given back");
    assert!(claimed.iter().all(|d| d.attempt_number == 1));
    let app_id = AppId::parse(&app_id).unwrap();
    let first = store.message_deliveries(&app_id, &MessageId::parse(&msgs[0]).unwrap()).await.unwrap();
    assert_eq!(first[0].state, herald_core::delivery::DeliveryState::Delivered, "the started one was settled");
}

/// Published through the API with a worker in the process, a delivery is
/// sent and recorded without waiting for a poll.
async fn the_api_hands_new_deliveries_to_its_worker() {
    // A poll interval far longer than the test: only the hand-over (or a
    // wake-up) can explain a prompt delivery.
    let app = TestApp::spawn_with(|c| c.worker.poll_interval_ms = 600_000).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let msg = app.publish(&app_id, "a.b", json!({ "n": 1 })).await;
    rx.wait_for_within("/hook", 1, Duration::from_secs(5)).await;
    let d = app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert_eq!(d["attempts"], 1);
}

/// Publishing keeps the applications and endpoints it decoded, and reads
/// again only a row that changed: every change made through the API or by
/// Herald itself reaches the very next publish.
async fn a_change_to_an_endpoint_or_its_application_reaches_the_next_publish() {
    let app = TestApp::spawn_with(|c| c.worker.enabled = false).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/one") })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();
    let typed = AppId::parse(&app_id).unwrap();
    let lease = Some(Duration::from_secs(30));
    let publish = || async { app.store.publish(&typed, app.new_message(), app.clock.now(), lease).await.unwrap() };

    let first = publish().await;
    assert_eq!(first.claimed.len(), 1);
    assert!(first.claimed[0].endpoint.url.as_str().ends_with("/one"));
    let path = format!("/api/v1/apps/{app_id}/endpoints/{ep}");

    let (s, body) = app.patch(&path, json!({ "url": rx.url("/two") })).await;
    assert_eq!(s.as_u16(), 200, "{body}");
    let second = publish().await;
    assert!(second.claimed[0].endpoint.url.as_str().ends_with("/two"), "the new URL");

    let (s, body) = app.post(&format!("{path}/secret/rotate"), json!({})).await;
    assert_eq!(s.as_u16(), 200, "{body}");
    let third = publish().await;
    assert_ne!(third.claimed[0].endpoint.secret, second.claimed[0].endpoint.secret, "the new secret");
    assert!(third.claimed[0].endpoint.previous_secret.is_some());

    let (s, body) = app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "name": "Renamed" })).await;
    assert_eq!(s.as_u16(), 200, "{body}");
    assert_eq!(publish().await.claimed[0].app.name, "Renamed", "the application read again");

    let (s, body) = app.patch(&path, json!({ "event_types": ["other.*"] })).await;
    assert_eq!(s.as_u16(), 200, "{body}");
    assert_eq!(publish().await.fanned_out, 0, "filtered out");
    let (s, body) = app.patch(&path, json!({ "event_types": null, "disabled": true })).await;
    assert_eq!(s.as_u16(), 200, "{body}");
    assert_eq!(publish().await.fanned_out, 0, "disabled");
    let (s, body) = app.patch(&path, json!({ "disabled": false })).await;
    assert_eq!(s.as_u16(), 200, "{body}");
    let enabled = publish().await;
    assert_eq!(enabled.fanned_out, 1, "enabled again");

    // A claim reads the endpoint and its application as they are now, too
    // (leases taken at publish run out, so the claims hold earlier ones).
    let unleased = app.store.publish(&typed, app.new_message(), app.clock.now(), None).await.unwrap();
    let claim = || async {
        let all = app.store.claim(app.clock.now(), 100, Duration::from_secs(30)).await.unwrap();
        all.into_iter().find(|d| d.message.id == unleased.message.id).expect("claimed")
    };
    assert_eq!(claim().await.endpoint.secret, enabled.claimed[0].endpoint.secret);
    let (s, body) = app.patch(&path, json!({ "url": rx.url("/three") })).await;
    assert_eq!(s.as_u16(), 200, "{body}");
    app.advance(Duration::from_secs(31));
    assert!(claim().await.endpoint.url.as_str().ends_with("/three"), "claimed with the new URL");
    let (s, body) = app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "name": "Again" })).await;
    assert_eq!(s.as_u16(), 200, "{body}");
    app.advance(Duration::from_secs(31));
    assert_eq!(claim().await.app.name, "Again", "claimed with the application as it is");

    let (s, body) = app.delete(&path).await;
    assert!(s.is_success(), "{body}");
    assert_eq!(publish().await.fanned_out, 0, "deleted");
}

crate::both_stores!(
    publishing_with_a_lease_returns_the_deliveries_leased,
    a_change_to_an_endpoint_or_its_application_reaches_the_next_publish,
    a_released_lease_is_claimable_at_once_and_unchanged,
    a_delivery_with_too_little_lease_left_is_released_unsent,
    a_stopping_worker_gives_back_what_it_has_not_started,
    the_api_hands_new_deliveries_to_its_worker,
);
