//! The client commands, run as the real binary against a real `herald
//! serve`: every verb, tables and `--json`, exit codes, errors as the API's
//! message, the config-file profile, completions and the man page.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::cli::{text, Cli};
use common::{Node, TOKEN};
use herald_testkit::TestReceiver;
use serde_json::Value;

// Multi-threaded: the CLI runs as a blocking child process while the
// receiver (on this runtime) answers the deliveries it causes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_verb_works_against_a_real_server() {
    let rx = TestReceiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[]);
    let cli = Cli { node: &node, home: tempfile::tempdir().unwrap() };

    // Applications.
    let app = cli.json(&["app", "create", "--set", "name=Acme", "--set", "uid=acme", "--set", "live=false"]);
    assert_eq!((app["name"].as_str(), app["live"].as_bool()), (Some("Acme"), Some(false)), "{app}");
    let app_id = app["id"].as_str().unwrap().to_owned();
    assert_eq!(cli.json(&["app", "get", "acme"])["id"], app_id.as_str(), "by uid");
    let renamed = cli.json(&["app", "update", "acme", "--data", r#"{"name": "Acme Inc"}"#]);
    assert_eq!(renamed["name"], "Acme Inc");
    let table = cli.run(&["app", "list"]);
    let shown = text(&table.stdout);
    assert!(table.status.success() && shown.contains("Acme Inc") && shown.contains("1 item\n"), "{shown}");

    // Event types.
    let et = cli.json(&["event-type", "create", "--set", "name=user.created", "--set", "description=A user"]);
    assert_eq!(et["name"], "user.created");
    assert_eq!(cli.json(&["event-type", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(cli.json(&["event-type", "update", "user.created", "--set", "description=New"])["description"], "New");
    assert_eq!(cli.json(&["event-type", "get", "user.created"])["description"], "New");

    // Endpoints.
    let ep = cli.json(&["endpoint", "create", "--app", "acme", "--set", &format!("url={}", rx.url("/hook"))]);
    let ep_id = ep["id"].as_str().unwrap().to_owned();
    assert_eq!(cli.json(&["endpoint", "list", "--app", "acme"]).as_array().unwrap().len(), 1);
    let filtered = cli.json(&["endpoint", "update", "--app", "acme", &ep_id, "--set", r#"event_types=["user.*"]"#]);
    assert_eq!(filtered["event_types"], serde_json::json!(["user.*"]));
    assert_eq!(cli.json(&["endpoint", "get", "--app", "acme", &ep_id])["url"], rx.url("/hook"));

    // Send, from a file; the message and its attempts.
    let payload = dir.path().join("event.json");
    std::fs::write(&payload, r#"{"id": 7}"#).unwrap();
    let sent = cli.json(&["send", "user.created", "--app", "acme", "--data", &format!("@{}", payload.display())]);
    let msg = sent["id"].as_str().unwrap().to_owned();
    rx.wait_for("/hook", 1).await;
    assert_eq!(rx.received()[0].json()["data"]["id"], 7);
    let mut delivered = false;
    for _ in 0..100 {
        let m = cli.json(&["message", "get", "--app", "acme", &msg]);
        if m["deliveries"][0]["status"] == "delivered" {
            delivered = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(delivered);
    assert_eq!(cli.json(&["message", "list", "--app", "acme"]).as_array().unwrap().len(), 1);
    assert_eq!(cli.json(&["attempt", "list", "--app", "acme", "--message", &msg]).as_array().unwrap().len(), 1);
    assert_eq!(cli.json(&["attempt", "list", "--app", "acme", "--endpoint", &ep_id]).as_array().unwrap().len(), 1);

    // Replay, recover, export, tail.
    let replayed = cli.json(&["replay", &msg, "--app", "acme", "--endpoint", &ep_id]);
    assert_eq!(replayed["status_code"], 200, "{replayed}");
    rx.wait_for("/hook", 2).await;
    let job = cli.json(&["recover", "--app", "acme", "--since", "2020-01-01T00:00:00Z", "--wait"]);
    assert_eq!(job["status"], "done", "{job}");
    let file = dir.path().join("export.ndjson");
    let out = cli.run(&["export", "--app", "acme", "--output", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("exported 1 messages"), "{}", text(&out.stderr));
    let line: Value = serde_json::from_str(std::fs::read_to_string(&file).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(line["id"], msg.as_str());
    let tail = cli.run(&["tail", "--app", "acme", "--count", "1", "--json"]);
    let followed: Value = serde_json::from_slice(&tail.stdout).unwrap();
    assert_eq!((followed["message"].as_str(), followed["status"].as_str()), (Some(msg.as_str()), Some("delivered")));

    // Errors: the API's message and an exit code per kind.
    let missing = cli.run(&["app", "get", "app_nope"]);
    assert_eq!(missing.status.code(), Some(3), "not found");
    assert!(text(&missing.stderr).starts_with("error: ") && text(&missing.stderr).contains("not_found"));
    let invalid = cli.run(&["endpoint", "create", "--app", "acme", "--set", "url=ftp://x"]);
    assert_eq!(invalid.status.code(), Some(4), "refused: {}", text(&invalid.stderr));
    assert!(text(&invalid.stderr).contains("validation_error"), "{}", text(&invalid.stderr));
    let bad_token = cli.cmd().args(["app", "list"]).env("HERALD_TOKEN", "wrong").output().unwrap();
    assert_eq!(bad_token.status.code(), Some(4));
    let unreachable = cli.cmd().args(["app", "list"]).env("HERALD_URL", "http://127.0.0.1:1").output().unwrap();
    assert_eq!(unreachable.status.code(), Some(5));
    assert!(text(&unreachable.stderr).contains("cannot reach the server"));
    let no_server = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["app", "list"])
        .env_remove("HERALD_URL")
        .env("XDG_CONFIG_HOME", cli.home.path())
        .output()
        .unwrap();
    assert_eq!(no_server.status.code(), Some(2));
    assert!(text(&no_server.stderr).contains("no server"));

    // A profile in the config file.
    std::fs::create_dir_all(cli.home.path().join("herald")).unwrap();
    let profile = format!("[staging]\nserver = \"{}\"\ntoken = \"{TOKEN}\"\n", node.base);
    std::fs::write(cli.home.path().join("herald/cli.toml"), profile).unwrap();
    let via_profile = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["app", "get", "acme", "--json", "--profile", "staging"])
        .env_remove("HERALD_URL")
        .env_remove("HERALD_TOKEN")
        .env("XDG_CONFIG_HOME", cli.home.path())
        .output()
        .unwrap();
    assert!(via_profile.status.success(), "{}", text(&via_profile.stderr));

    // Deletes.
    let out = cli.run(&["endpoint", "delete", "--app", "acme", &ep_id]);
    assert!(out.status.success() && text(&out.stdout).contains("deleted"), "{}", text(&out.stderr));
    assert!(cli.run(&["event-type", "delete", "user.created"]).status.success());
    assert!(cli.run(&["app", "delete", "acme"]).status.success());
    assert_eq!(cli.run(&["app", "get", "acme"]).status.code(), Some(3));
}

#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_herald")).args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = text(&out.stdout);
        assert!(script.contains("endpoint") && script.contains("event-type"), "{shell}");
    }
    let man = Command::new(env!("CARGO_BIN_EXE_herald")).arg("man").output().unwrap();
    assert!(man.status.success());
    assert!(text(&man.stdout).contains(".TH herald"), "roff");
}

/// `herald listen` as a customer would run it: a temporary endpoint, the
/// event published through the API received, verified and forwarded to a
/// local receiver, one line printed; BAD with the wrong secret; the
/// endpoint removed on exit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_receives_verifies_forwards_and_cleans_up() {
    use std::io::{BufRead, BufReader};
    let local = TestReceiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[]);
    let cli = Cli { node: &node, home: tempfile::tempdir().unwrap() };
    let app = cli.json(&["app", "create", "--set", "name=Dev", "--set", "uid=dev"]);
    let app_id = app["id"].as_str().unwrap().to_owned();

    for (secret, expect) in [(None, "signature OK"), (Some("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), "signature BAD")]
    {
        let mut cmd = cli.cmd();
        cmd.args(["listen", "--app", "dev", "--count", "1", "--print-body", "--forward-to", &local.url("/local")]);
        if let Some(s) = secret {
            cmd.args(["--secret", s]);
        }
        let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        assert!(first.starts_with("listening on http://127.0.0.1:"), "{first}");
        let eps = cli.json(&["endpoint", "list", "--app", "dev"]);
        assert_eq!(eps.as_array().unwrap().len(), 1, "the temporary endpoint: {eps}");

        let published = node
            .post(
                &format!("/api/v1/apps/{app_id}/messages"),
                serde_json::json!({ "event_type": "job_finished", "payload": { "job": 42 } }),
            )
            .await;
        let line = lines.next().unwrap().unwrap();
        assert!(line.contains("job_finished") && line.contains(published["id"].as_str().unwrap()), "{line}");
        assert!(line.contains(expect), "{line}");
        let rest: Vec<String> = lines.map(Result::unwrap).collect();
        assert!(rest.join("\n").contains("\"job\": 42"), "--print-body: {rest:?}");
        assert!(child.wait().unwrap().success());
        if secret.is_none() {
            assert!(line.contains("-> 200 in"), "forwarded: {line}");
            let got = local.wait_for("/local", 1).await;
            assert_eq!(got[0].json()["data"]["job"], 42);
            assert!(got[0].header("webhook-signature").is_some(), "headers forwarded");
        } else {
            // Forwarded all the same, so the receiver's own check is exercised.
            local.wait_for("/local", 2).await;
        }
        let eps = cli.json(&["endpoint", "list", "--app", "dev"]);
        assert!(eps.as_array().unwrap().is_empty(), "removed on exit: {eps}");
    }
}

/// A `herald listen` that is killed leaves no endpoint behind: it expires.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_listen_leaves_an_endpoint_that_expires() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[]);
    let cli = Cli { node: &node, home: tempfile::tempdir().unwrap() };
    cli.json(&["app", "create", "--set", "name=Dev", "--set", "uid=dev"]);
    let mut child = cli
        .cmd()
        .args(["listen", "--app", "dev", "--expire-after", "3"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let first = BufReader::new(child.stdout.take().unwrap()).lines().next().unwrap().unwrap();
    assert!(first.starts_with("listening on"), "{first}");
    let eps = cli.json(&["endpoint", "list", "--app", "dev"]);
    assert!(eps[0]["expires_at"].is_string(), "{eps}");
    child.kill().unwrap(); // SIGKILL: no clean-up runs
    child.wait().unwrap();
    for _ in 0..100 {
        if cli.json(&["endpoint", "list", "--app", "dev"]).as_array().unwrap().is_empty() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the temporary endpoint outlived its expiry");
}
