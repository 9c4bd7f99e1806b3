//! Flow control: pausing, rate limits and caps on deliveries in flight,
//! enforced in the store for every node together.

use std::time::Duration;

use herald_testkit::{Received, Reply, TestReceiver};
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn endpoint(app: &TestApp, app_id: &str, ep: &str) -> Value {
    let (status, v) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{ep}")).await;
    assert_eq!(status.as_u16(), 200, "{v}");
    v
}

async fn stats(app: &TestApp, app_id: &str, ep: &str) -> Value {
    let (status, v) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{ep}/stats?window=week")).await;
    assert_eq!(status.as_u16(), 200, "{v}");
    v
}

/// The endpoint's stats once nothing is queued or in flight (bounded).
async fn settled_stats(app: &TestApp, app_id: &str, ep: &str) -> Value {
    for _ in 0..200 {
        let s = stats(app, app_id, ep).await;
        if s["backlog"] == 0 {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the backlog never emptied: {}", stats(app, app_id, ep).await);
}

/// Deliveries per second between the first arrival and the last.
fn rate(got: &[Received]) -> f64 {
    let first = got.iter().map(|r| r.at).min().unwrap();
    let last = got.iter().map(|r| r.at).max().unwrap();
    (got.len() - 1) as f64 / (last - first).as_secs_f64()
}

async fn a_paused_endpoint_holds_1000_deliveries_and_sends_them_all_on_resume() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "paused": true })).await;
    assert_eq!(ep["paused"], true, "{ep}");
    let ep = ep["id"].as_str().unwrap().to_owned();
    for n in 0..1000 {
        app.publish(&app_id, "a.b", json!({ "n": n })).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // An hour passes: every retry schedule would have run by now.
    app.advance(Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 0, "paused: nothing is sent");
    let held = stats(&app, &app_id, &ep).await;
    assert_eq!(held["attempts"], 0, "no attempt is used while paused: {held}");
    assert_eq!(held["backlog"], 1000, "{held}");

    let (status, view) = app.patch(&format!("/api/v1/apps/{app_id}/endpoints/{ep}"), json!({ "paused": false })).await;
    assert_eq!(status.as_u16(), 200, "{view}");
    assert_eq!(view["paused"], false);
    rx.wait_for_within("/hook", 1000, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 1000, "each once");
    let sent = settled_stats(&app, &app_id, &ep).await;
    assert_eq!(sent["attempts"], 1000, "one attempt each: {sent}");
    assert_eq!(sent["delivered"], 1000, "{sent}");
}

async fn pausing_holds_new_deliveries_and_disabling_is_different() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/apps/{app_id}/endpoints/{ep}");
    let first = app.publish(&app_id, "a.b", json!({ "n": 1 })).await;
    rx.wait_for("/hook", 1).await;
    let (status, body) = app.patch(&path, json!({ "paused": true })).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let held = app.publish(&app_id, "a.b", json!({ "n": 2 })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 1, "the new delivery waits");
    let msg = app.message(&app_id, &held).await;
    assert_eq!(msg["deliveries"][0]["status"], "pending", "queued, not dropped: {msg}");
    // Disabling instead queues nothing new for the endpoint.
    let (_, _) = app.patch(&path, json!({ "paused": false, "disabled": true })).await;
    let skipped = app.publish(&app_id, "a.b", json!({ "n": 3 })).await;
    assert!(app.message(&app_id, &skipped).await["deliveries"].as_array().unwrap().is_empty());
    assert_ne!(first, held);
}

async fn a_rate_limit_holds_the_send_rate_within_ten_percent() {
    let app = TestApp::spawn_real_time(|_| {}).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let profile = json!({ "rate_limit": { "per_second": 20, "burst": 1 } });
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": profile })).await;
    assert_eq!(ep["flow"], json!({ "rate_limit": 20.0, "burst": 1, "max_in_flight": null, "ordering": null }), "{ep}");
    for n in 0..61 {
        app.publish(&app_id, "a.b", json!({ "n": n })).await;
    }
    let got = rx.wait_for_within("/hook", 61, Duration::from_secs(30)).await;
    let r = rate(&got);
    eprintln!("measured rate, one node: {r:.2} deliveries/s (limit 20)");
    assert!((18.0..=22.0).contains(&r), "measured {r:.2} deliveries/s against a limit of 20");
    let ep = ep["id"].as_str().unwrap();
    settled_stats(&app, &app_id, ep).await;
    // The attempt log (the minute rollups of the stats are cut at the
    // window's edge, which real time can cross mid-test).
    let (_, log) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{ep}/attempts?limit=250")).await;
    assert_eq!(log["data"].as_array().unwrap().len(), 61, "waiting for the limit uses no attempts: {log}");
}

async fn a_cap_holds_the_requests_in_flight() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Hang(Duration::from_millis(150)));
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": { "max_in_flight": 3 } })).await;
    assert_eq!(ep["flow"]["max_in_flight"], 3, "{ep}");
    for n in 0..30 {
        app.publish(&app_id, "a.b", json!({ "n": n })).await;
    }
    rx.wait_for_within("/hook", 30, Duration::from_secs(30)).await;
    assert_eq!(rx.max_concurrent(), 3, "never above the cap, and it was used");
}

/// The application's profile sets its endpoints' limits, unless an
/// endpoint's own profile overrides them; bad limits are refused.
async fn limits_follow_the_application_profile_and_bad_ones_are_refused() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    let plain = app.create_endpoint(&app_id, json!({ "url": "https://example.com/a" })).await;
    let own = app
        .create_endpoint(&app_id, json!({ "url": "https://example.com/b", "profile": { "max_in_flight": 9 } }))
        .await;
    assert!(plain["flow"].is_null(), "{plain}");
    let (status, body) = app
        .patch(
            &format!("/api/v1/apps/{app_id}"),
            json!({ "profile": { "max_in_flight": 2, "rate_limit": { "per_second": 0.5 } } }),
        )
        .await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let plain_id = plain["id"].as_str().unwrap();
    let own_id = own["id"].as_str().unwrap();
    let v = endpoint(&app, &app_id, plain_id).await;
    assert_eq!(v["flow"], json!({ "rate_limit": 0.5, "burst": 1, "max_in_flight": 2, "ordering": null }), "{v}");
    let v = endpoint(&app, &app_id, own_id).await;
    assert_eq!(v["flow"]["max_in_flight"], 9, "the endpoint's own profile wins: {v}");
    let (_, _) = app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "profile": null })).await;
    assert!(endpoint(&app, &app_id, plain_id).await["flow"].is_null());

    for bad in [
        json!({ "rate_limit": { "per_second": 0 } }),
        json!({ "rate_limit": { "per_second": 5, "burst": 0 } }),
        json!({ "rate_limit": { "per_second": "fast" } }),
        json!({ "max_in_flight": 0 }),
        json!({ "circuit_breaker": { "failures": 0, "cool_down_secs": 5 } }),
        json!({ "circuit_breaker": { "failures": 3 } }),
    ] {
        let (status, body) = app
            .post(
                &format!("/api/v1/apps/{app_id}/endpoints"),
                json!({ "url": "https://example.com/c", "profile": bad }),
            )
            .await;
        assert_eq!(status.as_u16(), 422, "{body}");
        assert_eq!(body["code"], "validation_error", "{body}");
    }
    let (status, body) =
        app.patch(&format!("/api/v1/apps/{app_id}/endpoints/{plain_id}"), json!({ "paused": "yes" })).await;
    assert_eq!(status.as_u16(), 422, "{body}");
}

/// Three failures open the circuit: what is due waits, using no attempts;
/// after the cool-down one probe goes out; its failure opens the circuit
/// again, its success closes it and the backlog goes out.
async fn a_circuit_opens_probes_and_closes_with_no_attempts_used_while_open() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let app_id = app.create_app().await;
    let profile = json!({ "retry": "none", "circuit_breaker": { "failures": 3, "cool_down_secs": 30 } });
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": profile })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();
    for n in 0..3 {
        let msg = app.publish(&app_id, "a.b", json!({ "n": n })).await;
        app.wait_delivery(&app_id, &msg, |d| crate::helpers::status_is(d, "failed")).await;
    }
    let view = endpoint(&app, &app_id, &ep).await;
    assert!(view["circuit"]["open_until"].is_string(), "open after 3 failures: {view}");
    assert_eq!(view["circuit"]["reason"], "3 consecutive failures (last: HTTP 500)", "{view}");

    let mut held = Vec::new();
    for n in 3..8 {
        held.push(app.publish(&app_id, "a.b", json!({ "n": n })).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 3, "nothing is sent while the circuit is open");
    for m in &held {
        assert_eq!(app.message(&app_id, m).await["deliveries"][0]["attempts"], 0, "no attempt used while open");
    }

    // The cool-down passes: one probe, which fails; the circuit opens again.
    app.advance(Duration::from_secs(31));
    rx.wait_for("/hook", 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 4, "one probe only");
    assert!(endpoint(&app, &app_id, &ep).await["circuit"].is_object(), "open again after the failed probe");

    // The receiver heals; the next probe succeeds, the circuit closes and
    // the rest go out, each with its one attempt.
    rx.set_default(Reply::Status(200));
    app.advance(Duration::from_secs(31));
    rx.wait_for("/hook", 8).await;
    for m in &held[1..] {
        app.wait_delivery(&app_id, m, |d| crate::helpers::status_is(d, "delivered")).await;
        assert_eq!(app.message(&app_id, m).await["deliveries"][0]["attempts"], 1);
    }
    let view = endpoint(&app, &app_id, &ep).await;
    assert!(view["circuit"].is_null(), "closed: {view}");
    assert!(view["flow"].is_null(), "no other limits: back on the ordinary path");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rx.count(), 8);
}

/// Checks per key that only the head was ever sent: each request of a key
/// carries the first message not yet delivered, and a success moves on.
fn assert_fifo(got: &[Received]) {
    let mut next: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for r in got {
        let data = &r.json()["data"];
        let key = data["key"].as_str().unwrap().to_owned();
        let n = data["n"].as_u64().unwrap();
        let expected = next.entry(key.clone()).or_insert(0);
        assert_eq!(n, *expected, "key {key}: message {n} was sent while {expected} was not delivered");
        if (200..300).contains(&r.status) {
            *expected += 1;
        }
    }
}

async fn publish_keyed(app: &TestApp, app_id: &str, key: &str, n: u64) -> String {
    let body = json!({ "event_type": "a.b", "payload": { "key": key, "n": n }, "ordering_key": key });
    let (status, msg) = app.post(&format!("/api/v1/apps/{app_id}/messages"), body).await;
    assert_eq!(status.as_u16(), 202, "{msg}");
    msg["id"].as_str().unwrap().to_owned()
}

/// A failing first message holds the next of its key until it is
/// delivered; other keys go on meanwhile.
async fn fifo_keeps_each_keys_order_through_a_retry() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.script([Reply::Status(500)]);
    let app_id = app.create_app().await;
    let profile = json!({ "ordering": "fifo", "retry": { "schedule_secs": [5] } });
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": profile })).await;
    assert_eq!(ep["flow"]["ordering"], "fifo", "{ep}");
    for n in 0..3 {
        publish_keyed(&app, &app_id, "a", n).await;
    }
    publish_keyed(&app, &app_id, "b", 0).await;
    rx.wait_for("/hook", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = rx.received();
    assert_eq!(got.len(), 2, "a:0 failed and waits for its retry; a:1 waits behind it; b:0 went out");
    assert_fifo(&got);

    app.advance(Duration::from_secs(6));
    let got = rx.wait_for("/hook", 5).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rx.count(), 5);
    assert_fifo(&got);
}

/// A first message that fails for good (out of retries) lets the next go.
async fn fifo_moves_on_past_a_dead_letter() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    rx.script([Reply::Status(500)]);
    let app_id = app.create_app().await;
    let profile = json!({ "ordering": "fifo", "retry": "none" });
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": profile })).await;
    let first = publish_keyed(&app, &app_id, "k", 0).await;
    publish_keyed(&app, &app_id, "k", 1).await;
    let got = rx.wait_for("/hook", 2).await;
    assert_eq!((got[0].status, got[1].status), (500, 200));
    assert_eq!(got[1].json()["data"]["n"], 1);
    app.wait_delivery(&app_id, &first, |d| crate::helpers::status_is(d, "failed")).await;
}

/// Deliveries queued before an endpoint turns FIFO are not stranded: they
/// go out, in order, once it is FIFO.
async fn a_backlog_queued_before_fifo_goes_out_in_order() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "paused": true })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();
    for n in 0..5 {
        app.publish(&app_id, "a.b", json!({ "key": "", "n": n })).await;
    }
    let body = json!({ "paused": false, "profile": { "ordering": "fifo" } });
    let (status, view) = app.patch(&format!("/api/v1/apps/{app_id}/endpoints/{ep}"), body).await;
    assert_eq!(status.as_u16(), 200, "{view}");
    assert_eq!(view["flow"]["ordering"], "fifo", "{view}");
    let got = rx.wait_for_within("/hook", 5, Duration::from_secs(10)).await;
    assert_fifo(&got);
}

crate::both_stores!(
    an_application_rate_is_shared_by_its_endpoints,
    an_application_rate_is_set_on_the_application_only,
    a_backlog_queued_before_fifo_goes_out_in_order,
    fifo_keeps_each_keys_order_through_a_retry,
    fifo_moves_on_past_a_dead_letter,
    a_circuit_opens_probes_and_closes_with_no_attempts_used_while_open,
    a_paused_endpoint_holds_1000_deliveries_and_sends_them_all_on_resume,
    pausing_holds_new_deliveries_and_disabling_is_different,
    a_rate_limit_holds_the_send_rate_within_ten_percent,
    a_cap_holds_the_requests_in_flight,
    limits_follow_the_application_profile_and_bad_ones_are_refused,
);

/// Three nodes on one PostgreSQL, each publishing and delivering: the rate
/// and the cap hold for all of them together.
async fn three_nodes_share_one_rate_limit_and_one_cap() {
    let app = TestApp::spawn_real_time(|_| {}).await;
    let b = app.spawn_sibling(|_| {}).await;
    let c = app.spawn_sibling(|_| {}).await;
    let rx = TestReceiver::start().await;
    let capped = TestReceiver::start().await;
    capped.set_default(Reply::Hang(Duration::from_millis(150)));
    let app_id = app.create_app().await;
    // The default burst: a second's worth (30), then 30 a second.
    let profile = json!({ "rate_limit": { "per_second": 30 } });
    // Created paused, so that the whole backlog is there when it resumes.
    let limited = app
        .create_endpoint(
            &app_id,
            json!({ "url": rx.url("/hook"), "event_types": ["rate.*"], "profile": profile, "paused": true }),
        )
        .await;
    app.create_endpoint(
        &app_id,
        json!({ "url": capped.url("/hook"), "event_types": ["cap.*"], "profile": { "max_in_flight": 4 } }),
    )
    .await;
    let nodes = [&app, &b, &c];
    for n in 0..121 {
        nodes[n % 3].publish(&app_id, "rate.tick", json!({ "n": n })).await;
    }
    for n in 0..60 {
        nodes[n % 3].publish(&app_id, "cap.tick", json!({ "n": n })).await;
    }
    let limited = limited["id"].as_str().unwrap();
    let (status, body) =
        b.patch(&format!("/api/v1/apps/{app_id}/endpoints/{limited}"), json!({ "paused": false })).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let mut got = rx.wait_for_within("/hook", 121, Duration::from_secs(30)).await;
    got.sort_by_key(|r| r.at);
    let burst = got.iter().filter(|r| r.at < got[0].at + Duration::from_millis(100)).count();
    assert!(burst <= 34, "{burst} in the first 100 ms: the burst is 30 (plus 3 tokens' refill)");
    // After the burst: the rate.
    let r = rate(&got[30..]);
    eprintln!("measured rate, three nodes: {r:.2} deliveries/s after a burst of {burst} (limit 30)");
    assert!((27.0..=33.0).contains(&r), "three nodes sent {r:.2} deliveries/s against a limit of 30");
    capped.wait_for_within("/hook", 60, Duration::from_secs(30)).await;
    assert_eq!(capped.max_concurrent(), 4, "never above the cap across nodes, and it was used");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 121, "each once");
    assert_eq!(capped.count(), 60, "each once");
    b.stop().await;
    c.stop().await;
}

/// Three nodes publish and deliver 8 keys x 10 messages to one FIFO
/// endpoint whose receiver fails now and then: every key's order holds.
async fn three_nodes_keep_fifo_order_per_key() {
    let app = TestApp::spawn().await;
    let b = app.spawn_sibling(|_| {}).await;
    let c = app.spawn_sibling(|_| {}).await;
    let rx = TestReceiver::start().await;
    let mut script = Vec::new();
    for i in 0..40 {
        script.push(Reply::Status(if i % 4 == 1 { 500 } else { 200 }));
    }
    rx.script(script);
    let app_id = app.create_app().await;
    let profile = json!({ "ordering": "fifo", "retry": { "schedule_secs": [1, 1, 1, 1, 1] } });
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook"), "profile": profile })).await;
    let nodes = [&app, &b, &c];
    for n in 0..10u64 {
        for k in 0..8usize {
            publish_keyed(nodes[(k + n as usize) % 3], &app_id, &format!("key-{k}"), n).await;
        }
    }
    // Retries come due as the (shared, manual) clock moves.
    for _ in 0..100 {
        if rx.received().iter().filter(|r| r.status == 200).count() >= 80 {
            break;
        }
        app.advance(Duration::from_secs(2));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = rx.received();
    assert_eq!(got.iter().filter(|r| r.status == 200).count(), 80, "every message delivered once");
    assert_fifo(&got);
    b.stop().await;
    c.stop().await;
}

#[tokio::test]
async fn three_postgres_nodes_keep_fifo_order_per_key() {
    crate::helpers::on_postgres(three_nodes_keep_fifo_order_per_key()).await;
}

#[tokio::test]
async fn three_postgres_nodes_share_one_rate_limit_and_one_cap() {
    crate::helpers::on_postgres(three_nodes_share_one_rate_limit_and_one_cap()).await;
}

/// An application whose profile sets `app_rate_limit`: `nodes` (1 or 3)
/// publish `events` events to its two endpoints; the send rate over both
/// together (after the burst, when there is one) stays within 10% of the
/// shared limit, and both take turns.
async fn shared_rate(nodes: usize, per_second: f64, burst: u32, events: usize) {
    let app = TestApp::spawn_real_time(|_| {}).await;
    let mut siblings = Vec::new();
    for _ in 1..nodes {
        siblings.push(app.spawn_sibling(|_| {}).await);
    }
    let rx = TestReceiver::start().await;
    let profile = json!({ "app_rate_limit": { "per_second": per_second, "burst": burst } });
    let (status, created) = app.post("/api/v1/apps", json!({ "name": "shared", "profile": profile })).await;
    assert_eq!(status.as_u16(), 201, "{created}");
    let app_id = created["id"].as_str().unwrap().to_owned();
    // Created paused, so that the whole backlog is there when they resume.
    let a = app.create_endpoint(&app_id, json!({ "url": rx.url("/a"), "paused": true })).await;
    let b = app.create_endpoint(&app_id, json!({ "url": rx.url("/b"), "paused": true })).await;
    assert_eq!(a["app_rate_limited"], true, "{a}");
    assert_eq!(a["flow"], json!(null), "no limit of its own: {a}");
    let publishers: Vec<&TestApp> = std::iter::once(&app).chain(siblings.iter()).collect();
    for n in 0..events {
        publishers[n % nodes].publish(&app_id, "a.b", json!({ "n": n })).await;
    }
    for ep in [&a, &b] {
        let path = format!("/api/v1/apps/{app_id}/endpoints/{}", ep["id"].as_str().unwrap());
        let (status, body) = app.patch(&path, json!({ "paused": false })).await;
        assert_eq!(status.as_u16(), 200, "{body}");
    }
    let mut got = rx.wait_for_within("/a", events, Duration::from_secs(60)).await;
    got.extend(rx.wait_for_within("/b", events, Duration::from_secs(60)).await);
    got.sort_by_key(|r| r.at);
    let r = rate(&got[burst as usize - 1..]);
    eprintln!(
        "measured shared rate, {nodes} node(s): {r:.2} deliveries/s over two endpoints (limit {per_second}, burst {burst})"
    );
    let (lo, hi) = (per_second * 0.9, per_second * 1.1);
    assert!((lo..=hi).contains(&r), "{r:.2} deliveries/s against a shared limit of {per_second}");
    // After the burst (which the endpoint resumed first may take alone),
    // the two take turns at the shared rate.
    let after_burst = &got[burst as usize..];
    let first_half = &after_burst[..after_burst.len() / 2];
    let to_a = first_half.iter().filter(|x| x.path == "/a").count();
    assert!(
        to_a * 4 >= first_half.len() && to_a * 4 <= first_half.len() * 3,
        "the endpoints take turns: {to_a} of {}",
        first_half.len()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.count(), 2 * events, "each once");
    for s in siblings {
        s.stop().await;
    }
}

async fn an_application_rate_is_shared_by_its_endpoints() {
    shared_rate(1, 20.0, 1, 40).await;
}

/// The shared rate belongs to the application's profile: an endpoint's own
/// is refused, and dropping it from the application frees its endpoints.
async fn an_application_rate_is_set_on_the_application_only() {
    let app = TestApp::spawn().await;
    let app_id = app.create_app().await;
    let profile = json!({ "app_rate_limit": { "per_second": 5 } });
    let (status, body) = app
        .post(
            &format!("/api/v1/apps/{app_id}/endpoints"),
            json!({ "url": "https://example.com/a", "profile": profile }),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("app_rate_limit"), "{body}");
    let ep = app.create_endpoint(&app_id, json!({ "url": "https://example.com/a" })).await;
    let ep = ep["id"].as_str().unwrap();
    let (status, body) = app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "profile": profile })).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(endpoint(&app, &app_id, ep).await["app_rate_limited"], true);
    let bad = json!({ "profile": { "app_rate_limit": { "per_second": 0 } } });
    let (status, body) = app.patch(&format!("/api/v1/apps/{app_id}"), bad).await;
    assert_eq!(status.as_u16(), 422, "{body}");
    app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "profile": null })).await;
    assert_eq!(endpoint(&app, &app_id, ep).await["app_rate_limited"], false);
}

#[tokio::test]
async fn three_postgres_nodes_share_one_application_rate() {
    crate::helpers::on_postgres(shared_rate(3, 30.0, 30, 61)).await;
}
