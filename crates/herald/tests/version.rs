//! `herald --version` names the version and the commit the binary was built
//! from (crates/herald/build.rs): `herald 0.1.0 (26bb11d)`, `-dirty` after
//! the hash when the tree had uncommitted changes, `unknown` outside a git
//! checkout.

#![allow(clippy::unwrap_used)]

use std::process::Command;

/// The part between the parentheses, after checking the line's shape.
fn commit_of(line: &str) -> &str {
    let rest = line.strip_prefix(concat!("herald ", env!("CARGO_PKG_VERSION"), " (")).unwrap_or_else(|| {
        panic!("{line:?} does not start with `herald {} (`", env!("CARGO_PKG_VERSION"));
    });
    let commit = rest.strip_suffix(")\n").unwrap_or_else(|| panic!("{line:?} does not end with `)` and a newline"));
    let hash = commit.strip_suffix("-dirty").unwrap_or(commit);
    assert!(
        hash == "unknown" || (hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit())),
        "{line:?}: the commit is neither a short hash nor `unknown`"
    );
    commit
}

#[test]
fn version_names_the_commit() {
    for flag in ["--version", "-V"] {
        let out = Command::new(env!("CARGO_BIN_EXE_herald")).arg(flag).output().unwrap();
        assert!(out.status.success(), "{flag}: {out:?}");
        let line = String::from_utf8(out.stdout).unwrap();
        let commit = commit_of(&line);

        // Built from a checkout of Herald (and not told otherwise): the hash
        // is a commit of this checkout, HEAD when the binary was built (the
        // script reruns whenever HEAD moves). HEAD itself or one of its
        // ancestors, since others may commit between the build and this run.
        let git = |args: &[&str]| {
            let out = Command::new("git").args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().ok()?;
            out.status.success().then(|| String::from_utf8(out.stdout).unwrap())
        };
        let told = option_env!("HERALD_BUILD_COMMIT").is_some_and(|c| !c.trim().is_empty());
        if !told && git(&["ls-files", "--error-unmatch", "build.rs"]).is_some() {
            let hash = commit.strip_suffix("-dirty").unwrap_or(commit);
            assert_ne!(hash, "unknown", "{line:?}: built in a checkout, yet no commit");
            let head = git(&["rev-parse", "HEAD"]).unwrap();
            assert!(
                head.starts_with(hash) || git(&["merge-base", "--is-ancestor", hash, "HEAD"]).is_some(),
                "{line:?} names {hash}, which is not HEAD ({head}) nor one of its ancestors"
            );
        }
    }
}

#[test]
fn the_shape_is_checked() {
    assert_eq!(commit_of(concat!("herald ", env!("CARGO_PKG_VERSION"), " (26bb11d)\n")), "26bb11d");
    assert_eq!(commit_of(concat!("herald ", env!("CARGO_PKG_VERSION"), " (26bb11d-dirty)\n")), "26bb11d-dirty");
    assert_eq!(commit_of(concat!("herald ", env!("CARGO_PKG_VERSION"), " (unknown)\n")), "unknown");
    for wrong in ["herald 0.0.0-x (26bb11d)\n", "herald (26bb11d)\n", "herald 0.1.0 (xyz1234)\n"] {
        let line = wrong.replace("0.1.0", env!("CARGO_PKG_VERSION"));
        assert!(std::panic::catch_unwind(|| commit_of(&line).to_owned()).is_err(), "{line:?} passed");
    }
}
