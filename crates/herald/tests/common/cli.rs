//! The CLI as a user runs it: the real binary, pointed at a node by
//! `HERALD_URL` / `HERALD_TOKEN`, with its own config directory.

use std::process::{Command, Output};

use serde_json::Value;

use super::{Node, TOKEN};

pub struct Cli<'a> {
    pub node: &'a Node,
    pub home: tempfile::TempDir,
}

impl<'a> Cli<'a> {
    pub fn new(node: &'a Node) -> Self {
        Self { node, home: tempfile::tempdir().unwrap() }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_herald"));
        c.env("HERALD_URL", &self.node.base).env("HERALD_TOKEN", TOKEN).env("XDG_CONFIG_HOME", self.home.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs with `--json`; asserts success; the printed JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.run(&[args, &["--json"]].concat());
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", text(&out.stdout)))
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
