//! Building and running the application: bind the port (0 in tests), open
//! the store, start the API and the workers, stop them together.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::serve::ListenerExt;
use herald_core::{Clock, SystemClock};
use herald_store::Store;
use herald_store_postgres::{PgOptions, PgStore};
use herald_store_sqlite::{SqliteOptions, SqliteStore};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};

use crate::auth::{AdminToken, Auth, Rates};
use crate::config::{Config, DatabaseKind};
use crate::notify::{Mailer, Notifier, OperatorHook, Target};
use crate::recovery::{RecoveryRunner, RecoverySettings};
use crate::state::AppState;
use crate::worker::connect::{Resolve, SystemResolver};
use crate::worker::http::HttpClient;
use crate::worker::{Sender, Worker, WorkerSettings};

/// Opens the configured store, applying migrations when asked.
pub async fn open_store(config: &Config, migrate: bool) -> anyhow::Result<Arc<dyn Store>> {
    let shown = crate::config::redact_url(&config.database.url);
    let (sealer, created) = crate::keys::sealer(config)?;
    if let Some(path) = created {
        tracing::warn!(key_file = %path.display(), "generated the main key that seals secrets at rest; back it up apart from the database (or set security.main_key)");
    }
    let sealer = Arc::new(sealer);
    let (store, applied): (Arc<dyn Store>, usize) = match config.database_kind() {
        Some(DatabaseKind::Postgres) => {
            let opts = PgOptions {
                url: config.database.url.clone(),
                max_connections: config.database.max_connections,
                node: config.worker.node_name(config.server.listen),
                acquire_timeout: Duration::from_millis(config.database.unavailable_after_ms),
                sealer: sealer.clone(),
                channels: config.notify.channels(),
            };
            let store = PgStore::connect(&opts).await.with_context(|| format!("connecting to {shown}"))?;
            let applied = if migrate { store.migrate().await.context("applying migrations")? } else { 0 };
            (Arc::new(store), applied)
        }
        Some(DatabaseKind::Sqlite) => {
            let store = SqliteStore::connect(&SqliteOptions {
                url: config.database.url.clone(),
                read_connections: config.database.read_connections,
                fsync_every_commit: config.database.fsync_every_commit,
                checkpoint_interval: Duration::from_millis(config.database.checkpoint_interval_ms),
                wal_limit_bytes: config.database.wal_limit_bytes,
                wal_restart_interval: Duration::from_millis(config.database.wal_restart_interval_ms),
                sealer: sealer.clone(),
                channels: config.notify.channels(),
            })
            .await
            .with_context(|| format!("opening the database {shown}"))?;
            let applied = if migrate { store.migrate().await.context("applying migrations")? } else { 0 };
            (Arc::new(store), applied)
        }
        None => anyhow::bail!("database.url: unsupported database {shown}"),
    };
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    if migrate {
        let resealed = store.reseal_secrets().await.context(
            "sealing secrets under security.main_key (a rotated-out key belongs in security.previous_main_keys)",
        )?;
        if resealed > 0 {
            tracing::info!(resealed, key_id = sealer.key_id(), "secrets sealed under the current main key");
        }
    }
    Ok(store)
}

/// The notifier for the configured channels, if any is.
fn notifier(config: &Config, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> anyhow::Result<Option<Notifier>> {
    let n = &config.notify;
    let mut targets = Vec::new();
    if !n.webhook_url.trim().is_empty() {
        let hook = OperatorHook::new(&n.webhook_url, &n.webhook_secret, clock.clone(), config.delivery.timeout())?;
        targets.push(Target::Webhook(Arc::new(hook)));
    }
    if !n.smtp_url.trim().is_empty() {
        targets.push(Target::Email(Arc::new(Mailer::new(&n.smtp_url, &n.email_from)?)));
    }
    if targets.is_empty() {
        return Ok(None);
    }
    Ok(Some(Notifier {
        store,
        clock,
        node: config.worker.node_name(config.server.listen),
        targets,
        retry_schedule: n.retry_schedule_secs.iter().map(|s| Duration::from_secs(*s)).collect(),
        poll: Duration::from_millis(n.poll_interval_ms),
    }))
}

/// Deliveries that may wait in memory for the worker, per unit of its
/// concurrency, before publishing leaves new ones to the queue table.
const HANDOVER_PER_SLOT: usize = 8;

/// What tests replace: the clock (to walk retry schedules) and the DNS
/// resolver (to script a rebinding attack).
pub struct Seams {
    pub clock: Arc<dyn Clock>,
    pub resolver: Arc<dyn Resolve>,
}

impl Default for Seams {
    fn default() -> Self {
        Self { clock: Arc::new(SystemClock), resolver: Arc::new(SystemResolver) }
    }
}

/// A background loop (bulk recovery, notifications, retention) that runs
/// until told to stop.
type Task = Box<dyn FnOnce(watch::Receiver<bool>) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

pub struct Application {
    listener: TcpListener,
    port: u16,
    metrics_port: Option<u16>,
    router: axum::Router,
    worker: Option<Worker>,
    background: Vec<(&'static str, Task)>,
    store: Arc<dyn Store>,
    generated_token: Option<String>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, Seams::default()).await
    }

    /// As [`Application::build`], with the clock and the resolver injected.
    pub async fn build_with(config: Config, seams: Seams) -> anyhow::Result<Self> {
        config.validate()?;
        let Seams { clock, resolver } = seams;
        let seams_clock = clock.clone();
        let store = open_store(&config, config.database.migrate_on_start).await?;
        let (token, generated_token) = AdminToken::load_or_generate(&config.auth.admin_token, store.as_ref()).await?;
        let wake = Arc::new(Notify::new());
        let lease = Duration::from_millis(config.worker.lease_ms);
        let metrics = Arc::new(crate::metrics::Metrics::new());
        let sender = Sender {
            client: HttpClient::build(config.security.destination_policy()?, resolver, config.delivery.proxy()?)
                .context("building the HTTP client")?,
            clock: clock.clone(),
            policy: Arc::new(config.delivery.retry_policy()?),
            timeout: config.delivery.timeout(),
            max_retry_after: Duration::from_secs(config.delivery.max_retry_after_secs),
            body_limit: config.delivery.response_body_limit_bytes,
            auto_disable: config.health.rule(),
            metrics: metrics.clone(),
            tokens: Arc::new(crate::worker::oauth::TokenCache::new(clock.clone())),
        };
        // Publishing hands new deliveries straight to this process's worker.
        let (dispatch, handed_over) = if config.worker.enabled {
            let (d, q) = crate::worker::dispatch::channel(HANDOVER_PER_SLOT * config.worker.concurrency, lease);
            (Some(d), Some(q))
        } else {
            (None, None)
        };
        let state = AppState {
            store: store.clone(),
            clock,
            wake: wake.clone(),
            schemas: Default::default(),
            sender: sender.clone(),
            dispatch,
            limits: Arc::new(config.limits.clone()),
            portal: Arc::new(config.portal.clone()),
            readiness: crate::readiness::Readiness::new(store.clone(), &config.worker.node_name(config.server.listen)),
        };
        let rates = Rates {
            admin_per_sec: config.limits.admin_token_requests_per_second,
            app_per_sec: config.limits.app_token_requests_per_second,
        };
        let auth = Arc::new(Auth::new(token, store.clone(), state.clock.clone(), rates));
        let router = if config.server.api_enabled {
            crate::api::router(state, auth, config.server.max_body_bytes)
        } else {
            crate::api::health_only(state)
        };

        let worker = if config.worker.enabled {
            let settings = WorkerSettings {
                concurrency: config.worker.concurrency,
                batch_size: config.worker.batch_size,
                poll_interval: Duration::from_millis(config.worker.poll_interval_ms),
                lease,
                max_per_endpoint: config.worker.max_per_endpoint,
                max_per_application: config.worker.max_per_application,
            };
            // Leases this node held before it started belong to a dead
            // worker: take them back now rather than when they run out.
            let recovered = store.recover_leases().await.context("taking back this node's earlier leases")?;
            if recovered > 0 {
                tracing::info!(recovered, "deliveries leased before this start are due again");
            }
            let on_work = wake.clone();
            store.watch_for_work(Arc::new(move || on_work.notify_one()));
            Some(Worker { store: store.clone(), sender, settings, wake: wake.clone(), handed_over })
        } else {
            None
        };
        let mut background: Vec<(&'static str, Task)> = Vec::new();
        let recovery = config.worker.enabled.then(|| RecoveryRunner {
            store: store.clone(),
            clock: seams_clock.clone(),
            node: config.worker.node_name(config.server.listen),
            settings: RecoverySettings {
                batch: config.recovery.batch_size,
                pause: Duration::from_millis(config.recovery.pause_ms),
                poll: Duration::from_millis(config.recovery.poll_interval_ms),
                lease,
            },
            wake: wake.clone(),
        });
        if let Some(r) = recovery {
            background.push(("the recovery runner", Box::new(move |stop| Box::pin(r.run(stop)))));
        }
        if config.worker.enabled {
            let expirer = crate::retention::Expirer {
                store: store.clone(),
                clock: seams_clock.clone(),
                every: Duration::from_secs(1),
            };
            background.push(("the expirer (endpoints, tokens)", Box::new(move |stop| Box::pin(expirer.run(stop)))));
        }
        if config.worker.enabled && config.retention.payload_days > 0 {
            let cleaner = crate::retention::Cleaner {
                store: store.clone(),
                clock: seams_clock.clone(),
                keep: Duration::from_secs(config.retention.payload_days.saturating_mul(86_400)),
                batch: config.retention.batch_size,
                every: Duration::from_millis(config.retention.interval_ms),
            };
            background.push(("the retention cleaner", Box::new(move |stop| Box::pin(cleaner.run(stop)))));
        }
        if config.worker.enabled {
            if let Some(n) = notifier(&config, store.clone(), seams_clock.clone())? {
                background.push(("the notifier", Box::new(move |stop| Box::pin(n.run(stop)))));
            }
        }

        let mut metrics_port = None;
        if let Some(addr) = config.metrics.address()? {
            let l = match TcpListener::bind(addr).await {
                Ok(l) => l,
                // Another node on this host has the port (both on the
                // default): serve on a free one rather than not start.
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    let free = std::net::SocketAddr::new(addr.ip(), 0);
                    let l = TcpListener::bind(free).await.with_context(|| format!("binding {free} (metrics)"))?;
                    let at = l.local_addr()?;
                    tracing::warn!(%addr, %at, "metrics.listen is taken (another node on this host?); /metrics is served on a free port instead");
                    l
                }
                Err(e) => return Err(e).with_context(|| format!("binding {addr} (metrics.listen)")),
            };
            metrics_port = Some(l.local_addr()?.port());
            let app = crate::metrics::router(metrics, store.clone(), seams_clock.clone());
            background.push((
                "the metrics server",
                Box::new(move |mut stop| {
                    Box::pin(async move {
                        let served = axum::serve(l, app).with_graceful_shutdown(async move {
                            let _ = stop.wait_for(|s| *s).await;
                        });
                        if let Err(e) = served.await {
                            tracing::error!(error = %e, "the metrics server failed");
                        }
                    })
                }),
            ));
        }

        let listener = TcpListener::bind(config.server.listen)
            .await
            .with_context(|| format!("binding {} (server.listen)", config.server.listen))?;
        let port = listener.local_addr()?.port();
        Ok(Self { listener, port, metrics_port, router, worker, background, store, generated_token })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where `/metrics` is served, when it is.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The admin token generated on this start (first start without a
    /// configured token); shown once, never stored in plain text.
    pub fn generated_admin_token(&self) -> Option<&str> {
        self.generated_token.as_deref()
    }

    /// Serves until `shutdown` completes, then stops the API and the workers
    /// together. Returns which part failed, if one did.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut api_stop = stop_rx.clone();
        let mut api = tokio::spawn(async move {
            // Answers are small single writes: send them without Nagle's delay.
            let listener = self.listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(crate::rejections::JsonRejections(listener), self.router)
                .with_graceful_shutdown(async move {
                    let _ = api_stop.wait_for(|s| *s).await;
                })
                .await
        });
        let background: Vec<_> =
            self.background.into_iter().map(|(name, task)| (name, tokio::spawn(task(stop_rx.clone())))).collect();
        let worker = self.worker.map(|w| tokio::spawn(w.run(stop_rx)));
        tokio::select! {
            () = shutdown => {}
            res = &mut api => {
                let _ = stop_tx.send(true);
                res.context("the API task panicked")?.context("the API server failed")?;
                anyhow::bail!("the API server stopped unexpectedly");
            }
        }
        tracing::info!("shutting down: no new requests or claims; finishing what is in flight");
        let _ = stop_tx.send(true);
        if let Some(w) = worker {
            w.await.context("the delivery worker panicked")?;
        }
        for (name, task) in background {
            task.await.with_context(|| format!("{name} panicked"))?;
        }
        api.await.context("the API task panicked")?.context("the API server failed")?;
        Ok(())
    }
}
