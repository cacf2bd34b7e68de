//! Every SQL statement of Kartskola, for SQLite (the embedded default) and PostgreSQL alike.
//!
//! One query text serves both backends through sqlx's `Any` driver: the `query!` macros check a
//! single backend only, so the SQL stays in the subset both share (`$1` placeholders, integer
//! flags, millisecond times) and the whole test suite runs against both instead.

mod attempt_batch;
mod attempt_scope;
mod attempts;
mod audit;
mod backup;
mod cohorts;
mod error;
mod gdpr;
mod invitations;
mod live;
mod organisations;
mod people;
mod progress;
mod purge;
mod scope;
mod seed;
mod sessions;
mod statements;
mod throttle;
mod tokens;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use attempt_scope::ScopedAttempt;
pub use attempts::{AttemptRow, Idempotency, NewAttempt, RecordOutcome, Stored};
pub use audit::{AuditEvent, AuditRow};
pub use backup::{Holdings, check_sqlite_file};
pub use cohorts::{
    AddMember, ClassAnswer, CohortRow, GradeChange, MemberRow, NewCohort, Overridden, OverrideRow,
    OwnDue, PersonHit, SEARCH_LIMIT,
};
pub use error::DbError;
pub use gdpr::{OwnCohort, OwnSession, PSEUDONYMISED_DOMAIN};
pub use invitations::{LinkPurpose, LinkTarget};
pub use live::{
    LIVE_CHANNEL, LiveAnswerOutcome, LiveAnswerRow, LiveEventRow, LiveSessionRow, NewLiveAnswer,
    NewLiveEvent, live_listener,
};
pub use organisations::{
    NewOrganisation, ORGANISATION_KINDS, OrganisationRefused, OrganisationRow,
};
pub use people::{
    Capability, DEMO_DOMAIN, InsertRefused, NewPerson, PeopleQuery, PersonRow, Placement, REGIONS,
    is_plausible_email, normalise_email,
};
pub use progress::{FilterOption, StatRow, TeamFilter, TeamPersonRow, TeamScope, WeekRow};
pub use purge::{PurgePolicy, Purged};
pub use scope::Scope;
pub use seed::SeedAttempt;
pub use sessions::{SessionRow, SessionToken};
pub use statements::StatementRow;
pub use tokens::{ApiTokenRow, TokenOwner};

use crate::config::DatabaseUrl;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a pool for reads and a pool for writes. On SQLite the writer is a single
/// connection (SQLite allows one writer; queueing in the pool beats retrying on SQLITE_BUSY);
/// on PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// SQLite only: the group-commit writer of attempts (see `attempt_batch`).
    batcher: Option<attempt_batch::AttemptBatcher>,
}

/// Pragmas every SQLite connection gets: WAL so readers never block the writer, foreign keys
/// enforced, a busy timeout instead of immediate errors, and `synchronous=FULL` so that an
/// acknowledged write survives a power cut (service spec, "Storage").
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL;";

impl Db {
    /// Connects (creating the SQLite file if needed). Does not migrate.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        match url {
            DatabaseUrl::Sqlite(path) => Self::connect_sqlite(path).await,
            DatabaseUrl::Postgres(url) => {
                let options = AnyConnectOptions::from_str(url).map_err(DbError::connect)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(DbError::connect)?;
                Ok(Self {
                    read: pool.clone(),
                    write: pool,
                    backend: Backend::Postgres,
                    batcher: None,
                })
            }
        }
    }

    async fn connect_sqlite(path: &Path) -> Result<Self, DbError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            return Err(DbError::Connect(format!(
                "the folder of the SQLite file {} does not exist",
                path.display()
            )));
        }
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let options = AnyConnectOptions::from_str(&url).map_err(DbError::connect)?;
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|conn, _meta| {
                    Box::pin(async move { conn.execute(SQLITE_PRAGMAS).await.map(|_| ()) })
                })
        };
        // The writer connects first so that the file and WAL mode exist before readers open it.
        let write = pool(1)
            .connect_with(options.clone())
            .await
            .map_err(DbError::connect)?;
        let read = pool(8)
            .connect_with(options)
            .await
            .map_err(DbError::connect)?;
        Ok(Self {
            batcher: Some(attempt_batch::AttemptBatcher::start(write.clone())),
            read,
            write,
            backend: Backend::Sqlite,
        })
    }

    /// Applies the migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.write)
            .await
            .map_err(|e| DbError::Migrate(e.to_string()))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers a trivial query (for `/healthz`).
    pub async fn ping(&self) -> bool {
        let ping = sqlx::query_scalar::<_, i32>("select 1").fetch_one(&self.read);
        matches!(
            tokio::time::timeout(Duration::from_secs(2), ping).await,
            Ok(Ok(1))
        )
    }

    /// The number of applied migrations (for tests and `migrate`'s report).
    pub async fn applied_migrations(&self) -> Result<i64, DbError> {
        Ok(
            sqlx::query_scalar::<_, i64>(
                "select count(*) from _sqlx_migrations where success = $1",
            )
            .bind(true)
            .fetch_one(&self.read)
            .await?,
        )
    }

    /// Closes both pools, waiting for connections to be returned.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    pub(crate) fn writer(&self) -> &AnyPool {
        &self.write
    }
}

/// Now, as Unix milliseconds (the unit of every `*_ms` column).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
