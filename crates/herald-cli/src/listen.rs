//! `herald listen`: for a customer building a receiver. Registers a
//! temporary endpoint on an application pointing at a local port, verifies
//! each delivery's signature with that endpoint's secret, forwards it to the
//! receiver under development (`--forward-to`), prints one line per event,
//! and removes the endpoint on exit (Ctrl-C, SIGTERM, or after `--count`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::api::{seg, Api};
use crate::error::CliError;

#[derive(clap::Args, Debug)]
pub struct ListenArgs {
    /// The application (id or uid) to listen to.
    #[arg(long)]
    pub app: String,
    /// Forward each delivery (same headers and body) to this URL.
    #[arg(long)]
    pub forward_to: Option<String>,
    /// Print each event's JSON body too.
    #[arg(long)]
    pub print_body: bool,
    /// Only these event types (names or `*` patterns); default all.
    #[arg(long = "event-type")]
    pub event_types: Vec<String>,
    /// The local address to receive on.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// The URL Herald should deliver to, when it cannot reach the local
    /// address directly (a tunnel); default `http://<listen address>/`.
    #[arg(long)]
    pub public_url: Option<String>,
    /// Verify with this key (`whsec_…` or `whpk_…`) instead of the
    /// endpoint's own.
    #[arg(long)]
    pub secret: Option<String>,
    /// Exit after this many events.
    #[arg(long)]
    pub count: Option<usize>,
    /// The temporary endpoint deletes itself this long (seconds) after the
    /// last sign of life from this command (renewed every third of it), so
    /// a killed `herald listen` leaves nothing behind.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(3..=86_400))]
    pub expire_after: u64,
}

struct Shared {
    verifier: herald_verify::Webhook,
    forward: Option<(reqwest::Client, String)>,
    print_body: bool,
    seen: AtomicUsize,
    count: Option<usize>,
    done: Notify,
}

pub async fn listen(api: &Api, args: ListenArgs) -> Result<(), CliError> {
    let app = seg(&args.app);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError::Usage(format!("--listen {}: {e}", args.listen)))?;
    let local = listener.local_addr().map_err(|e| CliError::Usage(e.to_string()))?;
    let url = args.public_url.clone().unwrap_or_else(|| format!("http://{local}/"));
    let mut body = json!({
        "url": url, "description": "herald listen (temporary)", "metadata": { "herald_listen": true },
        "expires_in_secs": args.expire_after,
    });
    if !args.event_types.is_empty() {
        body["event_types"] = json!(args.event_types);
    }
    let ep = api.call(Method::POST, &format!("/apps/{app}/endpoints"), Some(&body)).await?;
    let ep_id = ep["id"].as_str().unwrap_or_default().to_owned();
    let renew = async {
        let path = format!("/apps/{app}/endpoints/{}", seg(&ep_id));
        let every = std::time::Duration::from_secs(args.expire_after / 3);
        loop {
            tokio::time::sleep(every).await;
            let extend = json!({ "expires_in_secs": args.expire_after });
            if let Err(e) = api.call(Method::PATCH, &path, Some(&extend)).await {
                eprintln!("could not extend the temporary endpoint: {e}");
            }
        }
    };
    let result = tokio::select! {
        r = serve(api, &app, &ep_id, &ep, listener, &args) => r,
        () = renew => Ok(()),
    };
    // Removed whatever happened (the endpoint is only for this session).
    let removed = api.call(Method::DELETE, &format!("/apps/{app}/endpoints/{}", seg(&ep_id)), None).await;
    if let Err(e) = &removed {
        eprintln!("could not remove the temporary endpoint {ep_id}: {e}");
    } else {
        eprintln!("removed the temporary endpoint {ep_id}");
    }
    result
}

async fn serve(
    api: &Api,
    app: &str,
    ep_id: &str,
    ep: &Value,
    listener: tokio::net::TcpListener,
    args: &ListenArgs,
) -> Result<(), CliError> {
    let key = match &args.secret {
        Some(k) => k.clone(),
        None => {
            let secret = api.get(&format!("/apps/{app}/endpoints/{}/secret", seg(ep_id))).await?;
            let key = secret.get("public_key").or(secret.get("key")).and_then(Value::as_str).unwrap_or_default();
            key.to_owned()
        }
    };
    let verifier = herald_verify::Webhook::new(&key).map_err(|e| CliError::Usage(format!("--secret: {e}")))?;
    let shared = Arc::new(Shared {
        verifier,
        forward: args.forward_to.clone().map(|u| (reqwest::Client::new(), u)),
        print_body: args.print_body,
        seen: AtomicUsize::new(0),
        count: args.count,
        done: Notify::new(),
    });
    let router = axum::Router::new().fallback(receive).with_state(shared.clone());
    crate::output::line(format_args!(
        "listening on {} as endpoint {ep_id} ({}){}; Ctrl-C to stop",
        ep["url"].as_str().unwrap_or_default(),
        ep["signing"].as_str().unwrap_or("hmac-sha256"),
        args.forward_to.as_ref().map(|f| format!(", forwarding to {f}")).unwrap_or_default(),
    ))?;
    let stop = {
        let shared = shared.clone();
        async move {
            tokio::select! {
                () = shared.done.notified() => {}
                _ = tokio::signal::ctrl_c() => {}
                () = terminated() => {}
            }
        }
    };
    axum::serve(listener, router)
        .with_graceful_shutdown(stop)
        .await
        .map_err(|e| CliError::Transport(format!("receiving: {e}")))
}

async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        s.recv().await;
        return;
    }
    std::future::pending::<()>().await;
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let verified = shared.verifier.verify(&headers, &body);
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("?").to_owned();
    let kind = event.get("type").and_then(Value::as_str).map_or_else(|| "?".to_owned(), str::to_owned);
    let (status, forwarded) = match &shared.forward {
        Some((client, url)) => {
            let started = Instant::now();
            let mut req = client.post(url).body(body.clone());
            for (name, value) in &headers {
                if name != "host" && name != "content-length" {
                    req = req.header(name, value);
                }
            }
            match req.send().await {
                Ok(resp) => {
                    let code = resp.status().as_u16();
                    (code, format!("-> {code} in {} ms", started.elapsed().as_millis()))
                }
                Err(e) => (502, format!("-> forward failed: {e}")),
            }
        }
        None => (200, String::new()),
    };
    let sig = match &verified {
        Ok(()) => "signature OK".to_owned(),
        Err(e) => format!("signature BAD ({e})"),
    };
    let now = humantime_now();
    let mut printed =
        crate::output::line(format_args!("{now}  {kind:<28} {}  {sig}  {forwarded}", header("webhook-id")));
    if shared.print_body && printed.is_ok() {
        printed = crate::output::line(serde_json::to_string_pretty(&event).unwrap_or_default());
    }
    let n = shared.seen.fetch_add(1, Ordering::SeqCst) + 1;
    // Done after `--count` events, or when nobody reads the output any more.
    if shared.count.is_some_and(|c| n >= c) || printed.is_err() {
        shared.done.notify_one();
    }
    // A bad signature is refused, as a receiver should.
    let code = if verified.is_err() { 401 } else { status };
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY)
}

/// The time of day (UTC) as `HH:MM:SS`.
fn humantime_now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("{:02}:{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60, secs % 60)
}
