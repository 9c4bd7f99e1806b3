//! Names the commit the binary was built from, for `herald --version`:
//! `HERALD_COMMIT` is `git rev-parse --short HEAD`, with `-dirty` when the
//! work tree had uncommitted changes, or `unknown` outside a git checkout
//! (a source tarball) or without git. A packager building from a tarball
//! can set `HERALD_BUILD_COMMIT` to name the commit it came from.
//!
//! Rebuild cost: the script reruns only when HEAD moves (a commit, a
//! checkout), not on every edit, so `-dirty` tells the state of the tree when
//! HEAD last moved or the crate was first built. A release built from a clean
//! checkout (CI, the Debian package) is exact.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=HERALD_BUILD_COMMIT");
    let commit = match std::env::var("HERALD_BUILD_COMMIT") {
        Ok(given) if !given.trim().is_empty() => given.trim().to_owned(),
        _ => from_git().unwrap_or_else(|| "unknown".to_owned()),
    };
    println!("cargo:rustc-env=HERALD_COMMIT={commit}");
}

/// `git` run in this crate's directory; its trimmed standard output when it
/// succeeds.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}

fn from_git() -> Option<String> {
    // Inside a repository: rerun when its HEAD moves, even if the answer
    // below is "not Herald's" (this file not committed yet).
    watch_head();
    // Not a checkout of Herald (or no git): nothing to name. Asking whether
    // this very file is tracked also rules out a tarball unpacked inside
    // some other repository.
    git(&["ls-files", "--error-unmatch", "build.rs"])?;
    let short = git(&["rev-parse", "--short", "HEAD"]).filter(|s| !s.is_empty())?;
    // Tracked files changed (staged or not); untracked files don't count.
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty { format!("{short}-dirty") } else { short })
}

/// Reruns this script when HEAD moves: HEAD itself (a checkout), the branch
/// ref it points to (a commit), and packed-refs (where a branch's ref lives
/// once git packs it). Paths through `git rev-parse --git-path`, right in a
/// worktree too. Only files that exist: cargo reruns a script every build
/// when a watched file is missing.
fn watch_head() {
    let mut files = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        files.push(branch);
    }
    for file in files {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &file]) {
            if PathBuf::from(&path).is_file() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
}
