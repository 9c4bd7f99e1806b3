use std::time::Duration;

use herald_core::Clock;
use serde_json::json;

use crate::helpers::{status_is, TestApp};
use herald_testkit::TestReceiver;

/// A node claims a delivery and dies without settling it: once the lease
/// runs out, another node delivers it.
async fn a_delivery_held_by_a_dead_worker_is_delivered_after_its_lease() {
    let api_only = TestApp::spawn_with(|c| c.worker.enabled = false).await;
    let rx = TestReceiver::start().await;
    let app_id = api_only.create_app().await;
    api_only.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let msg = api_only.publish(&app_id, "a.b", json!({ "n": 1 })).await;

    // The "dead" worker: claims with a 30 s lease and never settles.
    let lease = Duration::from_secs(30);
    let claimed = api_only.store.claim(api_only.clock.now(), 10, lease).await.unwrap();
    assert_eq!(claimed.len(), 1);

    let worker = api_only.spawn_sibling(|_| {}).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rx.received().is_empty(), "leased elsewhere: not sent yet");
    api_only.advance(Duration::from_secs(29));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rx.received().is_empty(), "the lease still holds");

    api_only.advance(Duration::from_secs(2));
    rx.wait_for("/hook", 1).await;
    let d = worker.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert_eq!(d["attempts"], 1);

    // The dead worker's late outcome is refused: its lease is gone.
    let stale = herald_store::Settlement {
        delivery_id: claimed[0].delivery_id,
        lease: claimed[0].lease,
        app_id: claimed[0].message.app_id.clone(),
        msg_id: claimed[0].message.id.clone(),
        endpoint_id: claimed[0].endpoint.id.clone(),
        attempt: None,
        next: herald_store::NextState::Failed,
        error: Some("stale".into()),
        disable_endpoint: None,
    };
    assert_eq!(api_only.store.settle(&[stale], api_only.clock.now()).await.unwrap(), 0);
    let d = worker.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert_eq!(d["last_error"], serde_json::Value::Null);
}

/// Stopping gracefully lets in-flight requests finish and records them.
async fn a_graceful_stop_settles_what_is_in_flight() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.script([herald_testkit::Reply::Hang(Duration::from_millis(300))]);
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    rx.wait_for("/hook", 1).await;
    let store = app.store.clone();
    let _keep_db = app.db.clone();
    let app_id_parsed = herald_core::AppId::parse(&app_id).unwrap();
    let msg_id = herald_core::MessageId::parse(&msg).unwrap();
    app.stop().await;
    let d = store.message_deliveries(&app_id_parsed, &msg_id).await.unwrap();
    assert_eq!(d[0].state, herald_core::delivery::DeliveryState::Delivered);
}

crate::both_stores!(
    a_delivery_held_by_a_dead_worker_is_delivered_after_its_lease,
    a_graceful_stop_settles_what_is_in_flight,
);
