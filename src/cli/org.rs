//! `kartskola org …`: the organisations people belong to (region, municipality with its SCB
//! code, county board, authority), so the shell can place people as the admin pages do.

use std::process::ExitCode;

use clap::Subcommand;

use super::shell::Shell;
use crate::config::{CommonArgs, ServeArgs};
use crate::db::{AuditEvent, NewOrganisation};

#[derive(Debug, Subcommand)]
pub(crate) enum OrgCommand {
    /// Add an organisation
    Add {
        #[arg(long)]
        name: String,
        /// region, municipality, county_board or authority
        #[arg(long)]
        kind: String,
        #[arg(long)]
        region: String,
        /// SCB's four-digit code, for municipalities (e.g. 2580 for Luleå)
        #[arg(long)]
        municipality_code: Option<String>,
    },
    /// List organisations with their ids
    List,
}

pub(super) async fn run(common: &CommonArgs, serve: &ServeArgs, command: OrgCommand) -> ExitCode {
    let result = async {
        let shell = Shell::open(common, serve).await?;
        let result = org_inner(&shell, command).await;
        shell.db.close().await;
        result
    }
    .await;
    match result {
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

async fn org_inner(shell: &Shell, command: OrgCommand) -> Result<String, String> {
    let db = &shell.db;
    match command {
        OrgCommand::Add {
            name,
            kind,
            region,
            municipality_code,
        } => {
            let new = NewOrganisation {
                name: &name,
                kind: &kind,
                region_id: &region,
                municipality_code: municipality_code.as_deref(),
            };
            let id = db
                .insert_organisation(&new)
                .await
                .map_err(|e| e.to_string())?
                .map_err(|refused| refused.to_string())?;
            let target = format!("organisation:{id}");
            let event = AuditEvent {
                actor: None,
                action: "organisation_create",
                target: Some(&target),
                outcome: "success",
                detail: Some("shell"),
                client_addr: None,
            };
            if let Err(e) = db.audit(event).await {
                eprintln!("warning: cannot write the audit log: {e}");
            }
            Ok(format!(
                "created organisation {id}: {} ({kind}, {region})",
                name.trim()
            ))
        }
        OrgCommand::List => {
            let organisations = db.organisations(None).await.map_err(|e| e.to_string())?;
            let mut lines = vec![format!(
                "{:>5}  {:<40} {:<14} {:<20} {:<5} people",
                "id", "name", "kind", "region", "code"
            )];
            for o in &organisations {
                lines.push(format!(
                    "{:>5}  {:<40} {:<14} {:<20} {:<5} {}",
                    o.organisation_id,
                    o.name,
                    o.kind,
                    o.region_id,
                    o.municipality_code.as_deref().unwrap_or("-"),
                    o.people
                ));
            }
            lines.push(format!("{} organisation(s)", organisations.len()));
            Ok(lines.join("\n"))
        }
    }
}
