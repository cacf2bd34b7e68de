//! What `kartskola backup` and `restore` need from the database itself: an online SQLite
//! snapshot (`VACUUM INTO`), whether a database already holds data, and a check that a file is
//! an intact Kartskola SQLite database. The PostgreSQL side is `pg_dump`/`pg_restore`, run by
//! the command (src/cli/backup.rs).

use std::path::Path;
use std::str::FromStr;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection};

use super::{Backend, Db, DbError};

/// What a database holds, to decide whether a restore would overwrite something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holdings {
    pub people: i64,
    pub attempts: i64,
}

impl Holdings {
    pub fn is_empty(self) -> bool {
        self.people == 0 && self.attempts == 0
    }
}

impl Db {
    /// Writes a consistent copy of the SQLite database to `dest` while the server runs.
    ///
    /// `VACUUM INTO` reads inside one read transaction on a reader connection: in WAL mode it
    /// sees the database as of its start and never blocks the writer, so attempts keep being
    /// stored during the copy (they are simply not in it).
    pub async fn sqlite_snapshot(&self, dest: &Path) -> Result<(), DbError> {
        let dest = dest
            .to_str()
            .ok_or_else(|| DbError::Connect(format!("{} is not a UTF-8 path", dest.display())))?;
        sqlx::query("vacuum into $1")
            .bind(dest)
            .execute(self.reader())
            .await?;
        Ok(())
    }

    /// How many people and attempts the database holds (zero for one never migrated).
    pub async fn holdings(&self) -> Result<Holdings, DbError> {
        let exists = match self.backend() {
            Backend::Sqlite => {
                "select count(*) from sqlite_master where type = 'table' and name = 'person'"
            }
            Backend::Postgres => {
                "select count(*) from information_schema.tables \
                 where table_schema = current_schema() and table_name = 'person'"
            }
        };
        let tables: i64 = sqlx::query_scalar(exists).fetch_one(self.reader()).await?;
        if tables == 0 {
            return Ok(Holdings {
                people: 0,
                attempts: 0,
            });
        }
        let (people, attempts) = sqlx::query_as::<_, (i64, i64)>(
            "select (select count(*) from person), (select count(*) from attempt)",
        )
        .fetch_one(self.reader())
        .await?;
        Ok(Holdings { people, attempts })
    }
}

/// Opens `path` read-only and checks that it is an intact SQLite database made by Kartskola
/// (`PRAGMA integrity_check` says ok, the migrations table is there); returns what it holds.
pub async fn check_sqlite_file(path: &Path) -> Result<Holdings, String> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", path.display());
    let options = AnyConnectOptions::from_str(&url).map_err(|e| e.to_string())?;
    let mut conn: AnyConnection = options
        .connect()
        .await
        .map_err(|e| format!("cannot open it as SQLite: {e}"))?;
    let result = async {
        let integrity: String = sqlx::query_scalar("pragma integrity_check")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| format!("not an SQLite database ({e})"))?;
        if integrity != "ok" {
            return Err(format!("PRAGMA integrity_check failed: {integrity}"));
        }
        let migrations: i64 = sqlx::query_scalar(
            "select count(*) from sqlite_master where type = 'table' and name = '_sqlx_migrations'",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
        if migrations == 0 {
            return Err("not a Kartskola database (no migrations table)".to_owned());
        }
        let (people, attempts) = sqlx::query_as::<_, (i64, i64)>(
            "select (select count(*) from person), (select count(*) from attempt)",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| format!("not a Kartskola database ({e})"))?;
        Ok(Holdings { people, attempts })
    }
    .await;
    let _ = conn.close().await;
    result
}
