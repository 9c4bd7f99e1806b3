//! Secret rotation: during the grace period every delivery carries both
//! signatures, and the official Standard Webhooks library (Python, from
//! PyPI) verifies it with either secret; afterwards only the new one.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use herald_testkit::{Received, TestReceiver};
use serde_json::json;

const LIBRARY: &str = "standardwebhooks==1.1.0";

/// Whether the official library accepts `r` as signed with `secret`. The
/// Python process runs off the test's runtime, so that the receivers on it
/// (the operator's too) keep answering meanwhile.
async fn verifies(secret: &str, r: &Received) -> bool {
    let (secret, r) = (secret.to_owned(), r.clone());
    tokio::task::spawn_blocking(move || verifies_now(&secret, &r)).await.expect("the check runs")
}

fn verifies_now(secret: &str, r: &Received) -> bool {
    let script = "import json, sys\n\
                  from standardwebhooks import Webhook\n\
                  a = json.load(sys.stdin)\n\
                  try:\n    Webhook(a['secret']).verify(a['body'], a['headers'])\n\
                  except Exception as e:\n    print(e); sys.exit(1)\n";
    let input = json!({ "secret": secret, "body": r.body_text(), "headers": r.headers });
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .env("PYTHONPATH", crate::helpers::python_library(LIBRARY))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    child.wait_with_output().unwrap().status.success()
}

async fn during_the_grace_period_both_secrets_verify_and_only_the_new_one_after() {
    let op = TestReceiver::start().await;
    let app = crate::operations::operated(&op, None).await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let ep = ep["id"].as_str().unwrap().to_owned();
    let (_, old) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{ep}/secret")).await;
    let old = old["key"].as_str().unwrap().to_owned();

    app.publish(&app_id, "a.b", json!({ "n": 0 })).await;
    let before = rx.wait_for("/hook", 1).await;
    assert!(verifies(&old, &before[0]).await);
    assert_eq!(before[0].header("webhook-signature").unwrap().split(' ').count(), 1);

    let rotate = format!("/api/v1/apps/{app_id}/endpoints/{ep}/secret/rotate");
    let (status, rotated) = app.post(&rotate, json!({ "grace_period_secs": 2 })).await;
    assert_eq!(status.as_u16(), 200, "{rotated}");
    let new = rotated["key"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    assert!(rotated["previous_secret_until"].is_string(), "{rotated}");
    let (_, shown) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{ep}/secret")).await;
    assert_eq!(shown["key"], new.as_str());

    app.publish(&app_id, "a.b", json!({ "n": 1 })).await;
    let during = rx.wait_for("/hook", 2).await;
    let sig = during[1].header("webhook-signature").unwrap();
    assert_eq!(sig.split(' ').count(), 2, "{sig}");
    assert!(verifies(&old, &during[1]).await, "the old secret verifies during the grace period");
    assert!(verifies(&new, &during[1]).await, "the new secret verifies during the grace period");

    app.advance(Duration::from_secs(3));
    app.publish(&app_id, "a.b", json!({ "n": 2 })).await;
    let after = rx.wait_for("/hook", 3).await;
    assert_eq!(after[2].header("webhook-signature").unwrap().split(' ').count(), 1);
    assert!(verifies(&new, &after[2]).await);
    assert!(!verifies(&old, &after[2]).await, "the old secret no longer verifies after the grace period");

    let got: Vec<String> =
        op.wait_for("/ops", 2).await.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(got, vec!["endpoint.created", "endpoint.secret.rotated"]);

    // Bad input: the current secret again, a malformed one, too long a grace.
    for (body, field) in [
        (json!({ "key": new }), "key"),
        (json!({ "key": "whsec_!!" }), "key"),
        (json!({ "grace_period_secs": 99_999_999 }), "grace_period_secs"),
    ] {
        let (status, err) = app.post(&rotate, body).await;
        assert_eq!(status.as_u16(), 422, "{err}");
        assert!(err["message"].as_str().unwrap().contains(field), "{err}");
    }
}

crate::both_stores!(during_the_grace_period_both_secrets_verify_and_only_the_new_one_after);
