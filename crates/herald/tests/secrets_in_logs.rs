//! Secrets never reach the log, even at `trace`; PostgreSQL refuses to
//! start without a main key.

#![allow(clippy::unwrap_used)]

mod common;

use common::Node;
use herald_testkit::TestReceiver;
use serde_json::json;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const CREDENTIAL: &str = "credential-9e7c1f0b";

#[tokio::test]
async fn no_secret_is_logged_even_at_trace() {
    let rx = TestReceiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("herald.log");
    let log = std::fs::File::create(&log_path).unwrap();
    // No main key configured: a key file is made beside the database.
    let env = [("HERALD_LOG_LEVEL", "trace"), ("HERALD_SECURITY_MAIN_KEY", "")];
    let (node, _) = Node::start_logged(dir.path(), &[], &env, Some(log));
    let app = node.post("/api/v1/apps", json!({ "name": "logs", "credential": CREDENTIAL })).await;
    let app_id = app["id"].as_str().unwrap();
    let body = json!({ "url": rx.url("/hook"), "secret": SECRET, "credential": CREDENTIAL });
    node.post(&format!("/api/v1/apps/{app_id}/endpoints"), body).await;
    node.post(&format!("/api/v1/apps/{app_id}/messages"), json!({ "event_type": "a.b", "payload": {} })).await;
    rx.wait_for("/hook", 1).await;
    // A rejected secret is not echoed back into the log either.
    let bad = json!({ "url": rx.url("/x"), "secret": "whsec_not!base64-9e7c1f0b" });
    let (status, _) = node.call(reqwest::Method::POST, &format!("/api/v1/apps/{app_id}/endpoints"), Some(bad)).await;
    assert_eq!(status, 422);
    drop(node);

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.len() > 1000, "trace logging wrote little: {} bytes", log.len());
    assert!(log.contains("generated the main key"), "the key file's creation is said");
    assert!(!log.contains('\u{1b}'), "a log written to a file has no terminal colour codes");
    for secret in [SECRET, &SECRET[6..], CREDENTIAL, "not!base64-9e7c1f0b", common::TOKEN] {
        assert!(!log.contains(secret), "{secret} appears in the log");
    }
    let key = std::fs::read_to_string(dir.path().join("herald.db.key")).unwrap();
    assert!(!log.contains(key.trim()), "the main key appears in the log");
}

#[test]
fn postgres_needs_a_main_key() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("serve")
        .env("HERALD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        .env("HERALD_SERVER_LISTEN", "127.0.0.1:0")
        .env_remove("HERALD_SECURITY_MAIN_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("security.main_key") && err.contains("herald keygen"), "{err}");
}
