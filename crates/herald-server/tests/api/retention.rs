//! Retention: old payloads and response bodies removed by the cleaner
//! while recent ones stay; one payload expunged on request, gone from the
//! database file.

use std::time::Duration;

use herald_testkit::{Reply, TestReceiver};
use serde_json::json;

use crate::helpers::{status_is, TestApp};

async fn the_cleaner_removes_old_payloads_and_keeps_recent_ones() {
    let app = TestApp::spawn_with(|c| {
        c.retention.payload_days = 30;
        c.retention.interval_ms = 50;
        c.retention.batch_size = 2;
    })
    .await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::WithBody(200, b"thanks, order 1234 received"));
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let mut old = Vec::new();
    for n in 0..5 {
        let m = app.publish(&app_id, "order.paid", json!({ "card": "4242", "n": n })).await;
        app.wait_delivery(&app_id, &m, |d| status_is(d, "delivered")).await;
        old.push(m);
    }
    app.advance(Duration::from_secs(31 * 86_400));
    let recent = app.publish(&app_id, "order.paid", json!({ "card": "5555" })).await;
    app.wait_delivery(&app_id, &recent, |d| status_is(d, "delivered")).await;

    for _ in 0..200 {
        let mut done = true;
        for m in &old {
            done &= app.message(&app_id, m).await["payload"].is_null();
        }
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for m in &old {
        let v = app.message(&app_id, m).await;
        assert!(v["payload"].is_null() && v["expunged_at"].is_string(), "{v}");
        assert_eq!(v["deliveries"][0]["status"], "delivered", "the record stays: {v}");
        let attempts = app.attempts(&app_id, m).await;
        assert_eq!(attempts.len(), 1);
        assert!(attempts[0]["response_body"].is_null() && attempts[0]["status_code"] == 200, "{attempts:?}");
    }
    let v = app.message(&app_id, &recent).await;
    assert_eq!(v["payload"], json!({ "card": "5555" }), "{v}");
    assert_eq!(app.attempts(&app_id, &recent).await[0]["response_body"], "thanks, order 1234 received");
}

async fn an_expunged_payload_is_gone_from_the_database_file() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    let marker = format!("personal-data-{}", ulid::Ulid::new());
    let (status, published) = app
        .post(
            &format!("/api/v1/apps/{app_id}/messages"),
            json!({ "event_type": "user.deleted", "payload": { "bio": "x".repeat(6000), "email": marker } }),
        )
        .await;
    assert_eq!(status.as_u16(), 202, "{published}");
    let msg = published["id"].as_str().unwrap().to_owned();
    let in_file = |path: &str| {
        let bytes = std::fs::read(path).unwrap();
        bytes.windows(marker.len()).any(|w| w == marker.as_bytes())
    };
    if let Some(path) = app.db.url.strip_prefix("sqlite://") {
        // First the payload reaches the file itself (the log is copied back
        // every 100 ms), so that removing it has something to remove.
        for _ in 0..100 {
            if in_file(path) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(in_file(path), "the payload never reached {path}");
    }

    let (status, expunged) = app.delete(&format!("/api/v1/apps/{app_id}/messages/{msg}/payload")).await;
    assert_eq!(status.as_u16(), 200, "{expunged}");
    assert!(expunged["payload"].is_null() && expunged["expunged_at"].is_string(), "{expunged}");
    assert!(app.message(&app_id, &msg).await["payload"].is_null());
    let (status, missing) = app.delete(&format!("/api/v1/apps/{app_id}/messages/msg_nope/payload")).await;
    assert_eq!(status.as_u16(), 404, "{missing}");

    if let Some(path) = app.db.url.strip_prefix("sqlite://") {
        // Once the write-ahead log is copied back (every 100 ms), the file
        // holds no trace of it: secure_delete zeroes what was overwritten.
        let mut found = true;
        for _ in 0..100 {
            found = in_file(path);
            if !found {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(!found, "the payload is still in {path}");
    } else {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT payload FROM messages WHERE id = $1")
            .bind(&msg)
            .fetch_all(&sqlx::PgPool::connect(&app.db.url).await.unwrap())
            .await
            .unwrap();
        assert_eq!(rows, vec![(String::new(),)]);
    }
}

crate::both_stores!(
    the_cleaner_removes_old_payloads_and_keeps_recent_ones,
    an_expunged_payload_is_gone_from_the_database_file
);
