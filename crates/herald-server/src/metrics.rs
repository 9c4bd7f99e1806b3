//! Prometheus metrics: counters and histograms updated where the work
//! happens (a lock-free add or a short read lock on a label map), the
//! queue's depth and the SQLite log's size read from the store when
//! scraped. Served in the text format on `metrics.listen`, apart from the
//! API.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use herald_store::Store;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
    status_class: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Op {
    op: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct State {
    state: &'static str,
}

fn seconds() -> Histogram {
    // 1 ms to ~65 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

pub struct Metrics {
    registry: Registry,
    deliveries: Family<Outcome, Counter>,
    attempt_seconds: Histogram,
    slots_busy: Gauge,
    requests: Family<Request, Counter>,
    request_seconds: Family<Route, Histogram, fn() -> Histogram>,
    store_seconds: Family<Op, Histogram, fn() -> Histogram>,
    queue: Family<State, Gauge>,
    wal_bytes: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("herald");
        let deliveries = Family::<Outcome, Counter>::default();
        registry.register(
            "deliveries",
            "Delivery outcomes: delivered, retrying, failed or released (given back unsent), by HTTP status class",
            deliveries.clone(),
        );
        let attempt_seconds = seconds();
        registry.register("attempt_duration_seconds", "Time of one HTTP attempt", attempt_seconds.clone());
        let slots_busy = Gauge::default();
        registry.register("send_slots_busy", "Requests in flight on this node", slots_busy.clone());
        let requests = Family::<Request, Counter>::default();
        registry.register("api_requests", "API requests by method, route template and status", requests.clone());
        let request_seconds = Family::<Route, Histogram, fn() -> Histogram>::new_with_constructor(seconds);
        registry.register(
            "api_request_duration_seconds",
            "API request latency by route template",
            request_seconds.clone(),
        );
        let store_seconds = Family::<Op, Histogram, fn() -> Histogram>::new_with_constructor(seconds);
        registry.register(
            "store_operation_duration_seconds",
            "Latency of the store's hot operations",
            store_seconds.clone(),
        );
        let queue = Family::<State, Gauge>::default();
        registry.register("queue_deliveries", "Deliveries in the queue by state (when scraped)", queue.clone());
        let wal_bytes = Gauge::default();
        registry.register("sqlite_wal_bytes", "Size of SQLite's write-ahead log (when scraped)", wal_bytes.clone());
        Self {
            registry,
            deliveries,
            attempt_seconds,
            slots_busy,
            requests,
            request_seconds,
            store_seconds,
            queue,
            wal_bytes,
        }
    }

    /// One delivery's outcome, with the attempt's status code and time when
    /// one was made.
    pub fn delivery(&self, outcome: &'static str, status: Option<u16>, took: Option<Duration>) {
        let status_class = match status {
            None => "none",
            Some(200..=299) => "2xx",
            Some(300..=399) => "3xx",
            Some(400..=499) => "4xx",
            Some(_) => "5xx",
        };
        self.deliveries.get_or_create(&Outcome { outcome, status_class }).inc();
        if let Some(t) = took {
            self.attempt_seconds.observe(t.as_secs_f64());
        }
    }

    /// A send slot taken (`1`) or freed (`-1`).
    pub fn slot(&self, delta: i64) {
        self.slots_busy.inc_by(delta);
    }

    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let r = Request { method: method.to_owned(), route: route.to_owned(), status };
        self.requests.get_or_create(&r).inc();
        self.request_seconds.get_or_create(&Route { route: route.to_owned() }).observe(took.as_secs_f64());
    }

    pub fn store_op(&self, op: &'static str, took: Duration) {
        self.store_seconds.get_or_create(&Op { op }).observe(took.as_secs_f64());
    }

    /// The text exposition, with the queue and the log read now.
    pub async fn render(&self, store: &dyn Store, now: herald_core::Timestamp) -> String {
        match store.queue_depth(now).await {
            Ok(depth) => {
                for (state, n) in depth {
                    self.queue.get_or_create(&State { state }).set(i64::try_from(n).unwrap_or(i64::MAX));
                }
            }
            Err(e) => tracing::warn!(error = %e, "metrics: could not read the queue's depth"),
        }
        if let Some(bytes) = store.wal_bytes() {
            self.wal_bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
        }
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "metrics: encoding failed");
        }
        out
    }
}

/// The `/metrics` router.
pub fn router(metrics: Arc<Metrics>, store: Arc<dyn Store>, clock: Arc<dyn herald_core::Clock>) -> axum::Router {
    use axum::http::header::CONTENT_TYPE;
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (metrics, store, clock) = (metrics.clone(), store.clone(), clock.clone());
            async move {
                let body = metrics.render(store.as_ref(), clock.now()).await;
                ([(CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body)
            }
        }),
    )
}
