//! Herald under test: `herald serve` as a child process on a fresh database,
//! so its memory and CPU are measured apart from the bench's own.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};
use herald_store_postgres::PgStore;
use serde_json::{json, Value};

pub const TOKEN: &str = "bench-token";

/// The `herald` executable the bench starts (`--herald-bin`; by default
/// this one), so one bench can measure another build side by side.
pub static HERALD_BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// The nodes' log level (`--node-log-level`).
pub static LOG_LEVEL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Where the nodes' logs are kept (`--node-log-dir`); by default in each
/// node's scratch directory, removed with it.
pub static LOG_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Numbers the nodes' kept logs.
static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub struct Node {
    child: Child,
    pub base: String,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Node {
    pub fn start(database_url: Option<&str>, extra_env: &[(String, String)]) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let db = match database_url {
            Some(url) => url.to_owned(),
            None => format!("sqlite://{}", dir.path().join("bench.db").display()),
        };
        let exe: PathBuf = match HERALD_BIN.get() {
            Some(bin) => bin.clone(),
            None => std::env::current_exe().context("finding the herald binary")?,
        };
        let mut cmd = Command::new(exe);
        cmd.arg("serve")
            .current_dir(dir.path())
            .env("HERALD_SERVER_LISTEN", "127.0.0.1:0")
            .env("HERALD_AUTH_ADMIN_TOKEN", TOKEN)
            // Receivers run on loopback, which deliveries may reach only
            // when it is opened.
            .env("HERALD_SECURITY_ALLOWED_CIDRS", "127.0.0.0/8,::1/128")
            .env("HERALD_METRICS_LISTEN", "127.0.0.1:0")
            // One main key for every node (PostgreSQL needs it set).
            .env("HERALD_SECURITY_MAIN_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
            .env("HERALD_DATABASE_URL", db)
            .stdout(Stdio::piped());
        match LOG_LEVEL.get().map(String::as_str) {
            None | Some("warn") => {
                cmd.env("HERALD_LOG_LEVEL", "warn").stderr(Stdio::inherit());
            }
            Some(level) => {
                let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let path = match LOG_DIR.get() {
                    Some(keep) => keep.join(format!("node-{n}.log")),
                    None => dir.path().join("herald.log"),
                };
                let log = std::fs::File::create(&path).context("creating the node's log")?;
                cmd.env("HERALD_LOG_LEVEL", level).stderr(log);
            }
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().context("starting herald serve")?;
        let stdout = child.stdout.take().context("herald's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("herald listening on ") {
                        break url.split_whitespace().next().unwrap_or_default().to_owned();
                    }
                }
                _ => bail!("herald serve exited before listening"),
            }
        };
        std::thread::spawn(move || for _ in lines {});
        let client = reqwest::Client::builder().pool_max_idle_per_host(1024).tcp_nodelay(true).build()?;
        Ok(Self { child, base, client, _dir: dir })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let resp = self.client.get(format!("{}{path}", self.base)).bearer_auth(TOKEN).send().await?;
        let status = resp.status();
        let v: Value = serde_json::from_slice(&resp.bytes().await?).unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("GET {path}: {status} {v}");
        }
        Ok(v)
    }

    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await?;
        let status = resp.status();
        let v: Value = serde_json::from_slice(&resp.bytes().await?).unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("POST {path}: {status} {v}");
        }
        Ok(v)
    }

    /// An application with `endpoints` endpoints at `url`; returns its id.
    pub async fn setup(&self, endpoints: usize, url: &str) -> anyhow::Result<String> {
        let app = self.post("/api/v1/apps", &json!({ "name": "bench" })).await?;
        let id = app["id"].as_str().context("app id")?.to_owned();
        for _ in 0..endpoints {
            self.post(&format!("/api/v1/apps/{id}/endpoints"), &json!({ "url": url })).await?;
        }
        Ok(id)
    }

    /// Peak resident memory (VmHWM) in bytes and CPU seconds used so far.
    pub fn usage(&self) -> (u64, f64) {
        let pid = self.pid();
        let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
            })
            .map_or(0, |kb| kb * 1024);
        let cpu = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                let after = s.rsplit(')').next()?.split_whitespace().collect::<Vec<_>>();
                // Fields 14 and 15 (utime, stime) are 12 and 13 after the name.
                let ticks: f64 = after.get(11)?.parse::<f64>().ok()? + after.get(12)?.parse::<f64>().ok()?;
                Some(ticks / 100.0)
            })
            .unwrap_or(0.0);
        (rss, cpu)
    }

    /// `kill -9`: no chance to finish or give anything back.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn stop(mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
            for _ in 0..100 {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The nodes under test and the database they share (a fresh PostgreSQL
/// database, dropped afterwards, or each node's own SQLite file).
pub struct Cluster {
    pub nodes: Vec<Node>,
    pg: Option<(String, String)>,
    db_url: Option<String>,
}

impl Cluster {
    pub async fn start(database_url: Option<&str>, nodes: usize) -> anyhow::Result<Self> {
        let (db_url, pg) = match database_url {
            Some(server) if server.starts_with("postgres") => {
                let name = format!("herald_bench_{}", ulid::Ulid::new().to_string().to_lowercase());
                let url = PgStore::create_database(server, &name).await.context("creating the bench database")?;
                (Some(url), Some((server.to_owned(), name)))
            }
            Some(other) => (Some(other.to_owned()), None),
            None => (None, None),
        };
        if nodes > 1 && pg.is_none() {
            bail!("--nodes above 1 needs a PostgreSQL --database-url");
        }
        let mut started = Vec::with_capacity(nodes);
        for _ in 0..nodes.max(1) {
            started.push(Node::start(db_url.as_deref(), &[])?);
        }
        Ok(Self { nodes: started, pg, db_url })
    }

    /// The database URL the nodes use (`None`: each node's own SQLite file).
    pub fn database_url(&self) -> Option<&str> {
        self.db_url.as_deref()
    }

    pub fn client(&self) -> reqwest::Client {
        self.nodes[0].client.clone()
    }

    /// An application with `endpoints` endpoints at `url`; returns the
    /// publish URL of every node.
    pub async fn setup(&self, endpoints: usize, url: &str) -> anyhow::Result<Vec<String>> {
        let app = self.nodes[0].setup(endpoints, url).await?;
        Ok(self.nodes.iter().map(|n| format!("{}/api/v1/apps/{app}/messages", n.base)).collect())
    }

    /// Peak RSS of the largest node (bytes) and CPU seconds of all nodes.
    pub fn usage(&self) -> (u64, f64) {
        self.nodes.iter().map(Node::usage).fold((0, 0.0), |(r, c), (nr, nc)| (r.max(nr), c + nc))
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        for n in self.nodes {
            n.stop().await;
        }
        if let Some((server, name)) = self.pg {
            PgStore::drop_database(&server, &name).await.context("dropping the bench database")?;
        }
        Ok(())
    }
}
