//! The main key that seals secrets at rest: `security.main_key`, else (on
//! SQLite) a key file beside the database, generated on first start.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use herald_store::seal::{encode_key, parse_key, rand_key, Sealer};

use crate::config::{Config, DatabaseKind};

/// The sealer for this configuration, and the key file it created, if any.
pub fn sealer(config: &Config) -> anyhow::Result<(Sealer, Option<PathBuf>)> {
    let (main, previous) = config.security.keys()?;
    if let Some(main) = main {
        return Ok((Sealer::new(&main, &previous), None));
    }
    match config.database_kind() {
        Some(DatabaseKind::Sqlite) => match key_file(&config.database.url) {
            None => Ok((Sealer::ephemeral(), None)),
            Some(path) => {
                let (key, created) = load_or_create(&path)?;
                Ok((Sealer::new(&key, &previous), created.then_some(path)))
            }
        },
        _ => anyhow::bail!(
            "security.main_key (HERALD_SECURITY_MAIN_KEY) is required with PostgreSQL, the same on every node: \
             it seals endpoint secrets in the database; make one with `herald keygen`"
        ),
    }
}

/// A new main key, as `security.main_key` takes it.
pub fn generate() -> String {
    encode_key(&rand_key())
}

/// `sqlite://dir/herald.db` -> `dir/herald.db.key`; none in memory.
fn key_file(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    Some(PathBuf::from(format!("{path}.key")))
}

fn load_or_create(path: &Path) -> anyhow::Result<([u8; 32], bool)> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = parse_key(&text).map_err(|e| anyhow::anyhow!("the key file {}: {e}", path.display()))?;
            Ok((key, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = rand_key();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).with_context(|| format!("creating the key file {}", path.display()))?;
            file.write_all(format!("{}\n", encode_key(&key)).as_bytes())?;
            file.sync_all()?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::File::open(dir).and_then(|d| d.sync_all()).ok();
            }
            Ok((key, true))
        }
        Err(e) => Err(e).with_context(|| format!("reading the key file {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::key_file;

    #[test]
    fn the_key_file_sits_beside_the_database() {
        assert_eq!(key_file("sqlite://herald.db").unwrap().to_str(), Some("herald.db.key"));
        assert_eq!(key_file("sqlite:///var/lib/h.db?mode=rwc").unwrap().to_str(), Some("/var/lib/h.db.key"));
        assert!(key_file("sqlite::memory:").is_none());
    }
}
