//! `herald`'s client commands: the API's resources as verbs (`herald app
//! list`, `herald endpoint create …`), and `send`, `replay`, `recover`,
//! `export`, `tail`. Bodies are the API's own JSON (`--set key=value`,
//! `--data JSON|@file|-`), answers are printed as tables or, with `--json`,
//! as the API gave them: no copy of the API's types to drift from it.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{json, Map, Value};

mod api;
pub mod conn;
mod error;
mod listen;
mod output;
mod stream;

pub use conn::ConnArgs;
pub use error::CliError;

use api::{seg, Api};

/// The most items a `list` prints unless told otherwise.
const DEFAULT_MAX: usize = 1_000;

#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// Applications (one per customer).
    App {
        #[command(subcommand)]
        verb: Crud,
    },
    /// An application's endpoints.
    Endpoint {
        /// The application (id or uid).
        #[arg(long, global = true)]
        app: Option<String>,
        #[command(subcommand)]
        verb: Crud,
    },
    /// The event type catalog.
    EventType {
        #[command(subcommand)]
        verb: Crud,
    },
    /// An application's messages (published events) and their status.
    Message {
        #[arg(long, global = true)]
        app: Option<String>,
        #[command(subcommand)]
        verb: Read,
    },
    /// Delivery attempts, of a message or of an endpoint.
    Attempt {
        #[arg(long, global = true)]
        app: Option<String>,
        #[command(subcommand)]
        verb: AttemptVerb,
    },
    /// Publish an event.
    Send {
        /// The event type, e.g. `referral.converted`.
        event_type: String,
        #[arg(long)]
        app: String,
        /// The payload: JSON, `@file.json`, or `-` for standard input.
        #[arg(long, default_value = "{}")]
        data: String,
        /// Idempotency key: publishing it again returns the first message.
        #[arg(long)]
        event_id: Option<String>,
    },
    /// Send a message to an endpoint again, now.
    Replay {
        message: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        endpoint: String,
    },
    /// Re-queue every failed delivery of an application since a time.
    Recover {
        #[arg(long)]
        app: String,
        /// RFC 3339, e.g. 2026-12-01T00:00:00Z.
        #[arg(long)]
        since: String,
        #[arg(long)]
        until: Option<String>,
        /// Only this endpoint's.
        #[arg(long)]
        endpoint: Option<String>,
        /// Wait until the job is done, showing its progress.
        #[arg(long)]
        wait: bool,
    },
    /// Every message of an application with its deliveries, as NDJSON.
    Export {
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
    },
    /// Receive an application's events on this machine: a temporary
    /// endpoint, signatures checked, forwarded to your local receiver.
    Listen(listen::ListenArgs),
    /// Follow an application's deliveries as they happen.
    Tail {
        #[arg(long)]
        app: String,
        /// Seconds between looks (default 1).
        #[arg(long, default_value_t = 1.0)]
        every: f64,
        /// Stop after this many lines.
        #[arg(long)]
        count: Option<usize>,
    },
}

/// The verbs of a resource the API lets you change.
#[derive(Subcommand, Debug)]
pub enum Crud {
    List {
        /// At most this many.
        #[arg(long, default_value_t = DEFAULT_MAX)]
        max: usize,
    },
    Get {
        id: String,
    },
    Create(Body),
    Update {
        id: String,
        #[command(flatten)]
        body: Body,
    },
    Delete {
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum Read {
    List {
        #[arg(long, default_value_t = DEFAULT_MAX)]
        max: usize,
    },
    Get {
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AttemptVerb {
    /// A message's attempts (`--message`) or an endpoint's (`--endpoint`).
    List {
        #[arg(long, conflicts_with = "endpoint", required_unless_present = "endpoint")]
        message: Option<String>,
        #[arg(long)]
        endpoint: Option<String>,
        #[arg(long, default_value_t = DEFAULT_MAX)]
        max: usize,
    },
}

/// A request body: the API's JSON fields.
#[derive(Args, Debug, Default)]
pub struct Body {
    /// A field: `--set name=Acme`; a value that is JSON is taken as JSON
    /// (`--set 'event_types=["a.*"]'`, `--set live=false`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// The whole body: JSON, `@file.json`, or `-` for standard input
    /// (`--set` fields go on top).
    #[arg(long)]
    pub data: Option<String>,
}

impl Body {
    fn json(&self) -> Result<Value, CliError> {
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
        Ok(Value::Object(map))
    }
}

/// JSON text, `@file`, or `-` (standard input).
fn read_json(arg: &str) -> Result<Value, CliError> {
    let text = if arg == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| CliError::Usage(format!("standard input: {e}")))?
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("{path}: {e}")))?
    } else {
        arg.to_owned()
    };
    serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("not JSON: {e}")))
}

/// Runs a client command; errors are printed as the API's message and
/// turned into the exit code (see [`CliError::exit_code`]).
pub async fn run(cmd: ClientCommand, conn: &ConnArgs) -> ExitCode {
    match execute(cmd, conn).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

fn need_app(app: Option<String>) -> Result<String, CliError> {
    app.map(|a| seg(&a)).ok_or_else(|| CliError::Usage("--app is required".to_owned()))
}

async fn execute(cmd: ClientCommand, conn: &ConnArgs) -> Result<(), CliError> {
    let api = Api::new(conn.resolve()?)?;
    let json = conn.json;
    match cmd {
        ClientCommand::App { verb } => {
            crud(&api, verb, "/apps", &["id", "uid", "name", "live", "created_at"], json).await
        }
        ClientCommand::EventType { verb } => {
            crud(&api, verb, "/event-types", &["name", "description", "archived", "updated_at"], json).await
        }
        ClientCommand::Endpoint { app, verb } => {
            let base = format!("/apps/{}/endpoints", need_app(app)?);
            crud(&api, verb, &base, &["id", "url", "event_types", "disabled", "paused", "signing"], json).await
        }
        ClientCommand::Message { app, verb } => {
            let base = format!("/apps/{}/messages", need_app(app)?);
            match verb {
                Read::List { max } => {
                    let cols = ["id", "event_type", "event_id", "timestamp"];
                    output::list(&api.list_all(&base, max).await?, &cols, json);
                }
                Read::Get { id } => output::one(&api.get(&format!("{base}/{}", seg(&id))).await?, json),
            }
            Ok(())
        }
        ClientCommand::Attempt { app, verb: AttemptVerb::List { message, endpoint, max } } => {
            let app = need_app(app)?;
            let path = match (message, endpoint) {
                (Some(m), _) => format!("/apps/{app}/messages/{}/attempts", seg(&m)),
                (None, Some(e)) => format!("/apps/{app}/endpoints/{}/attempts", seg(&e)),
                (None, None) => return Err(CliError::Usage("give --message or --endpoint".to_owned())),
            };
            let cols = ["id", "attempt_number", "status_code", "latency_ms", "error", "timestamp"];
            output::list(&api.list_all(&path, max).await?, &cols, json);
            Ok(())
        }
        ClientCommand::Send { event_type, app, data, event_id } => {
            let mut body = json!({ "event_type": event_type, "payload": read_json(&data)? });
            if let Some(id) = event_id {
                body["event_id"] = id.into();
            }
            let sent = api.call(Method::POST, &format!("/apps/{}/messages", seg(&app)), Some(&body)).await?;
            output::one(&sent, json);
            Ok(())
        }
        ClientCommand::Replay { message, app, endpoint } => {
            let path = format!("/apps/{}/messages/{}/endpoints/{}/replay", seg(&app), seg(&message), seg(&endpoint));
            output::one(&api.call(Method::POST, &path, None).await?, json);
            Ok(())
        }
        ClientCommand::Recover { app, since, until, endpoint, wait } => {
            stream::recover(&api, &seg(&app), since, until, endpoint, wait, json).await
        }
        ClientCommand::Export { app, output, status, event_type } => {
            stream::export(&api, &seg(&app), output, status, event_type).await
        }
        ClientCommand::Tail { app, every, count } => stream::tail(&api, &seg(&app), every, count, json).await,
        ClientCommand::Listen(args) => listen::listen(&api, args).await,
    }
}

async fn crud(api: &Api, verb: Crud, base: &str, columns: &[&str], json: bool) -> Result<(), CliError> {
    match verb {
        Crud::List { max } => output::list(&api.list_all(base, max).await?, columns, json),
        Crud::Get { id } => output::one(&api.get(&format!("{base}/{}", seg(&id))).await?, json),
        Crud::Create(body) => output::one(&api.call(Method::POST, base, Some(&body.json()?)).await?, json),
        Crud::Update { id, body } => {
            let path = format!("{base}/{}", seg(&id));
            output::one(&api.call(Method::PATCH, &path, Some(&body.json()?)).await?, json);
        }
        Crud::Delete { id } => {
            api.call(Method::DELETE, &format!("{base}/{}", seg(&id)), None).await?;
            if !json {
                println!("deleted {id}");
            }
        }
    }
    Ok(())
}
