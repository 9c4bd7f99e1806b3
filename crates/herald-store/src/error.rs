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
    /// The database failed (I/O, connection, ...).
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(e))
    }
}
