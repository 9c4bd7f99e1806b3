//! What a developer meets in the CLI's first hour, as the real binary: the
//! token goes only to the configured server, a closed pipe ends a command
//! quietly, `tail` follows a replay, each command's help names what it
//! takes, and list-valued settings take one form everywhere.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::cli::{text, Cli};
use common::{Node, TOKEN};
use herald_testkit::{Reply, TestReceiver};
use serde_json::Value;

/// Every request `stranger` saw that carried the token or asked for the API.
fn leaks(stranger: &TestReceiver) -> Vec<String> {
    stranger
        .received()
        .into_iter()
        .filter(|r| r.path.contains("/api/") || r.headers.values().any(|v| v.contains(TOKEN)))
        .map(|r| format!("{} {:?}", r.path, r.headers))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_goes_only_to_the_configured_server() {
    let stranger = TestReceiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[]);
    let cli = Cli::new(&node);
    cli.json(&["app", "create", "--name", "Acme", "--uid", "acme"]);

    // `--url` is the endpoint's URL: the endpoint is created with it.
    let hook = stranger.url("/hook");
    let ep = cli.json(&["endpoint", "create", "--app", "acme", "--url", &hook, "--event-type", "referral.*"]);
    assert_eq!((ep["url"].as_str(), ep["event_types"][0].as_str()), (Some(hook.as_str()), Some("referral.*")), "{ep}");
    let listed = cli.json(&["endpoint", "list", "--app", "acme"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let updated = cli.json(&["endpoint", "update", "--app", "acme", ep["id"].as_str().unwrap(), "--url", &hook]);
    assert_eq!(updated["url"], hook.as_str());

    // `--url` anywhere else is not a flag: refused before any request.
    for args in [
        vec!["app", "list", "--url", &hook],
        vec!["--url", &hook, "app", "list"],
        vec!["send", "referral.converted", "--app", "acme", "--url", &hook],
        vec!["message", "list", "--app", "acme", "--url", &hook],
        vec!["tail", "--app", "acme", "--url", &hook],
        vec!["portal-link", "--app", "acme", "--url", &hook],
    ] {
        let out = cli.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
    }

    // A server that redirects elsewhere: not followed, so the token stays.
    let redirector = TestReceiver::start().await;
    redirector.set_default(Reply::WithHeaders(307, vec![("location", stranger.url("/api/v1/apps"))]));
    let out = cli.cmd().args(["app", "list"]).env("HERALD_URL", redirector.url("")).output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("redirect") && text(&out.stderr).contains("not followed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(redirector.count(), 1, "the one request to the configured server");

    // A server address that is not one: refused before any request.
    for bad in ["127.0.0.1:8080", "ftp://127.0.0.1/", "http://127.0.0.1:8080/?token=x"] {
        let out = cli.cmd().args(["app", "list", "--server", bad]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("--server"), "{bad}: {}", text(&out.stderr));
    }

    assert!(leaks(&stranger).is_empty(), "the stranger saw the token or an API call: {:?}", leaks(&stranger));
    assert_eq!(stranger.count(), 0, "nothing was published, so nothing reached the endpoint's URL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_a_command_quietly() {
    let rx = TestReceiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[]);
    let cli = Cli::new(&node);
    cli.json(&["app", "create", "--name", "Acme", "--uid", "acme"]);
    let ep = cli.json(&["endpoint", "create", "--app", "acme", "--url", &rx.url("/hook")]);
    let msg = cli.json(&["send", "job_finished", "--app", "acme"]);
    rx.wait_for("/hook", 1).await;
    let (ep, msg) = (ep["id"].as_str().unwrap(), msg["id"].as_str().unwrap());
    for args in [
        vec!["attempt", "list", "--app", "acme", "--message", msg],
        vec!["attempt", "list", "--app", "acme", "--endpoint", ep],
        vec!["app", "list"],
        vec!["app", "get", "acme"],
        vec!["message", "list", "--app", "acme"],
        vec!["message", "get", "--app", "acme", msg],
        vec!["endpoint", "list", "--app", "acme", "--json"],
        vec!["export", "--app", "acme"],
        vec!["tail", "--app", "acme"],
        vec!["completions", "bash"],
        vec!["man"],
    ] {
        // The reader is gone before the command writes: every write fails.
        let mut child = cli.cmd().args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = text(&out.stderr);
        // Quietly: no panic, no error (tail says on stderr what it follows).
        let quiet = err.is_empty() || (args[0] == "tail" && err.starts_with("following") && err.lines().count() == 1);
        assert!(out.status.success() && quiet, "{args:?}: {:?} {err}", out.status);
    }
}

/// Lines `herald tail --json` prints, as they come.
fn follow(cli: &Cli) -> (std::process::Child, mpsc::Receiver<Value>) {
    let mut child =
        cli.cmd().args(["tail", "--app", "acme", "--json", "--every", "0.2"]).stdout(Stdio::piped()).spawn().unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if tx.send(serde_json::from_str(&line).unwrap()).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

fn wait_line(lines: &mpsc::Receiver<Value>, msg: &str, status: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if line["message"] == msg && line["status"] == status => return line,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("tail printed no {status} line for {msg} in 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_shows_a_failed_delivery_delivered_after_a_replay() {
    let rx = TestReceiver::start().await;
    rx.script([Reply::Status(500)]);
    let dir = tempfile::tempdir().unwrap();
    // One attempt, no retries: an empty list, as an environment variable.
    let node = Node::start(dir.path(), &[("HERALD_DELIVERY_RETRY_SCHEDULE_SECS", "")]);
    let cli = Cli::new(&node);
    cli.json(&["app", "create", "--name", "Acme", "--uid", "acme"]);
    let ep = cli.json(&["endpoint", "create", "--app", "acme", "--url", &rx.url("/hook")]);
    let (mut tail, lines) = follow(&cli);
    let msg = cli.json(&["send", "job_finished", "--app", "acme"]);
    let msg = msg["id"].as_str().unwrap();
    let failed = wait_line(&lines, msg, "failed");
    assert_eq!(failed["last_status_code"], 500, "{failed}");

    let replayed = cli.json(&["replay", msg, "--app", "acme", "--endpoint", ep["id"].as_str().unwrap()]);
    assert_eq!(replayed["status_code"], 200, "{replayed}");
    let delivered = wait_line(&lines, msg, "delivered");
    assert_eq!((delivered["attempts"].as_u64(), delivered["last_status_code"].as_u64()), (Some(2), Some(200)));
    tail.kill().unwrap();
    tail.wait().unwrap();
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_herald")).args(args).arg("--help").output().unwrap();
    assert!(out.status.success(), "{args:?}");
    text(&out.stdout)
}

#[test]
fn each_command_s_help_names_what_it_takes() {
    let serve = help(&["serve"]);
    for client_flag in ["--server", "--url", "--token", "--profile", "--json"] {
        assert!(!serve.contains(client_flag), "serve --help lists {client_flag}: {serve}");
    }
    assert!(serve.contains("--config") && serve.contains("--dev"), "{serve}");
    for resource in ["app", "endpoint", "event-type"] {
        let verbs = help(&[resource]);
        for verb in ["list", "get", "create", "update", "delete"] {
            let line = verbs.lines().find(|l| l.trim_start().starts_with(&format!("{verb} "))).unwrap_or_default();
            assert!(line.split_whitespace().count() > 1, "{resource} {verb} has no description: {verbs}");
        }
        let create = help(&[resource, "create"]);
        assert!(create.contains("--server") && create.contains("--token"), "{create}");
    }
    let endpoint = help(&["endpoint", "create"]);
    for field in ["--url", "--event-type", "--description", "--header", "--set", "--data"] {
        assert!(endpoint.contains(field), "endpoint create --help lacks {field}: {endpoint}");
    }
    assert!(help(&["app", "create"]).contains("--name"));
    assert!(help(&["event-type", "create"]).contains("--schema"));
    assert!(!help(&["export"]).contains("--json"), "export writes NDJSON only");
    assert!(help(&["keygen"]).lines().all(|l| !l.contains("--token")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_says_what_happened_in_words() {
    let rx = TestReceiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[]);
    let cli = Cli::new(&node);
    cli.json(&["app", "create", "--name", "Acme", "--uid", "acme"]);

    // No token: say where one goes.
    let out = cli.cmd().args(["app", "list"]).env_remove("HERALD_TOKEN").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--token") && err.contains("HERALD_TOKEN") && !err.contains("Authorization"), "{err}");

    // A repeated event id says it was already published, with the first message.
    let one = rx.url("/one");
    let two = rx.url("/two");
    let ep1 = cli.json(&["endpoint", "create", "--app", "acme", "--url", &one]);
    cli.json(&["endpoint", "create", "--app", "acme", "--url", &two]);
    let first = cli.run(&["send", "job_finished", "--app", "acme", "--event-id", "evt_1"]);
    assert!(first.status.success() && !text(&first.stderr).contains("already"), "{}", text(&first.stderr));
    let again = cli.run(&["send", "job_finished", "--app", "acme", "--event-id", "evt_1", "--json"]);
    let again_json: Value = serde_json::from_slice(&again.stdout).unwrap();
    let msg = again_json["id"].as_str().unwrap().to_owned();
    assert!(text(&first.stdout).contains(&msg), "the same message");
    let note = text(&again.stderr);
    assert!(again.status.success() && note.contains("already published") && note.contains(&msg), "{note}");
    rx.wait_for("/one", 1).await;
    rx.wait_for("/two", 1).await;

    // A message's deliveries as a table; the list with a status column.
    let mut shown = String::new();
    for _ in 0..100 {
        shown = text(&cli.run(&["message", "get", "--app", "acme", &msg]).stdout);
        if shown.matches("delivered").count() == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50)); // polling for the worker's settle
    }
    assert!(shown.contains("deliveries:") && shown.contains("endpoint_id") && shown.contains("│"), "{shown}");
    assert!(!shown.contains("[{"), "no JSON line: {shown}");
    let list = text(&cli.run(&["message", "list", "--app", "acme"]).stdout);
    assert!(list.contains("status") && list.contains("delivered") && list.contains("1 item\n"), "{list}");

    // The endpoint's secret, a rotation, a portal link.
    let ep1 = ep1["id"].as_str().unwrap();
    let secret = cli.json(&["endpoint", "secret", "--app", "acme", ep1]);
    assert!(secret["key"].as_str().unwrap().starts_with("whsec_"), "{secret}");
    let rotated = cli.json(&["endpoint", "rotate-secret", "--app", "acme", ep1]);
    assert!(rotated["key"].as_str().unwrap().starts_with("whsec_") && rotated["key"] != secret["key"], "{rotated}");
    let link = cli.run(&["portal-link", "--app", "acme"]);
    let url = text(&link.stdout);
    assert!(link.status.success() && url.contains("/portal/") && url.contains("#token="), "{url}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_filters_and_failed_replays_say_so() {
    let rx = TestReceiver::start().await;
    rx.set_default(Reply::Status(500));
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[("HERALD_DELIVERY_RETRY_SCHEDULE_SECS", "")]);
    let cli = Cli::new(&node);
    cli.json(&["app", "create", "--name", "Acme", "--uid", "acme"]);
    let ep = cli.json(&["endpoint", "create", "--app", "acme", "--url", &rx.url("/hook")]);
    let ep = ep["id"].as_str().unwrap().to_owned();

    // A batch from an NDJSON file: one answer line per event, the bad one
    // rejected alone, and the exit code says some were.
    let file = dir.path().join("events.ndjson");
    let lines = [
        r#"{"event_type": "job_finished", "event_id": "j1", "payload": {"job": 1}}"#,
        r#"{"event_type": "not a name!", "payload": {}}"#,
        r#"{"event_type": "job_finished", "event_id": "j2", "payload": {"job": 2}}"#,
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = cli.run(&["send", "--app", "acme", "--batch", file.to_str().unwrap()]);
    let (shown, said) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{shown} {said}");
    assert!(shown.contains("line 1") && shown.contains("accepted") && shown.contains("line 2"), "{shown}");
    assert!(shown.lines().nth(1).unwrap().contains("rejected") && shown.contains("event_type"), "{shown}");
    assert!(said.contains("2 accepted, 0 duplicates, 1 rejected"), "{said}");
    let again = cli.run(&["send", "--app", "acme", "--batch", file.to_str().unwrap(), "--json"]);
    let answers: Vec<Value> = text(&again.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.iter().map(|a| a["status"].as_u64().unwrap()).collect::<Vec<_>>(), vec![200, 422, 200]);
    rx.wait_for("/hook", 2).await;

    // Filters on the message list.
    let mut failed = Value::Null;
    for _ in 0..100 {
        failed = cli.json(&["message", "list", "--app", "acme", "--status", "failed"]);
        if failed.as_array().unwrap().len() == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50)); // polling for the worker's settles
    }
    assert_eq!(failed.as_array().unwrap().len(), 2, "{failed}");
    assert!(cli.json(&["message", "list", "--app", "acme", "--status", "delivered"]).as_array().unwrap().is_empty());
    let by_type = cli.json(&["message", "list", "--app", "acme", "--event-type", "other"]);
    assert!(by_type.as_array().unwrap().is_empty());

    // A replay the receiver refuses: shown, and exit 1.
    let msg = failed[0]["id"].as_str().unwrap();
    let out = cli.run(&["replay", msg, "--app", "acme", "--endpoint", &ep]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the replay was sent and failed: HTTP 500"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("status_code"), "the attempt is shown: {}", text(&out.stdout));
    // The attempts name the endpoint, and which one was by hand.
    let table = text(&cli.run(&["attempt", "list", "--app", "acme", "--message", msg]).stdout);
    assert!(table.contains("endpoint_id") && table.contains(&ep) && table.contains("manual"), "{table}");

    // Setting up: a server address without its scheme gets a hint.
    let out = cli.cmd().args(["app", "list", "--server", "localhost:8080"]).output().unwrap();
    assert!(text(&out.stderr).contains("did you mean http://localhost:8080"), "{}", text(&out.stderr));
}
