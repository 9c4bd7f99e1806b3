//! `TestApp`: the real application on port 0 with a fresh SQLite file and a
//! manual clock, driven over HTTP.

use std::sync::Arc;
use std::time::Duration;

use herald_core::{Clock, ManualClock};
use herald_server::config::StringOrList;
use herald_server::worker::connect::{Resolve, SystemResolver};
use herald_server::{Application, Config, Seams};
use herald_store::Store;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const TOKEN: &str = "test-admin-token";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    /// The store the current test runs on (set by `both_stores!`).
    pub static BACKEND: Backend;
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_server_url() -> String {
    std::env::var("HERALD_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether PostgreSQL tests can run. Without a server they are skipped,
/// unless HERALD_TEST_REQUIRE_POSTGRES=1 (as in CI), where that fails.
pub async fn postgres_available() -> bool {
    if server_reachable(&postgres_server_url()).await {
        return true;
    }
    if std::env::var("HERALD_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("PostgreSQL at {} is required (HERALD_TEST_REQUIRE_POSTGRES=1) but unreachable", postgres_server_url());
    }
    eprintln!("SKIPPED: PostgreSQL at {} is unreachable", postgres_server_url());
    false
}

/// Runs `test` on PostgreSQL, or skips it as [`postgres_available`] says.
pub async fn on_postgres(test: impl std::future::Future<Output = ()>) {
    if postgres_available().await {
        BACKEND.scope(Backend::Postgres, test).await;
    }
}

/// An API-only node (no worker to interfere) with an application and one
/// endpoint at `/hook`.
pub async fn api_only_with_one_endpoint() -> (TestApp, herald_testkit::TestReceiver, herald_core::AppId) {
    let app = TestApp::spawn_with(|c| c.worker.enabled = false).await;
    let rx = herald_testkit::TestReceiver::start().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    (app, rx, herald_core::AppId::parse(&app_id).unwrap())
}

/// A TCP connect to the server's port: enough to tell "no server here".
async fn server_reachable(url: &str) -> bool {
    let hostport = url.split('@').next_back().unwrap_or("").split('/').next().unwrap_or("");
    let addr = if hostport.contains(':') { hostport.to_owned() } else { format!("{hostport}:5432") };
    tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr)).await.is_ok_and(|r| r.is_ok())
}

/// Where a test's data lives: a temp dir (SQLite file) and, on PostgreSQL,
/// a database of its own, dropped when the last node using it goes away.
pub struct TestDb {
    pub url: String,
    _dir: TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    async fn create() -> Self {
        let dir = tempfile::tempdir().unwrap();
        match BACKEND.try_with(|b| *b).unwrap_or(Backend::Sqlite) {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("herald.db").display());
                Self { url, _dir: dir, pg_name: None }
            }
            Backend::Postgres => {
                let name = format!("herald_t_{}", ulid::Ulid::new().to_string().to_lowercase());
                let url = herald_store_postgres::PgStore::create_database(&postgres_server_url(), &name).await.unwrap();
                Self { url, _dir: dir, pg_name: Some(name) }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        let server = postgres_server_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let _ = rt.block_on(herald_store_postgres::PgStore::drop_database(&server, &name));
        })
        .join();
    }
}

pub struct TestApp {
    pub base: String,
    /// Where `/metrics` is served.
    pub metrics_port: Option<u16>,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    /// Runs on the system clock (`advance` does nothing then).
    real_time: bool,
    pub store: Arc<dyn Store>,
    pub db: Arc<TestDb>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

pub const TEST_MAIN_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// Settings for fast tests: port 0, quick polling, a 1 s delivery timeout.
pub fn test_config(db_url: &str) -> Config {
    let mut c = Config::defaults().unwrap();
    c.server.listen = "127.0.0.1:0".parse().unwrap();
    c.database.url = db_url.to_owned();
    c.auth.admin_token = TOKEN.to_owned();
    c.worker.poll_interval_ms = 10;
    c.worker.lease_ms = 5_000;
    c.delivery.timeout_ms = 1_000;
    c.metrics.listen = "127.0.0.1:0".to_owned();
    // The receivers run on loopback, which is refused unless opened.
    c.security.allowed_cidrs = StringOrList::One(herald_core::destination::LOOPBACK_CIDRS.to_owned());
    // PostgreSQL needs a main key (SQLite would make a key file beside the database).
    if db_url.starts_with("postgres") {
        c.security.main_key = TEST_MAIN_KEY.to_owned();
    }
    c
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let db = Arc::new(TestDb::create().await);
        Self::spawn_on(db, ManualClock::starting_now(), false, Arc::new(SystemResolver), tweak).await
    }

    /// On the system clock, for what must be measured in real time (rates).
    pub async fn spawn_real_time(tweak: impl FnOnce(&mut Config)) -> Self {
        let db = Arc::new(TestDb::create().await);
        Self::spawn_on(db, ManualClock::starting_now(), true, Arc::new(SystemResolver), tweak).await
    }

    /// With host names resolved by `resolver` instead of the system's.
    pub async fn spawn_resolving(resolver: Arc<dyn Resolve>, tweak: impl FnOnce(&mut Config)) -> Self {
        let db = Arc::new(TestDb::create().await);
        Self::spawn_on(db, ManualClock::starting_now(), false, resolver, tweak).await
    }

    /// A node on an existing test database (a restart).
    pub async fn spawn_on_db(db: Arc<TestDb>, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_on(db, ManualClock::starting_now(), false, Arc::new(SystemResolver), tweak).await
    }

    /// Another node on the same database and clock (for lease tests).
    pub async fn spawn_sibling(&self, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_on(self.db.clone(), self.clock.clone(), self.real_time, Arc::new(SystemResolver), tweak).await
    }

    async fn spawn_on(
        db: Arc<TestDb>,
        clock: ManualClock,
        real_time: bool,
        resolver: Arc<dyn Resolve>,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = test_config(&db.url);
        tweak(&mut config);
        let seams_clock: Arc<dyn herald_core::Clock> =
            if real_time { Arc::new(herald_core::SystemClock) } else { Arc::new(clock.clone()) };
        let seams = Seams { clock: seams_clock, resolver };
        let app = Application::build_with(config, seams).await.unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        let metrics_port = app.metrics_port();
        let store = app.store();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            metrics_port,
            client: reqwest::Client::new(),
            clock,
            real_time,
            store,
            db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops gracefully and waits for in-flight work to settle.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap().unwrap();
        }
    }

    /// A message of type `a.b` to publish through the store directly.
    pub fn new_message(&self) -> herald_store::NewMessage {
        let now = self.clock.now();
        herald_store::NewMessage {
            id: herald_core::MessageId::generate(now.as_millis()),
            event_id: None,
            event_type: herald_core::event_type::EventTypeName::parse("a.b").unwrap(),
            payload: "{}".into(),
            timestamp: now,
            only_endpoint: None,
            ordering_key: None,
        }
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now().as_millis()
    }

    pub async fn request(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        (status, value)
    }

    /// As `request`, with another bearer token; also returns the headers.
    pub async fn request_as(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        let text = resp.text().await.unwrap();
        // Not every answer is one JSON document (the NDJSON export): keep it as text.
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, headers, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.request(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.request(reqwest::Method::DELETE, path, None).await
    }

    /// Creates an application and returns its id.
    pub async fn create_app(&self) -> String {
        let (status, body) = self.post("/api/v1/apps", json!({ "name": "Test app" })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Creates an endpoint from `body` and returns it.
    pub async fn create_endpoint(&self, app: &str, body: Value) -> Value {
        let (status, ep) = self.post(&format!("/api/v1/apps/{app}/endpoints"), body).await;
        assert_eq!(status, StatusCode::CREATED, "{ep}");
        ep
    }

    /// Publishes and returns the message id.
    pub async fn publish(&self, app: &str, event_type: &str, payload: Value) -> String {
        let (status, msg) = self
            .post(&format!("/api/v1/apps/{app}/messages"), json!({ "event_type": event_type, "payload": payload }))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{msg}");
        msg["id"].as_str().unwrap().to_owned()
    }

    pub async fn message(&self, app: &str, msg: &str) -> Value {
        let (status, m) = self.get(&format!("/api/v1/apps/{app}/messages/{msg}")).await;
        assert_eq!(status, StatusCode::OK, "{m}");
        m
    }

    pub async fn attempts(&self, app: &str, msg: &str) -> Vec<Value> {
        let (status, a) = self.get(&format!("/api/v1/apps/{app}/messages/{msg}/attempts")).await;
        assert_eq!(status, StatusCode::OK, "{a}");
        a["data"].as_array().unwrap().clone()
    }

    /// Polls (bounded) until the message's first delivery satisfies `cond`,
    /// and returns that delivery.
    pub async fn wait_delivery(&self, app: &str, msg: &str, cond: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..500 {
            let m = self.message(app, msg).await;
            last = m["deliveries"][0].clone();
            if cond(&last) {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("delivery never reached the expected state; last seen: {last}");
    }

    /// Waits until the delivery has made `n` attempts and is no longer in flight.
    pub async fn wait_attempts(&self, app: &str, msg: &str, n: u64) -> Value {
        self.wait_delivery(app, msg, |d| d["attempts"].as_u64() == Some(n)).await
    }
}

/// This process's resident memory, in KiB.
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

pub fn status_is(d: &Value, s: &str) -> bool {
    d["status"].as_str() == Some(s)
}

/// A directory holding the Python package `spec` (`name==version`, from
/// PyPI), installed once per machine under `target/pydeps` (to a temporary
/// directory first, so concurrent test processes never see half of it).
pub fn python_library(spec: &str) -> std::path::PathBuf {
    use std::process::Command;
    let target = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/pydeps");
    let dir = target.join(spec.replace("==", "-"));
    if !dir.join(".complete").is_file() {
        std::fs::create_dir_all(&target).unwrap();
        let tmp = target.join(format!("tmp-{}-{}", std::process::id(), ulid::Ulid::new()));
        let ok = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target"])
            .arg(&tmp)
            .arg(spec)
            .status()
            .expect("python3 runs");
        assert!(ok.success(), "pip could not install {spec}");
        std::fs::write(tmp.join(".complete"), b"").unwrap();
        // Another process may have won the race: either copy will do.
        let _ = std::fs::rename(&tmp, &dir);
        let _ = std::fs::remove_dir_all(&tmp);
    }
    dir
}
