//! Where the CLI talks to and with which token: flags (`--server`,
//! `--token`), then the environment (`HERALD_URL`, `HERALD_TOKEN`), then a
//! profile in the user's config file (`$XDG_CONFIG_HOME/herald/cli.toml`,
//! else `~/.config/herald/cli.toml`):
//!
//! ```toml
//! [default]
//! server = "http://127.0.0.1:8080"
//! token = "hrld_..."
//!
//! [staging]
//! server = "https://herald.staging.example"
//! token = "hrld_..."
//! ```
//!
//! The server's flag is `--server`, never `--url`: `--url` is a resource's
//! field (an endpoint's URL), and a token must never go to a webhook URL.

use std::path::PathBuf;

use serde::Deserialize;

use crate::error::CliError;

#[derive(clap::Args, Clone, Debug, Default)]
#[command(next_help_heading = "Connection")]
pub struct ConnArgs {
    /// The Herald server to talk to, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "HERALD_URL", global = true, value_name = "URL")]
    pub server: Option<String>,
    /// An API token (admin, or an application's for its own resources).
    #[arg(long, env = "HERALD_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// The profile of the config file to use (default: `default`).
    #[arg(long, env = "HERALD_PROFILE", global = true)]
    pub profile: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Profile {
    /// `url` is this key's older name.
    #[serde(alias = "url")]
    server: Option<String>,
    token: Option<String>,
}

/// The resolved connection.
pub struct Conn {
    pub url: String,
    pub token: String,
}

/// The config file's path.
pub fn config_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("herald").join("cli.toml"))
}

impl ConnArgs {
    pub fn resolve(&self) -> Result<Conn, CliError> {
        let name = self.profile.clone().unwrap_or_else(|| "default".to_owned());
        let profile = match config_file().filter(|p| p.is_file()) {
            Some(path) => {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
                let mut all: std::collections::BTreeMap<String, Profile> =
                    toml::from_str(&text).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
                match all.remove(&name) {
                    Some(p) => p,
                    None if self.profile.is_some() => {
                        return Err(CliError::Usage(format!("no profile `{name}` in {}", path.display())))
                    }
                    None => Profile::default(),
                }
            }
            None if self.profile.is_some() => {
                return Err(CliError::Usage(format!("--profile {name}: there is no config file")));
            }
            None => Profile::default(),
        };
        let file = config_file().map_or_else(|| "~/.config/herald/cli.toml".to_owned(), |p| p.display().to_string());
        let url = self.server.clone().or(profile.server).ok_or_else(|| {
            CliError::Usage(format!(
                "no server: give --server http://127.0.0.1:8080, set HERALD_URL, or add `server = \"...\"` under \
                 [default] in {file}"
            ))
        })?;
        let scheme_less = !url.contains("://");
        let parsed = reqwest::Url::parse(&url).ok().filter(|u| matches!(u.scheme(), "http" | "https") && !scheme_less);
        let Some(parsed) = parsed else {
            let hint = if scheme_less { format!("; did you mean http://{url}") } else { String::new() };
            return Err(CliError::Usage(format!(
                "--server {url}: give the server's address with http:// or https://{hint}"
            )));
        };
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(CliError::Usage(format!("--server {url}: give the server's http(s) address only")));
        }
        let token = self.token.clone().or(profile.token).filter(|t| !t.is_empty()).ok_or_else(|| {
            CliError::Usage(format!(
                "no token: give --token, set HERALD_TOKEN, or add `token = \"...\"` under [default] in {file} \
                 (`herald serve` printed an admin token on its first start)"
            ))
        })?;
        Ok(Conn { url: url.trim_end_matches('/').to_owned(), token })
    }
}
