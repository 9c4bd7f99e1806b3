//! `herald`'s client commands: the API's resources as verbs (`herald app
//! list`, `herald endpoint create …`), and `send`, `replay`, `recover`,
//! `export`, `tail`, `listen`, `portal-link`. Bodies are the API's own JSON
//! (named flags per resource, `--set key=value`, `--data JSON|@file|-`),
//! answers are printed as tables or, with `--json`, as the API gave them:
//! no copy of the API's types to drift from it.
//!
//! Every client command takes the connection flags (`--server`, `--token`,
//! `--profile`); the server commands (`serve`, …) take none of them.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{Map, Value};

mod api;
mod commands;
pub mod conn;
mod error;
mod fields;
mod listen;
mod output;
mod stream;

pub use conn::ConnArgs;
pub use error::CliError;
pub use fields::{AppFields, EndpointFields, EventTypeFields, Fields};

/// The most items a `list` prints unless told otherwise.
const DEFAULT_MAX: usize = 1_000;

/// `--json`: the API's JSON instead of tables.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct Output {
    /// Print the API's JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// Applications (one per customer): list, get, create, update, delete.
    App {
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
        #[command(subcommand)]
        verb: Crud<AppFields>,
    },
    /// An application's endpoints: list, get, create, update, delete, and
    /// their signing secret.
    Endpoint {
        /// The application (id or uid).
        #[arg(long, global = true)]
        app: Option<String>,
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
        #[command(subcommand)]
        verb: EndpointVerb,
    },
    /// The event type catalog: list, get, create, update, delete.
    EventType {
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
        #[command(subcommand)]
        verb: Crud<EventTypeFields>,
    },
    /// An application's messages (published events) and their status.
    Message {
        /// The application (id or uid).
        #[arg(long, global = true)]
        app: Option<String>,
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
        #[command(subcommand)]
        verb: Read,
    },
    /// Delivery attempts, of a message or of an endpoint.
    Attempt {
        /// The application (id or uid).
        #[arg(long, global = true)]
        app: Option<String>,
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
        #[command(subcommand)]
        verb: AttemptVerb,
    },
    /// Publish an event to an application's endpoints (or many, `--batch`).
    Send {
        /// The event type, e.g. `referral.converted`.
        #[arg(required_unless_present = "batch")]
        event_type: Option<String>,
        /// Publish every line of this NDJSON file (`-`: standard input), each
        /// a publish's JSON body (`{"event_type", "payload", "event_id"?}`),
        /// 100 to a request; one answer line per event.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["event_type", "event_id"])]
        batch: Option<String>,
        /// The application (id or uid).
        #[arg(long)]
        app: String,
        /// The payload: JSON, `@file.json`, or `-` for standard input.
        #[arg(long, default_value = "{}")]
        data: String,
        /// Idempotency key: publishing it again returns the first message
        /// (and says so) instead of publishing twice.
        #[arg(long)]
        event_id: Option<String>,
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
    },
    /// Send a message to an endpoint again, now.
    Replay {
        /// The message id (`msg_…`).
        message: String,
        /// The application (id or uid).
        #[arg(long)]
        app: String,
        /// The endpoint id (`ep_…`).
        #[arg(long)]
        endpoint: String,
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
    },
    /// Re-queue every failed delivery of an application since a time.
    Recover {
        /// The application (id or uid).
        #[arg(long)]
        app: String,
        /// RFC 3339, e.g. 2026-12-01T00:00:00Z.
        #[arg(long)]
        since: String,
        /// RFC 3339; default now.
        #[arg(long)]
        until: Option<String>,
        /// Only this endpoint's.
        #[arg(long)]
        endpoint: Option<String>,
        /// Wait until the job is done, showing its progress.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
    },
    /// Every message of an application with its deliveries, as NDJSON.
    Export {
        /// The application (id or uid).
        #[arg(long)]
        app: String,
        /// Write here instead of standard output (with a progress line).
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        /// Only messages with a delivery in this status (pending, retrying, delivered, failed).
        #[arg(long)]
        status: Option<String>,
        /// Only this event type.
        #[arg(long)]
        event_type: Option<String>,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Receive an application's events on this machine: a temporary
    /// endpoint, signatures checked, forwarded to your local receiver.
    Listen {
        #[command(flatten)]
        args: listen::ListenArgs,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Follow an application's deliveries as they happen (the newest 100
    /// messages): a line each time one is tried, delivered, failed or replayed.
    Tail {
        /// The application (id or uid).
        #[arg(long)]
        app: String,
        /// Seconds between looks (default 1).
        #[arg(long, default_value_t = 1.0)]
        every: f64,
        /// Stop after this many lines.
        #[arg(long)]
        count: Option<usize>,
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
    },
    /// A link that opens the customer portal for one application (admin
    /// token): give it to that customer.
    PortalLink {
        /// The application (id or uid).
        #[arg(long)]
        app: String,
        /// How long the link works, in seconds (60 to 604800; default the
        /// server's `portal.link_ttl_secs`).
        #[arg(long)]
        ttl_secs: Option<u64>,
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        out: Output,
    },
}

/// The verbs of a resource the API lets you change.
#[derive(Subcommand, Debug)]
pub enum Crud<F: Fields> {
    /// List them, newest first (a table; `--json` for the API's JSON).
    List {
        /// At most this many.
        #[arg(long, default_value_t = DEFAULT_MAX)]
        max: usize,
    },
    /// Show one.
    Get {
        /// Its id, or uid / name.
        id: String,
    },
    /// Create one from the fields below.
    Create {
        #[command(flatten)]
        fields: F,
        #[command(flatten)]
        body: Body,
    },
    /// Change one: only the fields given change.
    Update {
        /// Its id, or uid / name.
        id: String,
        #[command(flatten)]
        fields: F,
        #[command(flatten)]
        body: Body,
    },
    /// Delete one.
    Delete {
        /// Its id, or uid / name.
        id: String,
    },
}

/// An endpoint's verbs: the resource's, and its signing secret.
#[derive(Subcommand, Debug)]
pub enum EndpointVerb {
    #[command(flatten)]
    Crud(Crud<EndpointFields>),
    /// Show the endpoint's signing secret (and, for ed25519, its public key).
    Secret {
        /// The endpoint id (`ep_…`).
        id: String,
    },
    /// Give the endpoint a new signing secret; the old one keeps signing
    /// too for a grace period, so the receiver can switch without a gap.
    RotateSecret {
        /// The endpoint id (`ep_…`).
        id: String,
        /// How long the old secret keeps signing, in seconds (default a day).
        #[arg(long)]
        grace_period_secs: Option<u64>,
    },
}

/// The verbs of what can only be read.
#[derive(Subcommand, Debug)]
pub enum Read {
    /// List them, newest first, with their delivery status.
    List {
        /// At most this many.
        #[arg(long, default_value_t = DEFAULT_MAX)]
        max: usize,
        #[command(flatten)]
        filter: MessageFilter,
    },
    /// Show one, with its delivery to each endpoint.
    Get {
        /// The message id (`msg_…`).
        id: String,
    },
}

/// Which messages `message list` shows.
#[derive(Args, Debug, Default)]
pub struct MessageFilter {
    /// Only those with a delivery in this state: pending, retrying,
    /// delivered or failed (at `--endpoint`, when given).
    #[arg(long)]
    pub status: Option<String>,
    /// Only this event type.
    #[arg(long)]
    pub event_type: Option<String>,
    /// Only those sent (or to be sent) to this endpoint (`ep_…`).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Only those accepted at or after this time (RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
    /// Only those accepted before this time (RFC 3339).
    #[arg(long)]
    pub until: Option<String>,
}

impl MessageFilter {
    /// As a query string's parameters (`&status=failed…`).
    fn query(&self) -> String {
        [
            ("status", &self.status),
            ("event_type", &self.event_type),
            ("endpoint", &self.endpoint),
            ("since", &self.since),
            ("until", &self.until),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("&{k}={}", api::seg(v))))
        .collect()
    }
}

#[derive(Subcommand, Debug)]
pub enum AttemptVerb {
    /// A message's attempts (`--message`) or an endpoint's (`--endpoint`).
    List {
        /// The message id (`msg_…`); or give `--endpoint`.
        #[arg(long, conflicts_with = "endpoint", required_unless_present = "endpoint")]
        message: Option<String>,
        /// The endpoint id (`ep_…`); or give `--message`.
        #[arg(long)]
        endpoint: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = DEFAULT_MAX)]
        max: usize,
    },
}

/// A request body: the API's JSON fields.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Other fields")]
pub struct Body {
    /// Any other field of the API's body, as KEY=VALUE; a value that is
    /// JSON is taken as JSON (`--set 'metadata={"team":"a"}'`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// The whole body: JSON, `@file.json`, or `-` for standard input (the
    /// flags go on top).
    #[arg(long)]
    pub data: Option<String>,
}

impl Body {
    /// `--data`, then `--set`, then the resource's own flags on top.
    fn json(&self, fields: &impl Fields) -> Result<Value, CliError> {
        let mut map = match &self.data {
            None => Map::new(),
            Some(d) => match read_json(d)? {
                Value::Object(m) => m,
                _ => return Err(CliError::Usage("--data must be a JSON object".to_owned())),
            },
        };
        for kv in &self.set {
            let (k, v) = kv.split_once('=').ok_or_else(|| CliError::Usage(format!("--set {kv}: use KEY=VALUE")))?;
            let value = serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_owned()));
            map.insert(k.to_owned(), value);
        }
        map.extend(fields.fields()?);
        Ok(Value::Object(map))
    }
}

/// JSON text, `@file`, or `-` (standard input).
fn read_json(arg: &str) -> Result<Value, CliError> {
    read_json_for("--data", arg)
}

/// [`read_json`], the flag named in its errors.
fn read_json_for(flag: &str, arg: &str) -> Result<Value, CliError> {
    let text = if arg == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| CliError::Usage(format!("standard input: {e}")))?
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("{path}: {e}")))?
    } else {
        arg.to_owned()
    };
    serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{flag}: not JSON ({e}); give JSON, @file.json or -")))
}

/// Runs a client command; errors are printed as the API's message and
/// turned into the exit code (see [`CliError::exit_code`]).
pub async fn run(cmd: ClientCommand) -> ExitCode {
    match commands::execute(cmd).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Closed) => CliError::Closed.exit_code(),
        Err(CliError::Failed(why)) => {
            eprintln!("{why}");
            CliError::Failed(why).exit_code()
        }
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}
