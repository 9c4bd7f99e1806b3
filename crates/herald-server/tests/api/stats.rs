//! Statistics match a scripted sequence of outcomes: counts, success rate,
//! average (from the attempt log's own latencies) and p95 (its bucket).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{status_is, TestApp};
use herald_testkit::{Reply, TestReceiver};

const BOUNDS: [u64; 12] = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 60_000];

/// The expected p95: the bucket bound of the 95th percentile attempt.
fn p95(latencies: &[u64]) -> u64 {
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    let rank = (sorted.len() * 95).div_ceil(100);
    let v = sorted[rank - 1];
    *BOUNDS.iter().find(|b| v <= **b).unwrap()
}

async fn latencies(app: &TestApp, app_id: &str, ep: &str) -> Vec<u64> {
    let (_, page) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{ep}/attempts?limit=250")).await;
    page["data"].as_array().unwrap().iter().map(|a| a["latency_ms"].as_u64().unwrap()).collect()
}

async fn stats(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn stats_match_a_scripted_sequence_of_outcomes() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    // E: 7 quick 200s, one slow 200 (300 ms), one 500 whose retry succeeds.
    let e_rx = TestReceiver::start().await;
    e_rx.script([
        Reply::Status(200),
        Reply::Status(200),
        Reply::Status(200),
        Reply::Status(200),
        Reply::Hang(Duration::from_millis(300)),
        Reply::Status(500),
    ]);
    let e = app.create_endpoint(&app_id, json!({ "url": e_rx.url("/e"), "event_types": ["e.*"] })).await;
    let e = e["id"].as_str().unwrap().to_owned();
    // F: three 500s with no retry: three failed deliveries.
    let f_rx = TestReceiver::start().await;
    f_rx.set_default(Reply::Status(500));
    let f = app
        .create_endpoint(
            &app_id,
            json!({ "url": f_rx.url("/f"), "event_types": ["f.*"], "profile": { "retry": "none" } }),
        )
        .await;
    let f = f["id"].as_str().unwrap().to_owned();
    // G: one 500 waiting for its retry: the backlog.
    let g_rx = TestReceiver::start().await;
    g_rx.set_default(Reply::Status(500));
    let g = app.create_endpoint(&app_id, json!({ "url": g_rx.url("/g"), "event_types": ["g.*"] })).await;
    let g = g["id"].as_str().unwrap().to_owned();

    // One at a time, so the scripted replies go in this order.
    let mut e_msgs = Vec::new();
    for i in 0..6 {
        let m = app.publish(&app_id, "e.x", json!({ "i": i })).await;
        app.wait_attempts(&app_id, &m, 1).await;
        e_msgs.push(m);
    }
    for i in 6..9 {
        let m = app.publish(&app_id, "e.x", json!({ "i": i })).await;
        app.wait_delivery(&app_id, &m, |d| status_is(d, "delivered")).await;
    }
    for i in 0..3 {
        let m = app.publish(&app_id, "f.x", json!({ "i": i })).await;
        app.wait_delivery(&app_id, &m, |d| status_is(d, "failed")).await;
    }
    // The 500 of E is retried (the first wait is 5 s) and succeeds.
    let retried = e_msgs[5].clone();
    app.advance(Duration::from_secs(7));
    app.wait_delivery(&app_id, &retried, |d| status_is(d, "delivered")).await;
    // G fails once after that and waits for its retry.
    let gm = app.publish(&app_id, "g.x", json!({})).await;
    app.wait_delivery(&app_id, &gm, |d| status_is(d, "retrying")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let es = stats(&app, &format!("/api/v1/apps/{app_id}/endpoints/{e}/stats?window=hour")).await;
    let lat = latencies(&app, &app_id, &e).await;
    assert_eq!(lat.len(), 10);
    assert_eq!(es["attempts"], 10, "{es}");
    assert_eq!(es["delivered"], 9);
    assert_eq!(es["failed"], 0);
    assert_eq!(es["retries"], 1);
    assert_eq!(es["backlog"], 0);
    assert!((es["success_rate"].as_f64().unwrap() - 9.0 / 10.0).abs() < 1e-9, "{es}");
    let avg = lat.iter().sum::<u64>() as f64 / 10.0;
    assert!((es["avg_response_ms"].as_f64().unwrap() - avg).abs() < 1e-9, "{es} vs {lat:?}");
    assert!(avg >= 300.0 / 10.0, "the slow answer counts: {lat:?}");
    assert_eq!(es["p95_response_ms"], p95(&lat), "{es} vs {lat:?}");
    assert_eq!(es["p95_response_ms"], 500, "the slow answer is the 95th percentile");

    let fs = stats(&app, &format!("/api/v1/apps/{app_id}/endpoints/{f}/stats?window=day")).await;
    assert_eq!((fs["attempts"].as_u64(), fs["delivered"].as_u64(), fs["failed"].as_u64()), (Some(3), Some(0), Some(3)));
    assert_eq!(fs["success_rate"], 0.0);
    let gs = stats(&app, &format!("/api/v1/apps/{app_id}/endpoints/{g}/stats")).await;
    assert_eq!((gs["attempts"].as_u64(), gs["backlog"].as_u64()), (Some(1), Some(1)));

    let all = stats(&app, &format!("/api/v1/apps/{app_id}/stats?window=week")).await;
    assert_eq!(all["attempts"], 14, "{all}");
    assert_eq!(all["delivered"], 9);
    assert_eq!(all["failed"], 3);
    assert_eq!(all["retries"], 1);
    assert_eq!(all["backlog"], 1);

    // A window after all of it is empty.
    let future = herald_core::Timestamp::from_millis(app.now_ms() + 120_000).to_rfc3339();
    let further = herald_core::Timestamp::from_millis(app.now_ms() + 240_000).to_rfc3339();
    let empty = stats(&app, &format!("/api/v1/apps/{app_id}/stats?since={future}&until={further}")).await;
    assert_eq!(empty["attempts"], 0);
    assert!(empty["success_rate"].is_null() && empty["p95_response_ms"].is_null());

    for q in ["window=month", "since=soon"] {
        let (status, body) = app.get(&format!("/api/v1/apps/{app_id}/stats?{q}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {body}");
    }
    // A window that ends before it starts is the empty window at `until`;
    // `since` takes the place of a named window; empty values are absent.
    let backwards =
        stats(&app, &format!("/api/v1/apps/{app_id}/stats?since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z"))
            .await;
    assert_eq!(
        (backwards["since"].as_str(), backwards["until"].as_str()),
        (Some("2020-01-01T00:00:00.000Z"), Some("2020-01-01T00:00:00.000Z"))
    );
    assert_eq!(backwards["attempts"], 0);
    let both = stats(
        &app,
        &format!("/api/v1/apps/{app_id}/stats?window=day&since=2020-01-01T00:00:00Z&until=2020-01-03T00:00:00Z"),
    )
    .await;
    assert_eq!(both["since"], "2020-01-01T00:00:00.000Z");
    let empty_values =
        stats(&app, &format!("/api/v1/apps/{app_id}/stats?window=&since=&until=2020-01-03T00:00:00Z")).await;
    assert_eq!(empty_values["since"], "2020-01-02T00:00:00.000Z", "the default window: a day");
    let (status, _) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/ep_01JAAAAAAAAAAAAAAAAAAAAAAA/stats")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The dashboard: the application's figures over 24 hours and 7 days, and
/// each endpoint's health (Healthy at 95% delivered or more, Degraded from
/// 50%, Failing below, Idle without attempts), failing first; readable
/// with the application's own (portal) token.
async fn the_dashboard_shows_an_applications_figures_and_each_endpoints_health() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    let mut ids = Vec::new();
    for (name, replies) in [
        ("healthy", vec![Reply::Status(200)]),
        ("degraded", vec![Reply::Status(200), Reply::Status(500)]),
        ("failing", vec![Reply::Status(500)]),
        ("idle", vec![]),
    ] {
        let rx = TestReceiver::start().await;
        rx.script(replies.iter().cloned().cycle().take(2 * replies.len()));
        let ep = app
            .create_endpoint(
                &app_id,
                json!({ "url": rx.url("/hook"), "description": name, "event_types": [format!("{name}.*")],
                        "profile": { "retry": "none" } }),
            )
            .await;
        ids.push((name, ep["id"].as_str().unwrap().to_owned(), rx));
    }
    // healthy: 2 delivered; degraded: 1 of 2; failing: 0 of 2.
    for name in ["healthy", "degraded", "failing"] {
        for _ in 0..2 {
            app.publish(&app_id, &format!("{name}.happened"), json!({})).await;
        }
    }
    for (_, _, rx) in &ids[..3] {
        rx.wait_for("/hook", 2).await;
    }
    let path = format!("/api/v1/apps/{app_id}/dashboard");
    let mut d = Value::Null;
    for _ in 0..500 {
        d = stats(&app, &path).await;
        if d["day"]["attempts"] == 6 && d["day"]["failed"] == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!((d["day"]["attempts"].as_u64(), d["day"]["delivered"].as_u64()), (Some(6), Some(3)), "{d}");
    assert_eq!(d["day"]["failed"], 3, "{d}");
    assert_eq!(d["day"]["success_rate"], 0.5);
    assert_eq!(d["day"]["health"], "degraded");
    assert!(d["day"]["avg_response_ms"].is_number());
    assert_eq!(d["week"]["attempts"], 6);
    let health: Vec<(&str, &str)> = d["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["description"].as_str().unwrap(), e["day"]["health"].as_str().unwrap()))
        .collect();
    assert_eq!(
        health,
        [("failing", "failing"), ("degraded", "degraded"), ("healthy", "healthy"), ("idle", "idle")],
        "{d}"
    );
    let failing = &d["endpoints"][0];
    assert_eq!(failing["id"], ids[2].1.as_str());
    assert_eq!((failing["day"]["failed"].as_u64(), failing["week"]["failed"].as_u64()), (Some(2), Some(2)));

    // The portal's token reads it; another application's is refused.
    let (_, link) = app.post(&format!("/api/v1/apps/{app_id}/portal-link"), json!({})).await;
    let token = link["token"].as_str().unwrap();
    let (status, _, seen) = app.request_as(token, reqwest::Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["endpoints"].as_array().unwrap().len(), 4);
    let other = app.create_app().await;
    let (status, _, _) =
        app.request_as(token, reqwest::Method::GET, &format!("/api/v1/apps/{other}/dashboard"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Two days on, the last 24 hours are empty and the week still counts.
    app.advance(Duration::from_secs(2 * 86_400));
    let later = stats(&app, &path).await;
    assert_eq!(
        (later["day"]["attempts"].as_u64(), later["day"]["health"].as_str()),
        (Some(0), Some("idle")),
        "{later}"
    );
    assert_eq!(later["week"]["attempts"], 6);
    assert_eq!(later["endpoints"][0]["week"]["failed"], 2, "{later}");
}

/// Deliveries and attempts are counted apart, and the delivery counts are
/// the delivery log's: a failure replayed into delivered, one replayed and
/// failing again, a delivered one replayed, one re-queued by a recovery,
/// and a 201 that `success_status = [200]` does not count as delivered.
async fn stats_reconcile_with_the_delivery_log_after_replays_and_a_recovery() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let profile = json!({ "retry": "none", "success_status": [200] });
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": profile })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();
    let publish_ending = |reply: u16, state: &'static str| {
        let (app, app_id, rx) = (&app, app_id.clone(), &rx);
        async move {
            rx.set_default(Reply::Status(reply));
            let m = app.publish(&app_id, "a.b", json!({})).await;
            app.wait_delivery(&app_id, &m, |d| status_is(d, state)).await;
            m
        }
    };
    let replay = |m: String, reply: u16| {
        let (app, app_id, rx, ep) = (&app, app_id.clone(), &rx, ep.clone());
        async move {
            rx.set_default(Reply::Status(reply));
            let (status, body) =
                app.post(&format!("/api/v1/apps/{app_id}/messages/{m}/endpoints/{ep}/replay"), json!({})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };

    let a = publish_ending(201, "failed").await; // not in success_status
    let b = publish_ending(200, "delivered").await;
    let d = publish_ending(500, "failed").await;
    replay(a.clone(), 200).await; // failed -> delivered
    let (status, job) =
        app.post(&format!("/api/v1/apps/{app_id}/recoveries"), json!({ "since": "2000-01-01T00:00:00Z" })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    app.wait_delivery(&app_id, &d, |x| status_is(x, "delivered")).await; // re-queued, then delivered
    let c = publish_ending(500, "failed").await;
    replay(c.clone(), 500).await; // failed, and failed again
    replay(b.clone(), 200).await; // delivered, replayed

    let log = |status: &'static str| {
        let app = &app;
        let path = format!("/api/v1/apps/{app_id}/messages?status={status}&endpoint={ep}");
        async move { app.get(&path).await.1["data"].as_array().unwrap().len() as u64 }
    };
    let (delivered, failed) = (log("delivered").await, log("failed").await);
    assert_eq!((delivered, failed), (3, 1), "the delivery log");
    for path in [format!("/api/v1/apps/{app_id}/stats"), format!("/api/v1/apps/{app_id}/endpoints/{ep}/stats")] {
        let s = stats(&app, &path).await;
        assert_eq!((s["delivered"].as_u64(), s["failed"].as_u64()), (Some(delivered), Some(failed)), "{path}: {s}");
        // A 201, 200, 500; replays 200 (A), 500 (C), 200 (B); D again 200; C 500.
        assert_eq!(s["attempts"], 8, "{s}");
        assert_eq!((s["attempts_succeeded"].as_u64(), s["attempts_failed"].as_u64()), (Some(4), Some(4)), "{s}");
    }
    let dash = stats(&app, &format!("/api/v1/apps/{app_id}/dashboard")).await;
    assert_eq!((dash["day"]["delivered"].as_u64(), dash["day"]["failed"].as_u64()), (Some(3), Some(1)), "{dash}");
    let series = stats(&app, &format!("/api/v1/apps/{app_id}/stats?buckets=4")).await;
    let sum = |k: &str| series["series"].as_array().unwrap().iter().map(|b| b[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("attempts"), sum("delivered"), sum("failed")), (8, 3, 1), "{series}");
}

crate::both_stores!(
    stats_reconcile_with_the_delivery_log_after_replays_and_a_recovery,
    stats_match_a_scripted_sequence_of_outcomes,
    the_dashboard_shows_an_applications_figures_and_each_endpoints_health,
);
