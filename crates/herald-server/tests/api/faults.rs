//! Faults that must not delay or fail anyone else's webhooks: a hanging
//! receiver, requests that outlast their lease, clients that drop their
//! connection mid-publish, hostile bytes, a row the database refuses.

use std::time::Duration;

use herald_core::{AppId, Clock};
use herald_store::ClaimRequest;
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::helpers::{status_is, Backend, TestApp, BACKEND};
use herald_testkit::{Reply, TestReceiver};

/// With 4 send slots and a share of 2 per endpoint, 20 deliveries queued
/// for a receiver that never answers take 2 slots; another application's
/// deliveries go out at once, while the hanging ones are still waiting.
async fn a_hanging_endpoint_holds_only_its_share_of_the_send_slots() {
    let app = TestApp::spawn_with(|c| {
        c.worker.concurrency = 4;
        c.worker.max_per_endpoint = 2;
        c.delivery.timeout_ms = 20_000;
    })
    .await;
    let hanging = TestReceiver::start().await;
    hanging.set_default(Reply::Hang(Duration::from_secs(30)));
    let healthy = TestReceiver::start().await;
    let slow_app = app.create_app().await;
    app.create_endpoint(&slow_app, json!({ "url": hanging.url("/hook") })).await;
    let other_app = app.create_app().await;
    app.create_endpoint(&other_app, json!({ "url": healthy.url("/hook") })).await;

    for _ in 0..20 {
        app.publish(&slow_app, "a.b", json!({})).await;
    }
    hanging.wait_for("/hook", 2).await;
    for n in 0..10 {
        app.publish(&other_app, "a.b", json!({ "n": n })).await;
    }
    // Far inside the hanging requests' 20 s timeout.
    healthy.wait_for_within("/hook", 10, Duration::from_secs(5)).await;
    assert_eq!(hanging.count(), 2, "the hanging endpoint holds its share and no more");
}

/// With 6 send slots, a share of 4 per endpoint and 3 per application, a
/// tenant whose 3 endpoints all hang (5 deliveries queued each) takes 3
/// slots in all, although none of its endpoints is at its own share;
/// another application's deliveries go out at once.
async fn an_application_holds_only_its_share_over_all_its_endpoints() {
    let app = TestApp::spawn_with(|c| {
        c.worker.concurrency = 6;
        c.worker.max_per_endpoint = 4;
        c.worker.max_per_application = 3;
        c.delivery.timeout_ms = 20_000;
    })
    .await;
    let hanging = TestReceiver::start().await;
    hanging.set_default(Reply::Hang(Duration::from_secs(30)));
    let healthy = TestReceiver::start().await;
    let big = app.create_app().await;
    for n in 0..3 {
        app.create_endpoint(&big, json!({ "url": hanging.url(&format!("/hook/{n}")) })).await;
    }
    let other_app = app.create_app().await;
    app.create_endpoint(&other_app, json!({ "url": healthy.url("/hook") })).await;

    for _ in 0..5 {
        app.publish(&big, "a.b", json!({})).await;
    }
    // Wait for the tenant's share to be taken before the others publish.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while hanging.count() < 3 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for n in 0..10 {
        app.publish(&other_app, "a.b", json!({ "n": n })).await;
    }
    healthy.wait_for_within("/hook", 10, Duration::from_secs(5)).await;
    assert_eq!(hanging.count(), 3, "the tenant holds its application's share and no more");
}

/// A claim leaves out the applications (and endpoints) it is told to: the
/// worker's way of keeping a tenant at its share.
async fn a_claim_leaves_out_the_applications_at_their_share() {
    let app = TestApp::spawn_with(|c| c.worker.enabled = false).await;
    let rx = TestReceiver::start().await;
    let (big, other) = (app.create_app().await, app.create_app().await);
    for n in 0..3 {
        app.create_endpoint(&big, json!({ "url": rx.url(&format!("/big/{n}")) })).await;
    }
    let lone = app.create_endpoint(&other, json!({ "url": rx.url("/other") })).await["id"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        app.publish(&big, "a.b", json!({})).await;
        app.publish(&other, "a.b", json!({})).await;
    }
    let claim = |skip_apps: Vec<AppId>| {
        let store = app.store.clone();
        let now = app.clock.now();
        async move {
            let req = ClaimRequest {
                now,
                limit: 100,
                lease: Duration::from_secs(30),
                per_endpoint: 100,
                skip: &[],
                skip_apps: &skip_apps,
                after: "",
            };
            store.claim_batch(&req).await.unwrap()
        }
    };
    let got = claim(vec![AppId::parse(&big).unwrap()]).await;
    assert_eq!(got.len(), 2, "only the other application's two deliveries");
    assert!(got.iter().all(|d| d.endpoint.id.as_str() == lone.as_str()));
    let got = claim(vec![]).await;
    assert_eq!(got.len(), 6, "the tenant's six, once it is no longer left out");
    assert!(got.iter().all(|d| d.app.id.as_str() == big.as_str()));
}

/// A request that takes longer than the lease still ends once: the worker
/// renews the lease while it waits, so the delivery is never claimed again.
async fn a_request_longer_than_the_lease_is_sent_once() {
    let app = TestApp::spawn_with(|c| {
        c.worker.lease_ms = 2_000;
        c.delivery.timeout_ms = 10_000;
    })
    .await;
    // The manual clock moves with real time, so leases run out as they would.
    let clock = app.clock.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            clock.advance(Duration::from_millis(20));
        }
    });
    let rx = TestReceiver::start().await;
    // Twice the lease: without renewal it would run out, and be claimed again, midway.
    let hang = Duration::from_millis(4_000);
    rx.script([Reply::Hang(hang)]);
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    rx.wait_for("/hook", 1).await;
    tokio::time::sleep(hang).await;
    let d = app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    ticker.abort();
    assert_eq!(d["attempts"], 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 1, "sent once: the lease was renewed, never lost");
}

/// Clients that send a publish and drop the connection at once: whatever
/// was committed is delivered promptly, not when a lease runs out.
async fn a_publish_whose_client_went_away_is_delivered_at_once() {
    let app = TestApp::spawn_with(|c| c.worker.lease_ms = 60_000).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let body = json!({ "event_type": "a.b", "payload": { "x": 1 } }).to_string();
    let request = format!(
        "POST /api/v1/apps/{app_id}/messages HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        crate::helpers::TOKEN,
        body.len()
    );
    let sends = (0..50).map(|_| {
        let (addr, request) = (addr.clone(), request.clone());
        tokio::spawn(async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.write_all(request.as_bytes()).await.unwrap();
            // Gone before any answer: the request's future is dropped.
            drop(s);
        })
    });
    for s in sends {
        s.await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, list) = app.get(&format!("/api/v1/apps/{app_id}/messages?limit=250")).await;
    let committed = list["data"].as_array().unwrap().len();
    // Far inside the 60 s lease: a stranded hand-over would wait for it.
    rx.wait_for_within("/hook", committed, Duration::from_secs(3)).await;
    for m in list["data"].as_array().unwrap() {
        app.wait_delivery(&app_id, m["id"].as_str().unwrap(), |d| status_is(d, "delivered")).await;
    }
}

/// NUL in a JSON string, a path segment or a query parameter is refused
/// with the API's error on both stores, never a 500.
async fn a_nul_character_anywhere_is_refused_with_a_clear_error() {
    let app = TestApp::spawn().await;
    let (status, body) = app.post("/api/v1/apps", json!({ "name": "bad\u{0}name" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "validation_error");
    assert!(body["message"].as_str().unwrap().starts_with("name:"), "{body}");

    let app_id = app.create_app().await;
    let path = format!("/api/v1/apps/{app_id}/messages");
    let (status, body) = app.post(&path, json!({ "event_type": "a.b", "event_id": "x\u{0}", "payload": {} })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().starts_with("event_id:"), "{body}");
    let (status, body) = app.post(&path, json!({ "event_type": "a.b", "payload": { "k": ["ok", "\u{0}"] } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().starts_with("payload.k[1]:"), "{body}");
    // An escaped backslash before `u0000` is text, not a NUL.
    let (status, body) = app.post(&path, json!({ "event_type": "a.b", "payload": { "k": "\\u0000" } })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    for bad in [
        format!("/api/v1/apps/{app_id}%00"),
        "/api/v1/apps/app_%00/endpoints".to_owned(),
        format!("/api/v1/apps/{app_id}/messages?iterator=%00abc"),
        "/api/v1/apps?iterator=x%00".to_owned(),
    ] {
        let (status, body) = app.get(&bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["code"], "invalid_request", "{bad}");
    }
}

/// Among 200 concurrent publishes, one whose row the database refuses (a
/// trigger injects the fault) fails alone; the other 199 are stored and
/// delivered.
async fn a_publish_the_database_refuses_fails_alone() {
    let app = TestApp::spawn().await;
    inject_fault(&app.db.url, "messages", "event_id", "poison").await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let path = format!("/api/v1/apps/{app_id}/messages");
    let publishes = (0..200).map(|i| {
        let event_id = if i == 100 { "poison".to_owned() } else { format!("ev-{i}") };
        let (client, url) = (app.client.clone(), format!("{}{path}", app.base));
        tokio::spawn(async move {
            let body = json!({ "event_type": "a.b", "event_id": event_id, "payload": { "i": i } });
            let resp = client.post(url).bearer_auth(crate::helpers::TOKEN).json(&body).send().await.unwrap();
            (i, resp.status())
        })
    });
    let mut refused = Vec::new();
    for p in publishes {
        let (i, status) = p.await.unwrap();
        if status != StatusCode::ACCEPTED {
            refused.push((i, status));
        }
    }
    assert_eq!(refused, vec![(100, StatusCode::INTERNAL_SERVER_ERROR)], "only the refused row fails");
    rx.wait_for("/hook", 199).await;
}

/// A trigger that makes the database refuse a row of `table` whose
/// `column` holds `value`.
async fn inject_fault(db_url: &str, table: &str, column: &str, value: &str) {
    use sqlx::Connection;
    if BACKEND.try_with(|b| *b == Backend::Postgres).unwrap_or(false) {
        let mut conn = sqlx::PgConnection::connect(db_url).await.unwrap();
        let sql = format!(
            "CREATE FUNCTION refuse_{table}() RETURNS trigger AS $$ BEGIN
                 IF NEW.{column} = '{value}' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW;
             END $$ LANGUAGE plpgsql;
             CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_{table}();"
        );
        sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::SqliteConnection::connect(db_url).await.unwrap();
        let sql = format!(
            "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} WHEN NEW.{column} = '{value}'
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
        );
        sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
    }
}

/// An outcome the database refuses (its attempt row, by a trigger) is not
/// recorded, but the outcomes settled in the same batch are.
async fn an_outcome_the_database_refuses_does_not_cost_the_others() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let bad = app.create_endpoint(&app_id, json!({ "url": rx.url("/bad") })).await;
    inject_fault(&app.db.url, "attempts", "endpoint_id", bad["id"].as_str().unwrap()).await;
    let good_app = app.create_app().await;
    app.create_endpoint(&good_app, json!({ "url": rx.url("/good") })).await;
    let mut good = Vec::new();
    for i in 0..20 {
        if i == 10 {
            app.publish(&app_id, "a.b", json!({})).await;
        }
        good.push(app.publish(&good_app, "a.b", json!({ "i": i })).await);
    }
    for msg in &good {
        let d = app.wait_delivery(&good_app, msg, |d| status_is(d, "delivered")).await;
        assert_eq!(d["attempts"], 1);
    }
}

/// A receiver whose answer holds NUL bytes: the attempt is still recorded
/// (NUL shown as U+FFFD), and the outcomes settled with it are not lost.
async fn an_answer_with_nul_bytes_is_recorded() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.script([Reply::WithBody(500, b"bad\0answer")]);
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let msg = app.publish(&app_id, "a.b", json!({})).await;
    let d = app.wait_delivery(&app_id, &msg, |d| status_is(d, "retrying")).await;
    assert_eq!(d["last_status_code"], 500);
    let attempts = app.attempts(&app_id, &msg).await;
    assert_eq!(attempts[0]["response_body"], "bad\u{fffd}answer");
}

crate::both_stores!(
    an_answer_with_nul_bytes_is_recorded,
    an_outcome_the_database_refuses_does_not_cost_the_others,
    a_hanging_endpoint_holds_only_its_share_of_the_send_slots,
    an_application_holds_only_its_share_over_all_its_endpoints,
    a_claim_leaves_out_the_applications_at_their_share,
    a_request_longer_than_the_lease_is_sent_once,
    a_publish_whose_client_went_away_is_delivered_at_once,
    a_nul_character_anywhere_is_refused_with_a_clear_error,
    a_publish_the_database_refuses_fails_alone,
);

/// While PostgreSQL cannot be reached (a proxy in front of it is cut),
/// publishing answers 503 with `Retry-After` and /health reports the
/// database down while /health/live stays up; once it is back, publishing
/// works again.
#[tokio::test]
async fn postgres_outage_answers_503_and_recovers() {
    crate::helpers::on_postgres(postgres_outage()).await;
}

async fn postgres_outage() {
    let proxy = herald_testkit::TcpProxy::start("127.0.0.1:5432").await;
    let app = TestApp::spawn_with(|c| {
        c.database.url = c.database.url.replace("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port));
        c.database.unavailable_after_ms = 500;
    })
    .await;
    let app_id = app.create_app().await;
    let path = format!("/api/v1/apps/{app_id}/messages");
    let url = format!("{}{path}", app.base);
    let publish = || {
        app.client.post(&url).bearer_auth(crate::helpers::TOKEN).json(&json!({ "event_type": "a.b", "payload": {} }))
    };
    assert_eq!(publish().send().await.unwrap().status(), StatusCode::ACCEPTED);

    proxy.cut();
    let started = std::time::Instant::now();
    let resp = publish().send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().get("retry-after").is_some(), "Retry-After is set");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "database_unavailable");
    assert!(started.elapsed() < Duration::from_secs(5), "answered after seconds, not after a long wait");
    let health = app.client.get(format!("{}/health", app.base)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let live = app.client.get(format!("{}/health/live", app.base)).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);

    proxy.restore();
    let back = std::time::Instant::now();
    loop {
        if publish().send().await.unwrap().status() == StatusCode::ACCEPTED {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(5), "publishing did not recover");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("publishing recovered {} ms after the database came back", back.elapsed().as_millis());
    let health = app.client.get(format!("{}/health", app.base)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

/// Under steady publishing the SQLite write-ahead log restarts near its
/// configured bound instead of growing with every write.
#[tokio::test]
async fn the_sqlite_write_ahead_log_stays_bounded() {
    BACKEND.scope(Backend::Sqlite, sqlite_wal_bounded()).await;
}

async fn sqlite_wal_bounded() {
    let limit: u64 = 256 * 1024;
    let app = TestApp::spawn_with(|c| {
        c.database.wal_limit_bytes = limit;
        c.database.wal_restart_interval_ms = 100;
    })
    .await;
    let wal = std::path::PathBuf::from(format!("{}-wal", app.db.url.trim_start_matches("sqlite://")));
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    for _ in 0..3 {
        app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    }
    let url = format!("{}/api/v1/apps/{app_id}/messages", app.base);
    let filler = "x".repeat(2048);
    let mut largest = 0;
    for round in 0..20 {
        let sends: Vec<_> = (0..50)
            .map(|i| {
                let body = json!({ "event_type": "a.b", "payload": { "round": round, "i": i, "data": filler } });
                app.client.post(&url).bearer_auth(crate::helpers::TOKEN).json(&body).send()
            })
            .collect();
        for s in sends {
            let resp = s.await.unwrap();
            let status = resp.status();
            assert_eq!(status, StatusCode::ACCEPTED, "{}", resp.text().await.unwrap());
        }
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
    }
    rx.wait_for("/hook", 3_000).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let settled = std::fs::metadata(&wal).map_or(0, |m| m.len());
    eprintln!("WAL: largest seen {largest} bytes, {settled} bytes once idle (limit {limit})");
    // Unbounded, this run's log reaches about 90 MB and stays there.
    assert!(largest <= 64 * limit, "the log stays within a small multiple of its bound: {largest} bytes");
}

/// A node's lease renewal and its own settle run on two connections at
/// once, and a delivery settled just after the renewal's snapshot is in
/// both. Each locks its rows in delivery id order, whatever order it is
/// given them in, so a transaction holding the lower row and then taking
/// the higher one cannot deadlock with them (PostgreSQL would abort one of
/// the two after a second).
#[tokio::test]
async fn renewals_and_settles_lock_deliveries_in_id_order() {
    crate::helpers::on_postgres(lock_order()).await;
}

async fn lock_order() {
    let (app, _rx, app_id) = crate::helpers::api_only_with_one_endpoint().await;
    for _ in 0..2 {
        app.publish(app_id.as_str(), "a.b", json!({})).await;
    }
    let now = app.clock.now();
    let req = ClaimRequest {
        now,
        limit: 10,
        lease: Duration::from_secs(30),
        per_endpoint: 10,
        skip: &[],
        skip_apps: &[],
        after: "",
    };
    let mut claimed = app.store.claim_batch(&req).await.unwrap();
    assert_eq!(claimed.len(), 2);
    claimed.sort_by_key(|d| d.delivery_id);
    let (low, high) = (claimed[0].clone(), claimed[1].clone());
    let pool = sqlx::PgPool::connect(&app.db.url).await.unwrap();
    // A table of some size, as in service: PostgreSQL then updates the rows
    // in the order the statement lists them (on two rows it scans the
    // table, in id order whatever the list says).
    sqlx::query(
        "INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, due_at, created_at, updated_at)
         SELECT app_id, msg_id, endpoint_id, 'delivered', due_at, created_at, updated_at
         FROM deliveries, generate_series(1, 20000) WHERE id = $1",
    )
    .bind(low.delivery_id)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE deliveries").execute(&pool).await.unwrap();
    let lock = "UPDATE deliveries SET updated_at = updated_at WHERE id = $1";
    for step in ["renew", "settle"] {
        let mut other = pool.begin().await.unwrap();
        sqlx::query(lock).bind(low.delivery_id).execute(&mut *other).await.unwrap();
        // The store is given the higher one first.
        let (store, first, second) = (app.store.clone(), high.clone(), low.clone());
        let until = now.plus(Duration::from_secs(60));
        let done = tokio::spawn(async move {
            if step == "renew" {
                store.renew(&[(first.delivery_id, first.lease), (second.delivery_id, second.lease)], until).await
            } else {
                let released = |d| herald_store::Settlement::unsent(d, herald_store::NextState::Released);
                store.settle(&[released(&first), released(&second)], now).await
            }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Had the store locked the higher row first, this would wait for it
        // while it waits for the lower one.
        let took = sqlx::query(lock).bind(high.delivery_id).execute(&mut *other).await;
        assert!(took.is_ok(), "{step}: {took:?}");
        other.commit().await.unwrap();
        let n = tokio::time::timeout(Duration::from_secs(10), done).await.unwrap().unwrap();
        assert_eq!(n.unwrap(), 2, "{step}: both rows");
    }
    pool.close().await;
}

/// A queue that grows fast between two of autovacuum's looks is analyzed by
/// the node itself: the planner's idea of the table's size (`reltuples`)
/// follows it within seconds, so the prepared claims and settles are planned
/// again for its real size (with a small table's plans, each settle of 20
/// rows scanned all 200,000 of the bench's queue).
#[tokio::test]
async fn a_queue_that_outgrows_its_statistics_is_analyzed() {
    crate::helpers::on_postgres(outgrown_statistics()).await;
}

async fn outgrown_statistics() {
    let (app, _rx, app_id) = crate::helpers::api_only_with_one_endpoint().await;
    app.publish(app_id.as_str(), "a.b", json!({})).await;
    let pool = sqlx::PgPool::connect(&app.db.url).await.unwrap();
    // Only the node analyzes it here.
    sqlx::query("ALTER TABLE deliveries SET (autovacuum_enabled = false)").execute(&pool).await.unwrap();
    let believed = || async {
        let n: f32 = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'deliveries'::regclass")
            .fetch_one(&pool)
            .await
            .unwrap();
        n
    };
    assert!(believed().await < 0.0, "a new table has never been analyzed");
    // 20,000 more in one go: autovacuum looks only once a minute.
    sqlx::query(
        "INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, due_at, created_at, updated_at)
         SELECT app_id, msg_id, endpoint_id, 'pending', due_at, created_at, updated_at
         FROM deliveries, generate_series(1, 20000)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    // A sample's estimate: near the 20,001 rows, not exact.
    while believed().await < 15_000.0 && tokio::time::Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let n = believed().await;
    assert!(n >= 15_000.0, "the node analyzed the grown table (the planner believes {n} rows)");
    // Grown by less than double since: left alone.
    sqlx::query(
        "INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, due_at, created_at, updated_at)
         SELECT app_id, msg_id, endpoint_id, 'pending', due_at, created_at, updated_at
         FROM deliveries WHERE id <= 5000",
    )
    .execute(&pool)
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_eq!(believed().await, n, "not analyzed again for a quarter more");
    pool.close().await;
}

/// A claim that is slow in the database does not hold back the deliveries
/// publishing hands over meanwhile: the worker starts them while the claim
/// statement runs (before, it took them only after the claim came back, so a
/// node whose claims were slow delayed its own fresh deliveries). What the
/// claim brings back when no slot is left waits for one.
#[tokio::test]
async fn a_slow_claim_does_not_hold_back_handed_over_deliveries() {
    crate::helpers::on_postgres(slow_claim()).await;
}

async fn slow_claim() {
    // One send slot: the hand-over takes it while the claim runs, so what
    // the claim brings back must wait for it (not be lost or given back).
    let app = TestApp::spawn_with(|c| {
        c.worker.concurrency = 1;
        c.worker.max_per_endpoint = 1;
        c.worker.max_per_application = 1;
    })
    .await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/") })).await;
    // Leasing a queued delivery (a claim; hand-overs lease on insert) now
    // takes 3 s in the database.
    let pool = sqlx::PgPool::connect(&app.db.url).await.unwrap();
    sqlx::query(
        "CREATE FUNCTION slow_claim() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF NEW.lease IS NOT NULL AND OLD.lease IS NULL THEN PERFORM pg_sleep(3); END IF;
             RETURN NEW;
         END $$",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("CREATE TRIGGER slow_claim BEFORE UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION slow_claim()")
        .execute(&pool)
        .await
        .unwrap();
    // Queued without a lease: only a claim can take it.
    let app_key = AppId::parse(&app_id).unwrap();
    let queued = app.store.publish(&app_key, app.new_message(), app.clock.now(), None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Published through the API while that claim sleeps: handed over.
    let fresh = app.publish(&app_id, "a.b", json!({})).await;
    let got = rx.wait_for("/", 2).await;
    let ids: Vec<&str> = got.iter().map(|r| r.header("webhook-id").unwrap()).collect();
    assert_eq!(ids, vec![fresh.as_str(), queued.message.id.as_str()], "the handed-over one first");
    let gap = got[1].at.duration_since(got[0].at);
    assert!(gap > Duration::from_secs(1), "sent while the claim ran, not after it ({gap:?} apart)");
    pool.close().await;
}
