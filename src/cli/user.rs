//! `kartskola user …`: account administration from the shell (the first admin included).

use std::process::ExitCode;

use clap::Subcommand;

use crate::auth::password;
use crate::config::CommonArgs;
use crate::db::{Capability, Db, NewPerson, REGIONS};

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
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

pub(super) async fn run(common: &CommonArgs, command: UserCommand) -> ExitCode {
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
