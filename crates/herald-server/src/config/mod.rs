//! Layered configuration: embedded defaults, an optional file, `HERALD_*`
//! environment variables; validated before anything starts.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use herald_core::destination::{parse_cidrs, DestinationPolicy, LOOPBACK_CIDRS};
use herald_core::retry::RetryPolicy;
use herald_store::seal::parse_key;
use serde::Deserialize;

mod lists;

pub const DEFAULTS: &str = include_str!("../../../../config/default.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub worker: WorkerConfig,
    pub delivery: DeliveryConfig,
    pub security: SecurityConfig,
    pub limits: LimitsConfig,
    pub recovery: RecoveryConfig,
    pub health: HealthConfig,
    pub notify: NotifyConfig,
    pub metrics: MetricsConfig,
    pub retention: RetentionConfig,
    pub portal: PortalConfig,
    pub log: LogConfig,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Payloads and response bodies older than this are removed; 0: kept.
    pub payload_days: u64,
    pub batch_size: u32,
    pub interval_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalConfig {
    /// Whether `/portal` and the portal-link route are served.
    pub enabled: bool,
    /// The browsers' address of this service; empty: the request's Host.
    pub public_url: String,
    /// The CSP `frame-ancestors` sources.
    #[serde(deserialize_with = "lists::words")]
    pub frame_ancestors: String,
    pub link_ttl_secs: u64,
}

impl PortalConfig {
    /// How long a link may be asked to last: a minute to a week.
    pub const LINK_TTL_SECS: std::ops::RangeInclusive<u64> = 60..=604_800;

    fn check(&self) -> Result<(), ConfigError> {
        let url = self.public_url.trim();
        if !url.is_empty() {
            let parsed =
                url::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if parsed.is_none_or(|u| u.query().is_some() || u.fragment().is_some()) {
                return Err(ConfigError(format!(
                    "portal.public_url: `{url}` is not a base URL such as https://webhooks.example.com"
                )));
            }
        }
        if self.frame_ancestors.trim().is_empty()
            || self.frame_ancestors.chars().any(|c| matches!(c, ';' | ',' | '\r' | '\n') || c.is_control())
        {
            return Err(ConfigError(
                "portal.frame_ancestors: give CSP sources separated by spaces, e.g. \"'self' https://app.example.com\""
                    .into(),
            ));
        }
        let ttl = Self::LINK_TTL_SECS;
        if !ttl.contains(&self.link_ttl_secs) {
            return Err(ConfigError(format!(
                "portal.link_ttl_secs: must be between {} and {}",
                ttl.start(),
                ttl.end()
            )));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Where `/metrics` is served; empty: not at all.
    pub listen: String,
}

impl MetricsConfig {
    pub fn address(&self) -> Result<Option<SocketAddr>, ConfigError> {
        let l = self.listen.trim();
        if l.is_empty() {
            return Ok(None);
        }
        l.parse()
            .map(Some)
            .map_err(|_| ConfigError(format!("metrics.listen: `{l}` is not an address such as 127.0.0.1:9464")))
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthConfig {
    pub auto_disable_after_secs: u64,
    pub auto_disable_min_failures: u64,
    pub auto_disable_notice_secs: u64,
}

impl HealthConfig {
    pub fn rule(&self) -> herald_core::health::AutoDisable {
        herald_core::health::AutoDisable {
            after_secs: self.auto_disable_after_secs,
            min_failures: self.auto_disable_min_failures,
            notice_secs: Some(self.auto_disable_notice_secs),
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    pub webhook_url: String,
    pub webhook_secret: String,
    pub smtp_url: String,
    pub email_from: String,
    #[serde(deserialize_with = "lists::numbers")]
    pub retry_schedule_secs: Vec<u64>,
    pub poll_interval_ms: u64,
}

impl NotifyConfig {
    pub fn channels(&self) -> herald_store::NotifyChannels {
        herald_store::NotifyChannels {
            webhook: !self.webhook_url.trim().is_empty(),
            email: !self.smtp_url.trim().is_empty(),
        }
    }
}

impl std::fmt::Debug for NotifyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyConfig")
            .field("webhook_url", &self.webhook_url)
            .field("webhook_secret", &if self.webhook_secret.is_empty() { "" } else { "(redacted)" })
            .field("smtp_url", &redact_url(&self.smtp_url))
            .field("email_from", &self.email_from)
            .field("retry_schedule_secs", &self.retry_schedule_secs)
            .field("poll_interval_ms", &self.poll_interval_ms)
            .finish()
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryConfig {
    pub batch_size: u32,
    pub pause_ms: u64,
    pub poll_interval_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    pub endpoints_per_app: u64,
    pub batch_events: usize,
    pub app_token_requests_per_second: u32,
    pub admin_token_requests_per_second: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub api_enabled: bool,
    pub max_body_bytes: usize,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    pub migrate_on_start: bool,
    pub read_connections: u32,
    pub fsync_every_commit: bool,
    pub checkpoint_interval_ms: u64,
    pub wal_limit_bytes: u64,
    pub wal_restart_interval_ms: u64,
    pub unavailable_after_ms: u64,
}

impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("migrate_on_start", &self.migrate_on_start)
            .field("read_connections", &self.read_connections)
            .field("fsync_every_commit", &self.fsync_every_commit)
            .field("checkpoint_interval_ms", &self.checkpoint_interval_ms)
            .field("wal_limit_bytes", &self.wal_limit_bytes)
            .field("wal_restart_interval_ms", &self.wal_restart_interval_ms)
            .field("unavailable_after_ms", &self.unavailable_after_ms)
            .finish()
    }
}

/// `postgres://user:secret@host/db` -> `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s && url[s + 3..at].contains(':') => {
            let user = url[s + 3..at].split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub admin_token: String,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = if self.admin_token.is_empty() { "(generated)" } else { "(redacted)" };
        f.debug_struct("AuthConfig").field("admin_token", &shown).finish()
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    pub enabled: bool,
    pub concurrency: usize,
    pub batch_size: u32,
    pub poll_interval_ms: u64,
    pub lease_ms: u64,
    pub max_per_endpoint: usize,
    pub max_per_application: usize,
    pub node_id: String,
}

impl WorkerConfig {
    /// The name this node's leases are taken under: `node_id`, or else the
    /// host name and the listening port (stable across restarts), or, on an
    /// ephemeral port (0), a fresh random name.
    pub fn node_name(&self, listen: SocketAddr) -> String {
        if !self.node_id.trim().is_empty() {
            return self.node_id.trim().to_owned();
        }
        if listen.port() == 0 {
            return format!("node-{:016x}", rand::random::<u64>());
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "herald".to_owned());
        format!("{host}:{}", listen.port())
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    pub timeout_ms: u64,
    #[serde(deserialize_with = "lists::numbers")]
    pub retry_schedule_secs: Vec<u64>,
    pub retry_jitter: f64,
    pub max_retry_after_secs: u64,
    pub response_body_limit_bytes: usize,
    /// `http://…` (CONNECT) or `socks5://…`: every delivery leaves through
    /// it. Empty: direct.
    pub proxy_url: String,
}

impl DeliveryConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The egress proxy, if one is set.
    pub fn proxy(&self) -> Result<Option<crate::worker::egress::EgressProxy>, ConfigError> {
        let url = self.proxy_url.trim();
        if url.is_empty() {
            return Ok(None);
        }
        crate::worker::egress::EgressProxy::parse(url)
            .map(Some)
            .map_err(|e| ConfigError(format!("delivery.proxy_url: {e}")))
    }

    pub fn retry_policy(&self) -> Result<RetryPolicy, ConfigError> {
        RetryPolicy::new(self.retry_schedule_secs.iter().map(|s| Duration::from_secs(*s)).collect(), self.retry_jitter)
            .map_err(|e| ConfigError(format!("delivery.retry_schedule_secs / delivery.retry_jitter: {e}")))
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// Ranges deliveries may reach although they are not global: a list, or
    /// one comma-separated string (as the environment gives it).
    pub allowed_cidrs: StringOrList,
    pub require_https: bool,
    /// Base64 of 32 bytes: seals secrets at rest. Empty: a key file beside
    /// the SQLite database (generated on first start).
    pub main_key: String,
    /// Keys sealed values may still be under, during a rotation.
    pub previous_main_keys: StringOrList,
}

impl std::fmt::Debug for SecurityConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = if self.main_key.is_empty() { "(key file)" } else { "(redacted)" };
        f.debug_struct("SecurityConfig")
            .field("allowed_cidrs", &self.allowed_cidrs)
            .field("require_https", &self.require_https)
            .field("main_key", &shown)
            .field("previous_main_keys", &format!("({} redacted)", self.previous_keys().len()))
            .finish()
    }
}

/// 32 bytes that seal secrets at rest.
pub type MainKey = [u8; 32];

/// `"a,b"` or `["a", "b"]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    One(String),
    List(Vec<String>),
}

impl SecurityConfig {
    pub fn destination_policy(&self) -> Result<DestinationPolicy, ConfigError> {
        let joined = match &self.allowed_cidrs {
            StringOrList::One(s) => s.clone(),
            StringOrList::List(v) => v.join(","),
        };
        let nets = parse_cidrs(&joined).map_err(|e| ConfigError(format!("security.allowed_cidrs: {e}")))?;
        Ok(DestinationPolicy::new(nets, self.require_https))
    }

    fn previous_keys(&self) -> Vec<String> {
        match &self.previous_main_keys {
            StringOrList::One(s) => s.split(',').map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned).collect(),
            StringOrList::List(v) => v.clone(),
        }
    }

    /// The configured main key and the previous ones, decoded; `None` for
    /// the main key when it is not set.
    pub fn keys(&self) -> Result<(Option<MainKey>, Vec<MainKey>), ConfigError> {
        let main = (!self.main_key.trim().is_empty())
            .then(|| parse_key(&self.main_key))
            .transpose()
            .map_err(|e| ConfigError(format!("security.main_key: {e}")))?;
        let previous = self
            .previous_keys()
            .iter()
            .map(|k| parse_key(k).map_err(|e| ConfigError(format!("security.previous_main_keys: {e}"))))
            .collect::<Result<_, _>>()?;
        Ok((main, previous))
    }

    /// `serve --dev`: loopback opened on top of the configured ranges.
    pub fn open_loopback(&mut self) {
        let mut list = match &self.allowed_cidrs {
            StringOrList::One(s) => vec![s.clone()],
            StringOrList::List(v) => v.clone(),
        };
        list.push(LOOPBACK_CIDRS.to_owned());
        self.allowed_cidrs = StringOrList::List(list);
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub level: String,
    pub format: LogFormat,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Defaults, then `file` (which must exist when given), then `HERALD_*`.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with_env(file, Env::prefixed("HERALD_"))
    }

    /// The embedded defaults alone (no file, no environment), for tests.
    pub fn defaults() -> Result<Self, ConfigError> {
        Self::extract(Figment::from(Toml::string(DEFAULTS)))
    }

    fn load_with_env(file: Option<&Path>, env: Env) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError(format!("config file {} not found", path.display())));
            }
            figment = figment.merge(Toml::file(path));
        }
        // HERALD_DATABASE_URL -> database.url: the first `_` splits section
        // from key (section names have no underscore).
        figment = figment.merge(env.map(|k| k.as_str().replacen('_', ".", 1).into()));
        Self::extract(figment)
    }

    fn extract(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(|e| {
            // Keys read `default.worker.x` (figment's profile); show `worker.x`.
            let errors: Vec<String> = e.into_iter().map(|e| e.to_string().replace("\"default.", "\"")).collect();
            ConfigError(errors.join("; "))
        })?;
        config.validate()?;
        Ok(config)
    }

    pub fn database_kind(&self) -> Option<DatabaseKind> {
        let url = self.database.url.as_str();
        if url.starts_with("sqlite:") {
            Some(DatabaseKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(DatabaseKind::Postgres)
        } else {
            None
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |key: &str, why: &str| Err(ConfigError(format!("{key}: {why}")));
        self.delivery.proxy()?;
        if self.server.max_body_bytes < 1024 {
            return fail("server.max_body_bytes", "must be at least 1024");
        }
        if self.database_kind().is_none() {
            return fail("database.url", "must start with sqlite:, postgres:// or postgresql://");
        }
        if self.database.max_connections < 2 {
            return fail("database.max_connections", "must be at least 2");
        }
        if self.database.checkpoint_interval_ms == 0 {
            return fail("database.checkpoint_interval_ms", "must be at least 1");
        }
        if !(1..=100_000).contains(&self.worker.concurrency) {
            return fail("worker.concurrency", "must be between 1 and 100000");
        }
        if self.worker.batch_size == 0 {
            return fail("worker.batch_size", "must be at least 1");
        }
        if let Err(e) = self.health.rule().check() {
            return fail("health", &e.to_string());
        }
        let n = &self.notify;
        if !n.webhook_url.trim().is_empty() {
            if herald_core::endpoint::EndpointUrl::parse(n.webhook_url.trim()).is_err() {
                return fail("notify.webhook_url", "must be an http:// or https:// URL");
            }
            if herald_core::endpoint::EndpointSecret::parse(n.webhook_secret.trim()).is_err() {
                return fail(
                    "notify.webhook_secret",
                    "must be a signing secret (whsec_ and base64), e.g. whsec_$(openssl rand -base64 32)",
                );
            }
        }
        if !n.smtp_url.trim().is_empty() && n.email_from.parse::<lettre::message::Mailbox>().is_err() {
            return fail("notify.email_from", "must be an address such as Herald <herald@example.com>");
        }
        self.metrics.address()?;
        self.portal.check()?;
        if self.retention.batch_size == 0 || self.retention.interval_ms == 0 {
            return fail("retention", "batch_size and interval_ms must be at least 1");
        }
        if n.poll_interval_ms == 0 {
            return fail("notify.poll_interval_ms", "must be at least 1");
        }
        if self.worker.poll_interval_ms == 0 {
            return fail("worker.poll_interval_ms", "must be at least 1");
        }
        if self.delivery.timeout_ms == 0 {
            return fail("delivery.timeout_ms", "must be at least 1");
        }
        if self.worker.lease_ms < 1000 {
            return fail("worker.lease_ms", "must be at least 1000 (leases are renewed every third of it)");
        }
        if self.worker.max_per_endpoint == 0 {
            return fail("worker.max_per_endpoint", "must be at least 1");
        }
        if self.worker.max_per_application == 0 {
            return fail("worker.max_per_application", "must be at least 1");
        }
        if self.database.wal_limit_bytes != 0 && self.database.wal_limit_bytes < 65_536 {
            return fail("database.wal_limit_bytes", "must be 0 (no bound) or at least 65536");
        }
        if self.database.unavailable_after_ms == 0 {
            return fail("database.unavailable_after_ms", "must be at least 1");
        }
        self.delivery.retry_policy()?;
        self.security.destination_policy()?;
        self.security.keys()?;
        if self.recovery.batch_size == 0 || self.recovery.poll_interval_ms == 0 {
            return fail("recovery.batch_size / recovery.poll_interval_ms", "must be at least 1");
        }
        if self.limits.endpoints_per_app == 0 {
            return fail("limits.endpoints_per_app", "must be at least 1");
        }
        if !(1..=1_000).contains(&self.limits.batch_events) {
            return fail("limits.batch_events", "must be between 1 and 1000");
        }
        if self.log.level.trim().is_empty() {
            return fail("log.level", "must not be empty");
        }
        Ok(())
    }
}

/// Reads a delivery profile from a TOML (or, by extension, JSON) file.
pub fn load_profile_file(path: &Path) -> Result<herald_core::profile::Profile, ConfigError> {
    if !path.is_file() {
        return Err(ConfigError(format!("profile file {} not found", path.display())));
    }
    let figment = if path.extension().is_some_and(|e| e == "json") {
        Figment::from(figment::providers::Json::file(path))
    } else {
        Figment::from(Toml::file(path))
    };
    let profile: herald_core::profile::Profile =
        figment.extract().map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    profile.check().map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(toml: &str) -> Result<Config, ConfigError> {
        Config::extract(Figment::from(Toml::string(DEFAULTS)).merge(Toml::string(toml)))
    }

    #[test]
    fn defaults_are_valid() {
        let c = Config::defaults().unwrap();
        assert_eq!(c.database.url, "sqlite://herald.db");
        assert_eq!(c.delivery.retry_policy().unwrap().max_attempts(), 8);
    }

    #[test]
    fn portal_settings_are_checked() {
        for (toml, key) in [
            ("public_url = \"webhooks.example.com\"", "portal.public_url"),
            ("public_url = \"ftp://example.com\"", "portal.public_url"),
            ("public_url = \"https://example.com/?x=1\"", "portal.public_url"),
            ("frame_ancestors = \"'self'; script-src *\"", "portal.frame_ancestors"),
            ("frame_ancestors = \" \"", "portal.frame_ancestors"),
            ("link_ttl_secs = 59", "portal.link_ttl_secs"),
            ("link_ttl_secs = 604801", "portal.link_ttl_secs"),
        ] {
            let err = with(&format!("[portal]\n{toml}")).unwrap_err().to_string();
            assert!(err.contains(key), "{toml}: {err}");
        }
        let ok = with("[portal]\npublic_url = \"https://hooks.example.com/herald/\"\nframe_ancestors = \"'self' https://app.example.com\"");
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let err = with("[worker]\nconcurrency = 0").unwrap_err().to_string();
        assert!(err.contains("worker.concurrency"), "{err}");
        let err = with("[server]\nlisten = \"nowhere\"").unwrap_err().to_string();
        assert!(err.contains("listen"), "{err}");
        let err = with("[worker]\nconcurency = 8").unwrap_err().to_string();
        assert!(err.contains("\"worker.concurency\""), "{err}");
        let err = with("[worker]\nlease_ms = 10").unwrap_err().to_string();
        assert!(err.contains("worker.lease_ms"), "{err}");
        let err = with("[database]\nwal_limit_bytes = 100").unwrap_err().to_string();
        assert!(err.contains("database.wal_limit_bytes"), "{err}");
        assert!(with("[database]\nwal_limit_bytes = 0").is_ok(), "0 turns the bound off");
        let defaults = with("").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(defaults.database.wal_limit_bytes, 16 * 1024 * 1024, "the write-ahead log is bounded by default");
        let err = with("[security]\nallowed_cidrs = \"10.0.0.0/33\"").unwrap_err().to_string();
        assert!(err.contains("security.allowed_cidrs"), "{err}");
        let err = with("[worker]\nmax_per_endpoint = 0").unwrap_err().to_string();
        assert!(err.contains("worker.max_per_endpoint"), "{err}");
    }

    #[test]
    fn allowed_ranges_come_as_a_list_or_a_string() {
        let listed = with("[security]\nallowed_cidrs = [\"127.0.0.0/8\", \"::1\"]").unwrap();
        assert_eq!(listed.security.destination_policy().unwrap().allowed().len(), 2);
        let joined = with("[security]\nallowed_cidrs = \"127.0.0.0/8,::1/128\"").unwrap();
        assert_eq!(joined.security.destination_policy().unwrap().allowed().len(), 2);
        let mut none = Config::defaults().unwrap();
        assert!(none.security.destination_policy().unwrap().allowed().is_empty(), "nothing opened by default");
        none.security.open_loopback();
        assert_eq!(none.security.destination_policy().unwrap().allowed().len(), 2);
    }

    #[test]
    fn keys_are_checked_and_never_shown() {
        let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let c = with(&format!("[security]\nmain_key = \"{key}\"\nprevious_main_keys = \"{key}\"")).unwrap();
        assert_eq!(c.security.keys().unwrap().1.len(), 1);
        let shown = format!("{c:?}");
        assert!(!shown.contains(key) && shown.contains("main_key: \"(redacted)\""), "{shown}");
        let err = with("[security]\nmain_key = \"c2hvcnQ=\"").unwrap_err().to_string();
        assert!(err.contains("security.main_key") && err.contains("32 bytes"), "{err}");
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("postgres://me:pw@db/x"), "postgres://me:***@db/x");
        assert_eq!(redact_url("sqlite://herald.db"), "sqlite://herald.db");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
    }
}
