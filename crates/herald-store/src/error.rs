use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The named kind of object does not exist (`"application"`, ...).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule was broken; the message says which.
    #[error("{0}")]
    Conflict(String),
    /// A row could not be turned back into a domain value.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A sealed secret does not open (wrong or missing key, altered value).
    #[error("sealed secret: {0}")]
    Sealed(String),
    /// The database cannot be reached (connection refused or lost, no
    /// connection free in time): worth trying again later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database refused a value of this request (e.g. text it cannot
    /// store); the request is at fault, not the database.
    #[error("the database refused a value: {0}")]
    Rejected(String),
    /// The database failed (I/O, connection, ...).
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// SQLite's disk full (13), I/O error (10) and cannot open (14), with any
/// extended code: the disk, not the request, is at fault.
fn sqlite_unavailable(code: &str) -> bool {
    code.parse::<u32>().is_ok_and(|c| matches!(c & 0xff, 10 | 13 | 14))
}

impl StoreError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(e))
    }

    /// Sorts a driver error: unreachable database, refused value, or other.
    pub fn from_sqlx(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        match &e {
            E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::Tls(_) | E::WorkerCrashed => {
                Self::Unavailable(e.to_string())
            }
            E::Database(d) => {
                let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
                // PostgreSQL's classes: 08 connection, 53 resources (disk
                // full, out of memory), 57P0x shutdown; 22 data exception
                // (e.g. a NUL byte in text). SQLite's codes are numbers below
                // 10,000 (PostgreSQL's are five characters).
                let pg_unavailable = code.starts_with("08") || code.starts_with("53") || code.starts_with("57P0");
                if pg_unavailable || (code.len() < 5 && sqlite_unavailable(&code)) {
                    Self::Unavailable(e.to_string())
                } else if code.starts_with("22") {
                    Self::Rejected(d.message().to_owned())
                } else {
                    Self::backend(e)
                }
            }
            _ => Self::backend(e),
        }
    }

    /// The same error again, for answering every caller of a failed batch.
    pub fn duplicate(&self) -> Self {
        match self {
            Self::NotFound(w) => Self::NotFound(w),
            Self::Conflict(m) => Self::Conflict(m.clone()),
            Self::Corrupt(m) => Self::Corrupt(m.clone()),
            Self::Sealed(m) => Self::Sealed(m.clone()),
            Self::Unavailable(m) => Self::Unavailable(m.clone()),
            Self::Rejected(m) => Self::Rejected(m.clone()),
            Self::Backend(e) => Self::Backend(e.to_string().into()),
        }
    }

    /// Whether the error says nothing about the request's own rows, so
    /// retrying part of a batch would fail the same way.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}
