//! `herald`: the binary. Parses the command line, loads the configuration,
//! and hands over to `herald-server`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use herald_server::config::LogFormat;
use herald_server::{Application, Config};
use tracing_subscriber::EnvFilter;

/// mimalloc: measurably less time in malloc/free than glibc's allocator
/// under Herald's many short-lived buffers (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `herald --version`: the crate's version and the commit it was built from
/// (see build.rs), e.g. `herald 0.1.0 (26bb11d)`.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("HERALD_COMMIT"), ")");

#[derive(Parser)]
#[command(name = "herald", version = VERSION, about = "Self-hosted webhook delivery: one binary, embedded database.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The server's configuration file, for the commands that read it.
#[derive(clap::Args)]
struct ConfigArg {
    /// A TOML file layered over the built-in defaults (see config/default.toml);
    /// HERALD_<SECTION>_<KEY> environment variables override both.
    #[arg(long, short, env = "HERALD_CONFIG_FILE")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Server(ServerCommand),
    /// Print a shell completion script: `herald completions bash > /etc/bash_completion.d/herald`.
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff): `herald man | man -l -`.
    Man,
    #[command(flatten)]
    Client(herald_cli::ClientCommand),
}

/// The commands that run or look after a server.
#[derive(Subcommand)]
enum ServerCommand {
    /// Run the API and the delivery workers in one process until Ctrl-C or
    /// SIGTERM. Creates the database (and an admin token) on first start.
    Serve {
        #[command(flatten)]
        config: ConfigArg,
        /// Serve the API only; leave delivery to other nodes (PostgreSQL).
        #[arg(long, conflicts_with = "worker_only")]
        api_only: bool,
        /// Run delivery workers only; the port then serves just /health.
        #[arg(long)]
        worker_only: bool,
        /// Development: let deliveries reach loopback (127.0.0.0/8, ::1),
        /// which is refused otherwise. Never for a server others can reach.
        #[arg(long)]
        dev: bool,
    },
    /// Apply pending database migrations, then exit.
    Migrate {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Print the effective configuration (secrets redacted), then exit.
    Config {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Print a new random main key (base64 of 32 bytes) for
    /// security.main_key, then exit.
    Keygen,
    /// Check a delivery profile file (TOML or JSON) and print it as the JSON
    /// the API takes in an application's or endpoint's `profile` field.
    Profile { file: PathBuf },
    /// Measure throughput and latency: starts `herald serve` on a fresh
    /// database with a built-in receiver and drives it through the API.
    Bench(herald_bench::BenchOptions),
}

fn init_logging(config: &Config) {
    let filter = EnvFilter::try_new(&config.log.level).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour only for a terminal: a log sent to a file or a pipe stays plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    match config.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new()?;
    match cli.command {
        // The client commands talk to a server; no server configuration.
        Command::Client(cmd) => Ok(runtime.block_on(herald_cli::run(cmd))),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "herald", &mut script);
            write_stdout(&script)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut page)?;
            write_stdout(&page)
        }
        Command::Server(command) => runtime.block_on(server(command)).map(|()| std::process::ExitCode::SUCCESS),
    }
}

/// Writes to standard output; a reader that closed the pipe early
/// (`herald man | head`) ends the command quietly.
fn write_stdout(bytes: &[u8]) -> anyhow::Result<std::process::ExitCode> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(std::process::ExitCode::SUCCESS),
    }
}

async fn server(command: ServerCommand) -> anyhow::Result<()> {
    let config_file = match &command {
        ServerCommand::Serve { config, .. } | ServerCommand::Migrate { config } | ServerCommand::Config { config } => {
            config.config.clone()
        }
        _ => None,
    };
    let mut config = Config::load(config_file.as_deref())?;
    init_logging(&config);
    match command {
        ServerCommand::Serve { config: _, api_only, worker_only, dev } => {
            if dev {
                config.security.open_loopback();
            }
            if api_only {
                config.worker.enabled = false;
            }
            if worker_only {
                config.server.api_enabled = false;
            }
            let app = Application::build(config.clone()).await?;
            if let Some(token) = app.generated_admin_token() {
                println!(
                    "Generated an admin API token (shown only this once; only its hash is kept):\n\n    {token}\n"
                );
                println!(
                    "Use it as `Authorization: Bearer <token>`, or set auth.admin_token / HERALD_AUTH_ADMIN_TOKEN.\n"
                );
            }
            if let (Some(port), Ok(Some(m))) = (app.metrics_port(), config.metrics.address()) {
                let at = std::net::SocketAddr::new(m.ip(), port);
                tracing::info!(%at, "metrics served at http://{at}/metrics");
                println!("metrics at http://{at}/metrics");
            }
            let addr = std::net::SocketAddr::new(config.server.listen.ip(), app.port());
            tracing::info!(%addr, database = %herald_server::config::redact_url(&config.database.url), "herald is listening");
            if dev {
                println!(
                    "herald listening on http://{addr} (dev mode: deliveries may reach loopback 127.0.0.0/8 and ::1)"
                );
            } else {
                println!("herald listening on http://{addr}");
            }
            app.run_until_stopped(shutdown_signal()).await
        }
        ServerCommand::Migrate { .. } => {
            herald_server::open_store(&config, true).await.context("migrating")?;
            println!("migrations applied");
            Ok(())
        }
        ServerCommand::Bench(opts) => herald_bench::run(opts).await,
        ServerCommand::Profile { file } => {
            let profile = herald_server::config::load_profile_file(&file)?;
            println!("{}", serde_json::to_string_pretty(&profile)?);
            Ok(())
        }
        ServerCommand::Keygen => {
            println!("{}", herald_server::keys::generate());
            Ok(())
        }
        ServerCommand::Config { .. } => {
            println!("{config:#?}");
            Ok(())
        }
    }
}
