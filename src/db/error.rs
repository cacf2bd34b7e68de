//! The database layer's one error type. Its text is for logs, never for users.

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

impl DbError {
    #[expect(
        clippy::needless_pass_by_value,
        reason = "shaped for `map_err(DbError::connect)`"
    )]
    pub(super) fn connect(e: sqlx::Error) -> Self {
        Self::Connect(e.to_string())
    }

    /// Whether the database is unreachable (a 503 with Retry-After), rather than a query bug.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Connect(_) => true,
            Self::Migrate(_) => false,
            Self::Query(e) => matches!(
                e,
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
            ),
        }
    }
}
