//! The database layer's one error type. Its text is for logs, never for users.

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// The database could not be reached (an error shared by a whole group-committed batch).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Any other error of a group-committed batch, shared by each of its attempts.
    #[error("database error: {0}")]
    Batch(String),
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
            Self::Connect(_) | Self::Unavailable(_) => true,
            Self::Migrate(_) | Self::Batch(_) => false,
            Self::Query(sqlx::Error::Database(e)) => {
                e.code().is_some_and(|code| is_unavailable_sqlstate(&code))
            }
            Self::Query(e) => matches!(
                e,
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::Protocol(_)
            ),
        }
    }
}

/// PostgreSQL's codes for "the server is going away or not there yet": class 08 (connection
/// exception), 57P01-57P03 (administrator or crash shutdown, cannot connect now). A stopped
/// database ends each connection with one of these, and that is a 503, not a bug (500).
fn is_unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

#[cfg(test)]
mod tests {
    use super::is_unavailable_sqlstate;

    #[test]
    fn shutdown_and_connection_codes_mean_unavailable() {
        for code in ["08006", "08001", "57P01", "57P02", "57P03"] {
            assert!(is_unavailable_sqlstate(code), "{code}");
        }
        for code in ["23505", "42P01", "40001"] {
            assert!(!is_unavailable_sqlstate(code), "{code}");
        }
    }
}
