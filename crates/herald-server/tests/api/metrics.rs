//! `/metrics`: served apart from the API, parsed with the official
//! Prometheus client's OpenMetrics parser (Python, from PyPI), counters
//! moving as deliveries happen.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use herald_testkit::{Reply, TestReceiver};
use serde_json::json;

use crate::helpers::{status_is, TestApp};

/// Every sample, keyed `name{label="value",...}` (labels sorted).
async fn scrape(app: &TestApp) -> HashMap<String, f64> {
    let url = format!("http://127.0.0.1:{}/metrics", app.metrics_port.unwrap());
    let text = reqwest::get(&url).await.unwrap().text().await.unwrap();
    let script = "import json, sys\n\
                  from prometheus_client.openmetrics.parser import text_string_to_metric_families\n\
                  out = []\n\
                  for f in text_string_to_metric_families(sys.stdin.read()):\n    \
                  for s in f.samples:\n        out.append([s.name, s.labels, s.value])\n\
                  print(json.dumps(out))\n";
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .env("PYTHONPATH", crate::helpers::python_library("prometheus-client==0.21.1"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the parser refused it: {}\n{text}", String::from_utf8_lossy(&out.stderr));
    let samples: Vec<(String, HashMap<String, String>, f64)> = serde_json::from_slice(&out.stdout).unwrap();
    samples
        .into_iter()
        .map(|(name, labels, v)| {
            let mut l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            l.sort();
            (format!("{name}{{{}}}", l.join(",")), v)
        })
        .collect()
}

fn get(m: &HashMap<String, f64>, key: &str) -> f64 {
    m.get(key).copied().unwrap_or(0.0)
}

async fn the_counters_move_as_deliveries_happen() {
    let app = TestApp::spawn().await;
    let ok = TestReceiver::start().await;
    let bad = TestReceiver::start().await;
    bad.set_default(Reply::Status(503));
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": ok.url("/ok"), "event_types": ["good"] })).await;
    app.create_endpoint(
        &app_id,
        json!({ "url": bad.url("/bad"), "event_types": ["bad"], "profile": { "retry": "none" } }),
    )
    .await;
    let before = scrape(&app).await;
    assert!(before.keys().any(|k| k.starts_with("herald_queue_deliveries{")), "{before:?}");

    for _ in 0..3 {
        app.publish(&app_id, "good", json!({})).await;
    }
    let failed = app.publish(&app_id, "bad", json!({})).await;
    ok.wait_for("/ok", 3).await;
    app.wait_delivery(&app_id, &failed, |d| status_is(d, "failed")).await;
    // Outcomes are counted as each attempt ends, before they are stored.
    let after = scrape(&app).await;

    let delivered = r#"herald_deliveries_total{outcome="delivered",status_class="2xx"}"#;
    let failed_5xx = r#"herald_deliveries_total{outcome="failed",status_class="5xx"}"#;
    assert_eq!(get(&after, delivered) - get(&before, delivered), 3.0, "{after:?}");
    assert_eq!(get(&after, failed_5xx) - get(&before, failed_5xx), 1.0, "{after:?}");
    let count = "herald_attempt_duration_seconds_count{}";
    assert_eq!(get(&after, count) - get(&before, count), 4.0);
    let published = r#"herald_api_requests_total{method="POST",route="/api/v1/apps/{app}/messages",status="202"}"#;
    assert_eq!(get(&after, published) - get(&before, published), 4.0, "{after:?}");
    assert!(get(&after, r#"herald_store_operation_duration_seconds_count{op="publish"}"#) >= 4.0, "{after:?}");
    assert!(get(&after, r#"herald_store_operation_duration_seconds_count{op="settle"}"#) >= 1.0, "{after:?}");
    assert_eq!(get(&after, r#"herald_queue_deliveries{state="failed"}"#), 1.0, "{after:?}");
    assert_eq!(get(&after, "herald_send_slots_busy{}"), 0.0);
    if app.db.url.starts_with("sqlite") {
        assert!(get(&after, "herald_sqlite_wal_bytes{}") > 0.0, "{after:?}");
    }

    // Not on the API's port.
    let (status, _) = app.get("/metrics").await;
    assert_eq!(status.as_u16(), 404);
}

crate::both_stores!(the_counters_move_as_deliveries_happen);
