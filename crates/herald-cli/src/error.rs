//! The CLI's errors and the exit codes scripts can rely on.

use std::process::ExitCode;

#[derive(Debug)]
pub enum CliError {
    /// Bad flags or files, no server configured: exit 2.
    Usage(String),
    /// The API answered with an error: its status, code and message.
    Api { status: u16, code: String, message: String },
    /// The server could not be reached or answered something unreadable: exit 5.
    Transport(String),
    /// The command ran, and what it did failed (a replay the receiver
    /// refused, a batch with events rejected): exit 1.
    Failed(String),
    /// Standard output was closed by its reader (`herald … | head -1`): the
    /// command ends quietly, as `ls | head` does.
    Closed,
}

impl CliError {
    /// 0 for a closed output, 1 done but failed (a replay the receiver
    /// refused, events of a batch rejected), 2 usage, 3 not found, 4 refused
    /// (other 4xx: validation, conflict, auth), 5 server error or unreachable.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Self::Closed => 0,
            Self::Failed(_) => 1,
            Self::Usage(_) => 2,
            Self::Api { status: 404, .. } => 3,
            Self::Api { status, .. } if *status < 500 => 4,
            Self::Api { .. } | Self::Transport(_) => 5,
        })
    }

    /// A write to standard output failed: a closed pipe ends the command
    /// quietly, anything else is reported.
    pub fn output(e: &std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Self::Closed
        } else {
            Self::Usage(format!("writing to standard output: {e}"))
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Usage(m) | Self::Transport(m) | Self::Failed(m) => f.write_str(m),
            Self::Api { status, code, message } => write!(f, "{message} ({code}, HTTP {status})"),
            Self::Closed => f.write_str("standard output was closed"),
        }
    }
}

impl std::error::Error for CliError {}
