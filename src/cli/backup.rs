//! `kartskola backup FILE` and `kartskola restore FILE [--force]` (service spec, "Commands").
//!
//! SQLite: `VACUUM INTO` writes a consistent snapshot while the server runs (WAL readers never
//! block the writer); restore checks the file (`PRAGMA integrity_check`) and swaps it in.
//! PostgreSQL: a wrapper around `pg_dump --format=custom` and `pg_restore`, which must be on the
//! PATH. Both write to `FILE.partial` first and rename, so a failed backup never leaves a
//! half-written file under the name an operator will later trust. Restore refuses to replace a
//! database that holds people or attempts unless `--force` says so.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::{CommonArgs, DatabaseUrl};
use crate::db::{Db, Holdings, check_sqlite_file};

/// The first bytes of a `pg_dump --format=custom` archive and of an SQLite file.
const PG_MAGIC: &[u8] = b"PGDMP";
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

pub(super) async fn backup(common: &CommonArgs, file: &Path) -> ExitCode {
    report(run_backup(common, file).await)
}

pub(super) async fn restore(common: &CommonArgs, file: &Path, force: bool) -> ExitCode {
    report(run_restore(common, file, force).await)
}

fn report(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(done) => {
            println!("{done}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `FILE.partial`, beside `FILE` so that the final rename stays on one file system.
fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn counts(h: Holdings) -> String {
    format!("{} people, {} attempts", h.people, h.attempts)
}

async fn run_backup(common: &CommonArgs, file: &Path) -> Result<String, String> {
    let url = common.database().map_err(|e| e.to_string())?;
    if file.exists() {
        return Err(format!(
            "{} already exists: a backup never overwrites a file, choose a new name",
            file.display()
        ));
    }
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        return Err(format!(
            "cannot write {}: the folder {} does not exist",
            file.display(),
            parent.display()
        ));
    }
    let partial = partial_path(file);
    // A leftover of an interrupted backup is ours to replace.
    remove_if_present(&partial)?;
    let result = match &url {
        DatabaseUrl::Sqlite(path) => backup_sqlite(path, &partial, file).await,
        DatabaseUrl::Postgres(pg) => backup_postgres(pg, &url, &partial, file).await,
    };
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

async fn backup_sqlite(path: &Path, partial: &Path, file: &Path) -> Result<String, String> {
    if !path.is_file() {
        return Err(format!(
            "there is no SQLite database at {} (set DATABASE_URL or --database-url)",
            path.display()
        ));
    }
    let url = DatabaseUrl::Sqlite(path.to_owned());
    let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
    let snapshot = db.sqlite_snapshot(partial).await;
    db.close().await;
    snapshot.map_err(|e| {
        format!(
            "backing up {} to {} failed: {e}",
            url.redacted(),
            partial.display()
        )
    })?;
    // The copy is checked before it gets its final name.
    let holdings = check_sqlite_file(partial)
        .await
        .map_err(|e| format!("the copy {} is not usable: {e}", partial.display()))?;
    sync_file(partial)?;
    rename(partial, file)?;
    Ok(format!(
        "backed up {} to {} ({}); restore with `kartskola restore {}`",
        url.redacted(),
        file.display(),
        counts(holdings),
        file.display()
    ))
}

async fn backup_postgres(
    pg: &str,
    url: &DatabaseUrl,
    partial: &Path,
    file: &Path,
) -> Result<String, String> {
    let holdings = {
        let db = Db::connect(url).await.map_err(|e| e.to_string())?;
        let h = db.holdings().await.map_err(|e| e.to_string());
        db.close().await;
        h?
    };
    let mut command = tokio::process::Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--no-owner")
        .arg("--file")
        .arg(partial)
        .arg("--dbname")
        .arg(pg);
    run_tool(command, "pg_dump", url).await?;
    sync_file(partial)?;
    rename(partial, file)?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "backed up {} to {} ({}, {size} bytes, pg_dump custom format); restore with `kartskola restore {}`",
        url.redacted(),
        file.display(),
        counts(holdings),
        file.display()
    ))
}

async fn run_restore(common: &CommonArgs, file: &Path, force: bool) -> Result<String, String> {
    let url = common.database().map_err(|e| e.to_string())?;
    let magic = read_magic(file)?;
    match &url {
        DatabaseUrl::Sqlite(path) => {
            if magic.starts_with(PG_MAGIC) {
                return Err(format!(
                    "{} is a PostgreSQL backup (pg_dump): restore it with DATABASE_URL=postgres://…",
                    file.display()
                ));
            }
            restore_sqlite(file, path, force).await
        }
        DatabaseUrl::Postgres(pg) => {
            if magic.starts_with(SQLITE_MAGIC) {
                return Err(format!(
                    "{} is an SQLite backup: restore it with DATABASE_URL set to an SQLite file",
                    file.display()
                ));
            }
            if !magic.starts_with(PG_MAGIC) {
                return Err(format!(
                    "{} is not a pg_dump custom-format backup made by `kartskola backup`",
                    file.display()
                ));
            }
            restore_postgres(file, pg, &url, force).await
        }
    }
}

async fn restore_sqlite(file: &Path, path: &Path, force: bool) -> Result<String, String> {
    let url = DatabaseUrl::Sqlite(path.to_owned());
    let incoming = check_sqlite_file(file)
        .await
        .map_err(|e| format!("{} is not a usable backup: {e}", file.display()))?;
    if path.exists() {
        let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
        let held = db.holdings().await.map_err(|e| e.to_string());
        db.close().await;
        refuse_unless_forced(&url, held?, force)?;
    } else if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        return Err(format!(
            "cannot restore into {}: the folder {} does not exist",
            path.display(),
            parent.display()
        ));
    }
    let partial = partial_path(path);
    std::fs::copy(file, &partial).map_err(|e| {
        format!(
            "cannot copy {} to {}: {e}",
            file.display(),
            partial.display()
        )
    })?;
    sync_file(&partial)?;
    // The old database's WAL and shared-memory index belong to the old file: left in place,
    // SQLite would replay that WAL onto the restored one.
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        remove_if_present(Path::new(&side))?;
    }
    rename(&partial, path)?;
    // A backup from an older release gets this release's migrations.
    let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
    let migrated = db.migrate().await.map_err(|e| e.to_string());
    db.close().await;
    migrated?;
    Ok(format!(
        "restored {} into {} ({})",
        file.display(),
        url.redacted(),
        counts(incoming)
    ))
}

async fn restore_postgres(
    file: &Path,
    pg: &str,
    url: &DatabaseUrl,
    force: bool,
) -> Result<String, String> {
    {
        let db = Db::connect(url).await.map_err(|e| e.to_string())?;
        let held = db.holdings().await.map_err(|e| e.to_string());
        db.close().await;
        refuse_unless_forced(url, held?, force)?;
    }
    let mut command = tokio::process::Command::new("pg_restore");
    // --clean --if-exists: a migrated but empty database (or, forced, a full one) has the same
    // tables; they are dropped and recreated from the archive, all in one transaction.
    command
        .arg("--clean")
        .arg("--if-exists")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--single-transaction")
        .arg("--exit-on-error")
        .arg("--dbname")
        .arg(pg)
        .arg(file);
    run_tool(command, "pg_restore", url).await?;
    let db = Db::connect(url).await.map_err(|e| e.to_string())?;
    let result = async {
        db.migrate().await.map_err(|e| e.to_string())?;
        db.holdings().await.map_err(|e| e.to_string())
    }
    .await;
    db.close().await;
    let holdings = result?;
    Ok(format!(
        "restored {} into {} ({})",
        file.display(),
        url.redacted(),
        counts(holdings)
    ))
}

fn refuse_unless_forced(url: &DatabaseUrl, held: Holdings, force: bool) -> Result<(), String> {
    if held.is_empty() || force {
        return Ok(());
    }
    Err(format!(
        "the database {} already holds {}: restore would replace them. Stop every server \
         using it, then run again with --force",
        url.redacted(),
        counts(held)
    ))
}

/// Runs `pg_dump`/`pg_restore`, turning a missing tool or its failure into one clear message.
async fn run_tool(
    mut command: tokio::process::Command,
    tool: &str,
    url: &DatabaseUrl,
) -> Result<(), String> {
    let output = command.output().await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{tool} was not found on the PATH: install the PostgreSQL client tools of the \
                 server's major version or newer (Debian: apt-get install postgresql-client)"
            )
        } else {
            format!("cannot run {tool}: {e}")
        }
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(format!(
        "{tool} failed for {} ({}): {}",
        url.redacted(),
        output.status,
        stderr.trim()
    ))
}

fn read_magic(file: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut f = std::fs::File::open(file)
        .map_err(|e| format!("cannot read the backup {}: {e}", file.display()))?;
    let mut magic = vec![0; SQLITE_MAGIC.len()];
    let n = f
        .read(&mut magic)
        .map_err(|e| format!("cannot read the backup {}: {e}", file.display()))?;
    magic.truncate(n);
    Ok(magic)
}

fn remove_if_present(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

/// The backup's bytes reach the disk before it gets its final name.
fn sync_file(path: &Path) -> Result<(), String> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot sync {} to disk: {e}", path.display()))
}

fn rename(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::rename(from, to)
        .map_err(|e| format!("cannot rename {} to {}: {e}", from.display(), to.display()))
}
