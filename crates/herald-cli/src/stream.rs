//! The commands that run a while: a recovery job followed to its end, an
//! export streamed to a file, deliveries followed as they happen.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::api::{seg, Api};
use crate::error::CliError;
use crate::output;

pub async fn recover(
    api: &Api,
    app: &str,
    since: String,
    until: Option<String>,
    endpoint: Option<String>,
    wait: bool,
    json: bool,
) -> Result<(), CliError> {
    let body = json!({ "since": since, "until": until, "endpoint": endpoint });
    let mut job = api.call(Method::POST, &format!("/apps/{app}/recoveries"), Some(&body)).await?;
    if wait {
        let id = job["id"].as_str().unwrap_or_default().to_owned();
        let bar = indicatif::ProgressBar::new(job["total"].as_u64().unwrap_or(0));
        while !matches!(job["status"].as_str(), Some("done" | "cancelled")) {
            tokio::time::sleep(Duration::from_millis(250)).await;
            job = api.get(&format!("/apps/{app}/recoveries/{}", seg(&id))).await?;
            bar.set_length(job["total"].as_u64().unwrap_or(0));
            bar.set_position(job["done"].as_u64().unwrap_or(0));
        }
        bar.finish_and_clear();
    }
    output::one(&job, json)
}

pub async fn export(
    api: &Api,
    app: &str,
    to: Option<std::path::PathBuf>,
    status: Option<String>,
    event_type: Option<String>,
) -> Result<(), CliError> {
    let mut req = api.request(Method::GET, &format!("/apps/{app}/messages/export"));
    for (k, v) in [("status", status), ("event_type", event_type)] {
        if let Some(v) = v {
            req = req.query(&[(k, v)]);
        }
    }
    let mut resp = api.send(req).await?;
    let mut out: Box<dyn Write> = match &to {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let bar = to.as_ref().map(|_| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("a valid template"));
        b
    });
    let (mut lines, mut bytes) = (0_u64, 0_u64);
    while let Some(chunk) = resp.chunk().await.map_err(|e| CliError::Transport(format!("export cut short: {e}")))? {
        out.write_all(&chunk).map_err(|e| CliError::output(&e))?;
        lines += bytecount(&chunk);
        bytes += chunk.len() as u64;
        if let Some(b) = &bar {
            b.set_message(format!("{lines} messages, {} KiB", bytes / 1024));
            b.tick();
        }
    }
    out.flush().map_err(|e| CliError::output(&e))?;
    if let (Some(b), Some(path)) = (bar, to) {
        b.finish_and_clear();
        eprintln!("exported {lines} messages ({bytes} bytes) to {}", path.display());
    }
    Ok(())
}

fn bytecount(chunk: &[u8]) -> u64 {
    chunk.iter().filter(|b| **b == b'\n').count() as u64
}

/// Events per request of `send --batch` (the server's default
/// `limits.batch_events`).
const BATCH: usize = 100;

/// `send --batch FILE`: every line of an NDJSON file (`-`: standard input)
/// published, [`BATCH`] to a request; one answer line per event (with
/// `--json`, the API's answer for it); exit 1 when any was rejected.
pub async fn send_batch(api: &Api, app: &str, file: &str, json: bool) -> Result<(), CliError> {
    let text = if file == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| CliError::Usage(format!("standard input: {e}")))?
    } else {
        std::fs::read_to_string(file).map_err(|e| CliError::Usage(format!("--batch {file}: {e}")))?
    };
    let mut events = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let event: Value = serde_json::from_str(line)
            .map_err(|e| CliError::Usage(format!("--batch {file}, line {}: not JSON ({e})", n + 1)))?;
        events.push((n + 1, event));
    }
    if events.is_empty() {
        return Err(CliError::Usage(format!("--batch {file}: no events (one JSON object a line)")));
    }
    let (mut accepted, mut duplicates, mut rejected) = (0, 0, 0);
    for chunk in events.chunks(BATCH) {
        let body = json!({ "events": chunk.iter().map(|(_, e)| e).collect::<Vec<_>>() });
        let answer = api.call(Method::POST, &format!("/apps/{app}/messages/batch"), Some(&body)).await?;
        for ((line, _), item) in chunk.iter().zip(answer["data"].as_array().into_iter().flatten()) {
            match item["status"].as_u64() {
                Some(202) => accepted += 1,
                Some(200) => duplicates += 1,
                _ => rejected += 1,
            }
            if json {
                output::line(item)?;
            } else {
                let what = match item["status"].as_u64() {
                    Some(202) => format!("accepted   {}", output::cell(item["message"].get("id"))),
                    Some(200) => format!("duplicate  {} (published before)", output::cell(item["message"].get("id"))),
                    _ => format!("rejected   {}", output::cell(item["error"].get("message"))),
                };
                output::line(format_args!("line {line:<5} {what}"))?;
            }
        }
    }
    eprintln!("{accepted} accepted, {duplicates} duplicates, {rejected} rejected");
    if rejected > 0 {
        return Err(CliError::Failed(format!("{rejected} of {} events were rejected", events.len())));
    }
    Ok(())
}

/// How many of the newest messages `tail` follows.
const TAIL_WINDOW: u32 = 100;

/// Polls the newest messages with their deliveries (one request a look) and
/// prints a line for each delivery whose status or attempt count changed
/// since the last look: a retry, a failure, and a replay or recovery of one
/// that had ended (failed, then delivered) alike.
pub async fn tail(api: &Api, app: &str, every: f64, count: Option<usize>, json: bool) -> Result<(), CliError> {
    let mut seen: HashMap<(String, String), (String, u64)> = HashMap::new();
    let mut printed = 0_usize;
    let pause = Duration::from_secs_f64(every.clamp(0.05, 3_600.0));
    eprintln!("following the deliveries of {app}'s newest {TAIL_WINDOW} messages; Ctrl-C to stop");
    let mut unreachable = false;
    loop {
        let page = match api.get(&format!("/apps/{app}/messages?limit={TAIL_WINDOW}&with_deliveries=true")).await {
            Ok(page) => page,
            // A server restarting: say so once, and keep looking.
            Err(CliError::Transport(why)) => {
                if !unreachable {
                    eprintln!("{why}; trying again every {} s", pause.as_secs_f64().max(1.0));
                    unreachable = true;
                }
                tokio::time::sleep(pause.max(Duration::from_secs(1))).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        if std::mem::take(&mut unreachable) {
            eprintln!("the server answers again");
        }
        let mut messages = page["data"].as_array().cloned().unwrap_or_default();
        messages.reverse(); // oldest first
        for m in &messages {
            for d in m["deliveries"].as_array().into_iter().flatten() {
                let key = (output::cell(m.get("id")), output::cell(d.get("endpoint_id")));
                let now = (output::cell(d.get("status")), d["attempts"].as_u64().unwrap_or(0));
                if seen.get(&key) == Some(&now) {
                    continue;
                }
                seen.insert(key, now);
                print_line(m, d, json)?;
                printed += 1;
                if count.is_some_and(|c| printed >= c) {
                    return Ok(());
                }
            }
        }
        // Forget what fell out of the window, so memory stays bounded.
        if seen.len() > 20 * TAIL_WINDOW as usize {
            let live: HashSet<String> = messages.iter().map(|m| output::cell(m.get("id"))).collect();
            seen.retain(|(m, _), _| live.contains(m));
        }
        tokio::time::sleep(pause).await;
    }
}

fn print_line(m: &Value, d: &Value, json: bool) -> Result<(), CliError> {
    if json {
        let line = json!({ "message": m["id"], "event_type": m["event_type"], "endpoint_id": d["endpoint_id"],
            "status": d["status"], "attempts": d["attempts"], "last_status_code": d["last_status_code"],
            "last_error": d["last_error"] });
        return output::line(line);
    }
    let at = output::cell(d.get("last_attempt_at").filter(|v| !v.is_null()).or(m.get("timestamp")));
    let code = output::cell(d.get("last_status_code"));
    let error = output::cell(d.get("last_error"));
    output::line(format_args!(
        "{at}  {:<10} {:<28} {}  {}  attempts={} {code} {error}",
        output::cell(d.get("status")),
        output::cell(m.get("event_type")),
        output::cell(m.get("id")),
        output::cell(d.get("endpoint_id")),
        d["attempts"].as_u64().unwrap_or(0),
    ))
}
