//! Load generators: closed-loop (fixed concurrency) and open-loop (fixed rate).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

/// One publish: `(message id, started at, took)`.
pub type Sample = (String, Instant, Duration);

/// Publishes from `concurrency` tasks until `deadline` or `total` requests.
pub async fn closed_loop(
    client: reqwest::Client,
    urls: Arc<Vec<String>>,
    body: Arc<String>,
    concurrency: usize,
    deadline: Option<Instant>,
    total: Option<usize>,
) -> (Vec<Sample>, usize) {
    let issued = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency {
        let (client, urls, body, issued) = (client.clone(), urls.clone(), body.clone(), issued.clone());
        tasks.spawn(async move {
            let mut samples = Vec::new();
            let mut errors = 0;
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if total.is_some_and(|t| n >= t) {
                    break;
                }
                match publish(&client, &urls[n % urls.len()], &body).await {
                    Some(s) => samples.push(s),
                    None => errors += 1,
                }
            }
            (samples, errors)
        });
    }
    let mut all = Vec::new();
    let mut errors = 0;
    while let Some(Ok((s, e))) = tasks.join_next().await {
        all.extend(s);
        errors += e;
    }
    (all, errors)
}

/// Publishes `rate` requests per second for `duration`, each on its own task.
pub async fn open_loop(
    client: reqwest::Client,
    urls: Arc<Vec<String>>,
    body: Arc<String>,
    rate: u32,
    duration: Duration,
) -> (Vec<Sample>, usize) {
    let mut tasks = JoinSet::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate.max(1))));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let end = Instant::now() + duration;
    let mut n = 0;
    while Instant::now() < end {
        tick.tick().await;
        let (client, urls, body) = (client.clone(), urls.clone(), body.clone());
        n += 1;
        tasks.spawn(async move { publish(&client, &urls[n % urls.len()], &body).await });
    }
    let mut all = Vec::new();
    let mut errors = 0;
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(Some(s)) => all.push(s),
            _ => errors += 1,
        }
    }
    (all, errors)
}

async fn publish(client: &reqwest::Client, url: &str, body: &str) -> Option<Sample> {
    let started = Instant::now();
    let resp = client
        .post(url)
        .bearer_auth(crate::node::TOKEN)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let bytes = resp.bytes().await.ok()?;
    let took = started.elapsed();
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    Some((v["id"].as_str()?.to_owned(), started, took))
}

/// Plain POSTs to `url` (no Herald), for the ceiling.
pub async fn raw_posts(
    client: reqwest::Client,
    url: String,
    body: Arc<String>,
    concurrency: usize,
    duration: Duration,
) -> usize {
    let end = Instant::now() + duration;
    let mut tasks = JoinSet::new();
    for i in 0..concurrency {
        let (client, url, body) = (client.clone(), url.clone(), body.clone());
        tasks.spawn(async move {
            let mut n = 0;
            while Instant::now() < end {
                let ok = client
                    .post(&url)
                    .header("webhook-id", format!("raw_{i}_{n}"))
                    .body(body.to_string())
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if ok {
                    n += 1;
                }
            }
            n
        });
    }
    let mut total = 0;
    while let Some(Ok(n)) = tasks.join_next().await {
        total += n;
    }
    total
}

/// The value at quantile `q` of sorted durations, in ms.
pub fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}
