//! The command line (service spec, "Commands"): `serve` (the default), `check`, `migrate`.
//! Exit codes: 0 success, 1 anything wrong (bad settings, broken content, database errors).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::{Application, StartError};
use crate::auth::password;
use crate::config::{CommonArgs, ServeArgs};
use crate::content;
use crate::db::{Capability, Db, NewPerson, REGIONS};

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
    /// Account administration
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a person; the password is read from standard input (one line)
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// norrbotten, vasterbotten, jamtland-harjedalen or vasternorrland
        #[arg(long)]
        region: String,
        /// trainer, manager or admin (repeatable)
        #[arg(long = "capability")]
        capabilities: Vec<String>,
        /// Read the password from standard input
        #[arg(long, required = true)]
        password_stdin: bool,
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
        Command::User(command) => runtime.block_on(user(&cli.common, command)),
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

async fn user(common: &CommonArgs, command: UserCommand) -> ExitCode {
    match user_inner(common, command).await {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn user_inner(common: &CommonArgs, command: UserCommand) -> Result<String, String> {
    let UserCommand::Add {
        email,
        name,
        region,
        capabilities,
        password_stdin: _,
    } = command;
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 254 {
        return Err(format!("--email {email:?} is not an e-mail address"));
    }
    if name.trim().is_empty() {
        return Err("--name is empty".to_owned());
    }
    if !REGIONS.contains(&region.as_str()) {
        return Err(format!(
            "--region {region:?} is not one of {}",
            REGIONS.join(", ")
        ));
    }
    let capabilities = capabilities
        .iter()
        .map(|c| {
            Capability::parse(c)
                .ok_or_else(|| format!("--capability {c:?} is not trainer, manager or admin"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']);
    password::check_strength(password).map_err(|e| e.to_string())?;
    let hash = password::hash_blocking(password).map_err(|e| e.to_string())?;
    let url = common.database().map_err(|e| e.to_string())?;
    let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let new = NewPerson {
        email: &email,
        display_name: &name,
        region_id: &region,
        password_hash: Some(&hash),
        capabilities: &capabilities,
    };
    let inserted = db.insert_person(&new).await.map_err(|e| e.to_string())?;
    db.close().await;
    match inserted {
        Some(id) => Ok(format!("created person {id} <{email}> in {region}")),
        None => Err(format!("a person with the e-mail {email} already exists")),
    }
}
