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
    python_says_yes(script, LIBRARY, &input)
}

/// Runs `script` with the PyPI package `library`, `input` on its standard
/// input; whether it exits 0.
fn python_says_yes(script: &str, library: &str, input: &serde_json::Value) -> bool {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .env("PYTHONPATH", crate::helpers::python_library(library))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    child.wait_with_output().unwrap().status.success()
}

/// Whether the workspace's own `herald-verify` crate accepts `r` with `keys`.
fn herald_verifies(keys: &[&str], r: &Received) -> bool {
    let mut headers = http::HeaderMap::new();
    for (k, v) in &r.headers {
        headers.insert(http::HeaderName::try_from(k.as_str()).unwrap(), v.parse().unwrap());
    }
    herald_verify::Webhook::with_keys(keys).unwrap().verify(&headers, &r.body).is_ok()
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
    assert!(herald_verifies(&[&old], &during[1]) && herald_verifies(&[&new], &during[1]), "herald-verify too");
    assert!(verifies(&new, &during[1]).await, "the new secret verifies during the grace period");

    app.advance(Duration::from_secs(3));
    app.publish(&app_id, "a.b", json!({ "n": 2 })).await;
    let after = rx.wait_for("/hook", 3).await;
    assert_eq!(after[2].header("webhook-signature").unwrap().split(' ').count(), 1);
    assert!(verifies(&new, &after[2]).await);
    assert!(!verifies(&old, &after[2]).await, "the old secret no longer verifies after the grace period");
    assert!(!herald_verifies(&[&old], &after[2]) && herald_verifies(&[&old, &new], &after[2]));

    let got: Vec<String> =
        op.wait_for("/ops", 2).await.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(got, vec!["endpoint.created", "endpoint.secret.rotated"]);

    // The current secret again is a conflict with the endpoint as it is.
    let (status, err) = app.post(&rotate, json!({ "key": new })).await;
    assert_eq!(status.as_u16(), 409, "{err}");
    assert!(err["message"].as_str().unwrap().contains("current secret"), "{err}");
    // Bad input: a malformed one, too long a grace.
    for (body, field) in
        [(json!({ "key": "whsec_!!" }), "key"), (json!({ "grace_period_secs": 99_999_999 }), "grace_period_secs")]
    {
        let (status, err) = app.post(&rotate, body).await;
        assert_eq!(status.as_u16(), 422, "{err}");
        assert!(err["message"].as_str().unwrap().contains(field), "{err}");
    }
}

/// Whether an independent ed25519 implementation (PyNaCl, from PyPI)
/// verifies one of `r`'s `v1a` entries with the `whpk_` key `public`.
async fn ed25519_verifies(public: &str, r: &Received) -> bool {
    let (public, r) = (public.to_owned(), r.clone());
    tokio::task::spawn_blocking(move || {
        let script = "import base64, json, sys\n\
                      from nacl.signing import VerifyKey\n\
                      a = json.load(sys.stdin)\n\
                      key = VerifyKey(base64.b64decode(a['public'].removeprefix('whpk_')))\n\
                      h = a['headers']\n\
                      signed = (h['webhook-id'] + '.' + h['webhook-timestamp'] + '.').encode() + a['body'].encode()\n\
                      ok = False\n\
                      for entry in h['webhook-signature'].split(' '):\n    \
                          version, _, sig = entry.partition(',')\n    \
                          if version != 'v1a':\n        continue\n    \
                          try:\n        key.verify(signed, base64.b64decode(sig)); ok = True\n    \
                          except Exception as e:\n        print(e)\n\
                      sys.exit(0 if ok else 1)\n";
        let input = json!({ "public": public, "body": r.body_text(), "headers": r.headers });
        python_says_yes(script, "PyNaCl==1.5.0", &input)
    })
    .await
    .expect("the check runs")
}

/// An ed25519 endpoint signs `v1a` entries that PyNaCl verifies with the
/// `whpk_` public key; rotating an HMAC endpoint to ed25519 sends `v1a` and
/// `v1` side by side during the grace period, each verifiable on its own.
async fn ed25519_signatures_verify_with_the_public_key_alone_or_beside_v1() {
    let app = crate::helpers::TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": rx.url("/ed"), "signing": "ed25519" })).await;
    assert_eq!(ep["signing"], "ed25519", "{ep}");
    let public = ep["public_key"].as_str().unwrap().to_owned();
    assert!(public.starts_with("whpk_"), "{ep}");
    let (_, secret) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{}/secret", ep["id"].as_str().unwrap())).await;
    assert!(secret["key"].as_str().unwrap().starts_with("whsk_"), "{secret}");
    assert_eq!(secret["public_key"], public.as_str());

    let hmac = app.create_endpoint(&app_id, json!({ "url": rx.url("/migrating") })).await;
    let hmac_id = hmac["id"].as_str().unwrap().to_owned();
    assert_eq!(hmac["signing"], "hmac-sha256");
    let (_, old) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{hmac_id}/secret")).await;
    let old = old["key"].as_str().unwrap().to_owned();
    let rotate = format!("/api/v1/apps/{app_id}/endpoints/{hmac_id}/secret/rotate");
    let (status, rotated) = app.post(&rotate, json!({ "signing": "ed25519", "grace_period_secs": 600 })).await;
    assert_eq!(status.as_u16(), 200, "{rotated}");
    assert!(rotated["key"].as_str().unwrap().starts_with("whsk_"), "{rotated}");
    let new_public = rotated["public_key"].as_str().unwrap().to_owned();

    app.publish(&app_id, "a.b", json!({ "n": 1 })).await;
    let alone = rx.wait_for("/ed", 1).await;
    let sig = alone[0].header("webhook-signature").unwrap();
    assert!(sig.starts_with("v1a,") && !sig.contains(' '), "{sig}");
    assert!(ed25519_verifies(&public, &alone[0]).await, "PyNaCl verifies the v1a signature");
    assert!(herald_verifies(&[&public], &alone[0]), "and herald-verify with the whpk_ key");
    assert!(!ed25519_verifies(&new_public, &alone[0]).await, "another endpoint's key does not");

    let both = rx.wait_for("/migrating", 1).await;
    let sig = both[0].header("webhook-signature").unwrap();
    assert!(sig.starts_with("v1a,") && sig.contains(" v1,"), "{sig}");
    assert!(ed25519_verifies(&new_public, &both[0]).await, "the new key verifies during the migration");
    assert!(verifies(&old, &both[0]).await, "the old HMAC secret still verifies beside it");

    // An application whose profile says ed25519: its new endpoints get one.
    let (status, app2) = app.post("/api/v1/apps", json!({ "name": "Asym", "profile": { "signing": "ed25519" } })).await;
    assert_eq!(status.as_u16(), 201, "{app2}");
    let by_profile = app.create_endpoint(app2["id"].as_str().unwrap(), json!({ "url": rx.url("/p") })).await;
    assert_eq!(by_profile["signing"], "ed25519", "{by_profile}");

    for (body, field) in [
        (json!({ "url": rx.url("/x"), "signing": "ed25519", "secret": old }), "signing"),
        (json!({ "url": rx.url("/x"), "secret": "whsk_c2hvcnQ=" }), "secret"),
        (json!({ "url": rx.url("/x"), "signing": "rsa" }), "signing"),
    ] {
        let (status, err) = app.post(&format!("/api/v1/apps/{app_id}/endpoints"), body).await;
        assert_eq!(status.as_u16(), 422, "{err}");
        assert!(err["message"].as_str().unwrap().contains(field), "{err}");
    }
}

crate::both_stores!(
    during_the_grace_period_both_secrets_verify_and_only_the_new_one_after,
    ed25519_signatures_verify_with_the_public_key_alone_or_beside_v1
);
