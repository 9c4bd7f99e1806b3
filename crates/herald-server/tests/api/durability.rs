use std::time::Duration;

use herald_core::Clock;
use serde_json::json;

use herald_core::AppId;
use herald_store::{NextState, Settlement};

use crate::helpers::{status_is, Backend, TestApp, BACKEND};
use herald_testkit::TestReceiver;

/// A node leases a delivery and dies without settling it: once the lease
/// runs out, another node (already running, so it has nothing of the dead
/// node's to take back) delivers it.
async fn a_delivery_held_by_a_dead_worker_is_delivered_after_its_lease() {
    let api_only = TestApp::spawn_with(|c| c.worker.enabled = false).await;
    let rx = TestReceiver::start().await;
    let app_id = api_only.create_app().await;
    api_only.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let worker = api_only.spawn_sibling(|_| {}).await;

    // The "dead" worker: leases at publish with a 30 s lease, never settles.
    let lease = Duration::from_secs(30);
    let app = AppId::parse(&app_id).unwrap();
    let published =
        api_only.store.publish(&app, api_only.new_message(), api_only.clock.now(), Some(lease)).await.unwrap();
    let claimed = published.claimed;
    assert_eq!(claimed.len(), 1);
    let msg = published.message.id.to_string();

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
    let stale = Settlement { error: Some("stale".into()), ..Settlement::unsent(&claimed[0], NextState::Failed) };
    assert_eq!(api_only.store.settle(&[stale], api_only.clock.now()).await.unwrap(), 0);
    let d = worker.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert_eq!(d["last_error"], serde_json::Value::Null);
}

/// A node restarted on the same database takes its own leases back as it
/// starts, instead of waiting for them to run out: on SQLite every lease
/// (one process owns the file), on PostgreSQL those of its node id.
async fn a_restarted_node_takes_its_leases_back_at_once() {
    let before = TestApp::spawn_with(|c| {
        c.worker.enabled = false;
        c.worker.node_id = "node-a".into();
    })
    .await;
    let rx = TestReceiver::start().await;
    let app_id = before.create_app().await;
    before.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let app = AppId::parse(&app_id).unwrap();
    let lease = Duration::from_secs(30);
    let mine = before.store.publish(&app, before.new_message(), before.clock.now(), Some(lease)).await.unwrap();
    assert_eq!(mine.claimed.len(), 1);
    let on_postgres = BACKEND.try_with(|b| *b == Backend::Postgres).unwrap_or(false);
    let theirs = if on_postgres {
        // Another node's lease, which the restart must leave alone.
        let other = before
            .spawn_sibling(|c| {
                c.worker.enabled = false;
                c.worker.node_id = "node-b".into();
            })
            .await;
        let p = other.store.publish(&app, other.new_message(), other.clock.now(), Some(lease)).await.unwrap();
        Some(p.message.id.to_string())
    } else {
        None
    };

    // The restart: same node id, the clock not moved at all.
    let after = before.spawn_sibling(|c| c.worker.node_id = "node-a".into()).await;
    rx.wait_for_within("/hook", 1, Duration::from_secs(5)).await;
    let d = after.wait_delivery(&app_id, mine.message.id.as_str(), |d| status_is(d, "delivered")).await;
    assert_eq!(d["attempts"], 1);
    if let Some(msg) = theirs {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(rx.count(), 1, "another node's lease still holds");
        let d = after.message(&app_id, &msg).await;
        assert_eq!(d["deliveries"][0]["status"], "pending");
    }
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
    a_restarted_node_takes_its_leases_back_at_once,
    a_graceful_stop_settles_what_is_in_flight,
);

/// Herald's PostgreSQL connections commit synchronously even where the
/// database's own default says otherwise, so an accepted event is on disk
/// on the server before the 202.
#[tokio::test]
async fn postgres_connections_commit_synchronously_whatever_the_database_default() {
    use herald_store_postgres::{PgOptions, PgStore};
    if !crate::helpers::postgres_available().await {
        return;
    }
    let server = crate::helpers::postgres_server_url();
    let name = format!("herald_t_{}", ulid::Ulid::new().to_string().to_lowercase());
    let url = PgStore::create_database(&server, &name).await.unwrap();
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(&format!("ALTER DATABASE \"{name}\" SET synchronous_commit = off")).execute(&admin).await.unwrap();
    admin.close().await;
    // A plain connection now gets the database's default...
    let plain = sqlx::PgPool::connect(&url).await.unwrap();
    let default: String = sqlx::query_scalar("SHOW synchronous_commit").fetch_one(&plain).await.unwrap();
    assert_eq!(default, "off");
    plain.close().await;

    // ...and Herald's do not, on every connection of the pool.
    let opts = PgOptions {
        url,
        max_connections: 4,
        node: "t".into(),
        acquire_timeout: Duration::from_secs(5),
        sealer: std::sync::Arc::new(herald_store::seal::Sealer::ephemeral()),
        channels: herald_store::NotifyChannels::default(),
    };
    let store = PgStore::connect(&opts).await.unwrap();
    let seen = store.session_settings("synchronous_commit", 4).await.unwrap();
    assert_eq!(seen, vec!["on"; 4]);
    store.close().await;
    PgStore::drop_database(&server, &name).await.unwrap();
}
