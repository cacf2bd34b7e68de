//! The command line (service spec, "Commands"): `serve` (the default), `check`, `grade`,
//! `migrate`, `user`, `org`, `token`, `seed-demo`, `backup`, `restore`.
//! Exit codes: 0 success, 1 anything wrong (bad settings, broken content, database errors).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod backup;
mod grade;
mod org;
mod seed_demo;
mod shell;
mod token;
mod user;

use crate::app::{Application, StartError};
use crate::config::{CommonArgs, ServeArgs};
use crate::content;
use crate::db::Db;

#[derive(Debug, Parser)]
#[command(
    name = "kartskola",
    version,
    about = "Kartskola: a course server for GIS competence building"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate, load and check the content, and serve HTTP (the default)
    Serve,
    /// Check all content; every error is listed with its file
    Check,
    /// Apply database migrations and exit
    Migrate,
    /// Grade one answer file against an exercise folder and print the result JSON
    /// (exit 0 graded, 2 answer refused, 1 anything else)
    Grade {
        /// The exercise folder, e.g. exercises/m1-place-lulea
        exercise_dir: std::path::PathBuf,
        /// The answer as JSON, as the player would send it
        answer: std::path::PathBuf,
    },
    /// Account administration (the first admin included)
    #[command(subcommand)]
    User(user::UserCommand),
    /// Organisations people belong to
    #[command(subcommand)]
    Org(org::OrgCommand),
    /// Read-only API tokens for machines (an LRS, a reporting tool)
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Create the demo organisation with a history of attempts (--remove removes it)
    SeedDemo {
        /// Remove every demo account and what belongs to them
        #[arg(long)]
        remove: bool,
    },
    /// Write a consistent copy of the database to FILE while the server runs
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump custom format)
    Backup {
        /// The backup file to create (never overwritten)
        file: std::path::PathBuf,
    },
    /// Replace the database with a backup made by `kartskola backup` (stop the servers first)
    Restore {
        /// The backup file
        file: std::path::PathBuf,
        /// Replace a database that already holds people or attempts
        #[arg(long)]
        force: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => runtime.block_on(serve(&cli.common, &cli.serve)),
        Command::Check => check(&cli.common),
        Command::Migrate => runtime.block_on(migrate(&cli.common)),
        Command::Grade {
            exercise_dir,
            answer,
        } => grade::run(&cli.common, &exercise_dir, &answer),
        Command::User(command) => runtime.block_on(user::run(&cli.common, &cli.serve, command)),
        Command::Org(command) => runtime.block_on(org::run(&cli.common, &cli.serve, command)),
        Command::Token(command) => runtime.block_on(token::run(&cli.common, &cli.serve, command)),
        Command::SeedDemo { remove } => {
            runtime.block_on(seed_demo::run(&cli.common, &cli.serve, remove))
        }
        Command::Backup { file } => runtime.block_on(backup::backup(&cli.common, &file)),
        Command::Restore { file, force } => {
            runtime.block_on(backup::restore(&cli.common, &file, force))
        }
    }
}

async fn serve(common: &CommonArgs, args: &ServeArgs) -> ExitCode {
    let config = match args.resolve(common) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let database = config.database.redacted();
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(StartError::Content(errors)) => {
            eprintln!("{errors}");
            eprintln!(
                "error: not starting: fix the content errors above (run `kartskola check` to list them)"
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match app.local_addr() {
        Ok(addr) => tracing::info!(%addr, %database, "Kartskola is listening on http://{addr}"),
        Err(e) => tracing::warn!(error = %e, "cannot read the bound address"),
    }
    match app.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check(common: &CommonArgs) -> ExitCode {
    let root = common.content_root();
    match content::load(&root) {
        Ok(catalog) => {
            let lessons: usize = catalog.courses.iter().map(|c| c.lessons().count()).sum();
            println!(
                "content OK: {} course(s), {lessons} lesson(s), {} exercise(s), {} layer(s), {} competence(s)",
                catalog.courses.len(),
                catalog.exercises.len(),
                catalog.layers.len(),
                catalog.competences.len()
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            println!("{errors}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(common: &CommonArgs) -> ExitCode {
    let url = match common.database() {
        Ok(url) => url,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = async {
        let db = Db::connect(&url).await?;
        db.migrate().await?;
        let applied = db.applied_migrations().await?;
        db.close().await;
        Ok::<_, crate::db::DbError>(applied)
    }
    .await;
    match result {
        Ok(applied) => {
            println!(
                "database {} is migrated ({applied} migration(s) applied)",
                url.redacted()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
