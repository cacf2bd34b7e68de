//! `kartskola user …`: account administration from the shell (the first admin included). The
//! shell acts as the operator (`Scope::operator`), and every change is audited as the shell's.

use std::process::ExitCode;

use clap::Subcommand;

use super::shell::{Shell, audit};
use crate::auth::links;
use crate::auth::password;
use crate::auth::token::new_pseudonym;
use crate::config::{CommonArgs, ServeArgs};
use crate::db::{
    Capability, InsertRefused, LinkPurpose, NewPerson, PeopleQuery, PersonRow, Placement, REGIONS,
    Scope, is_plausible_email, normalise_email,
};

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create a person. With --password-stdin the password is read from standard input (one
    /// line); without it, an invitation link is printed for the person to choose their own
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// norrbotten, vasterbotten, jamtland-harjedalen or vasternorrland
        #[arg(long)]
        region: String,
        /// The organisation's id or exact name (see `kartskola org list`)
        #[arg(long)]
        organisation: Option<String>,
        /// trainer, manager or admin (repeatable)
        #[arg(long = "capability")]
        capabilities: Vec<String>,
        /// Read the password from standard input instead of printing an invitation link
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set exactly these capabilities (none: a learner only)
    SetRole {
        #[arg(long)]
        email: String,
        /// trainer, manager or admin (repeatable)
        #[arg(long = "capability")]
        capabilities: Vec<String>,
    },
    /// Move a person to a region and (optionally) an organisation in it
    SetRegion {
        #[arg(long)]
        email: String,
        #[arg(long)]
        region: String,
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Stop a person from logging in (their sessions end at once)
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Let a disabled person log in again
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Print a single-use link for the person to choose a new password (an invitation if they
    /// have none yet); earlier links stop working
    ResetLink {
        #[arg(long)]
        email: String,
    },
    /// List people (name, e-mail, region, capabilities, status)
    List {
        #[arg(long)]
        region: Option<String>,
    },
    /// Remove a person's name and e-mail for good, keeping their attempts under a pseudonym
    Pseudonymise {
        #[arg(long)]
        email: String,
        /// Confirms that this cannot be undone
        #[arg(long)]
        yes: bool,
    },
}

pub(super) async fn run(common: &CommonArgs, serve: &ServeArgs, command: UserCommand) -> ExitCode {
    let result = async {
        let shell = Shell::open(common, serve).await?;
        let result = user_inner(&shell, command).await;
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

fn parse_capabilities(raw: &[String]) -> Result<Vec<Capability>, String> {
    let mut capabilities = raw
        .iter()
        .map(|c| {
            Capability::parse(c.trim())
                .ok_or_else(|| format!("--capability {c:?} is not trainer, manager or admin"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    capabilities.sort();
    capabilities.dedup();
    Ok(capabilities)
}

fn check_region(region: &str) -> Result<(), String> {
    if REGIONS.contains(&region) {
        Ok(())
    } else {
        Err(format!(
            "--region {region:?} is not one of {}",
            REGIONS.join(", ")
        ))
    }
}

async fn find(shell: &Shell, email: &str) -> Result<PersonRow, String> {
    shell
        .db
        .person_by_email_in_scope(&Scope::operator(), email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no person has the e-mail {}", normalise_email(email)))
}

async fn organisation_id(
    shell: &Shell,
    key: Option<&str>,
    region: &str,
) -> Result<Option<i64>, String> {
    let Some(key) = key else { return Ok(None) };
    let organisation = shell
        .db
        .organisation_by_id_or_name(key)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!("--organisation {key:?}: no such organisation (see `kartskola org list`)")
        })?;
    if organisation.region_id != region {
        return Err(format!(
            "--organisation {key:?} belongs to {}, not {region}",
            organisation.region_id
        ));
    }
    Ok(Some(organisation.organisation_id))
}

fn read_password() -> Result<String, String> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

async fn user_inner(shell: &Shell, command: UserCommand) -> Result<String, String> {
    let db = &shell.db;
    let operator = Scope::operator();
    match command {
        UserCommand::Add {
            email,
            name,
            region,
            organisation,
            capabilities,
            password_stdin,
        } => {
            let email = normalise_email(&email);
            if !is_plausible_email(&email) {
                return Err(format!("--email {email:?} is not an e-mail address"));
            }
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                return Err("--name must have 1 to 200 characters".to_owned());
            }
            check_region(&region)?;
            let capabilities = parse_capabilities(&capabilities)?;
            if db.demo_accounts_exist().await.map_err(|e| e.to_string())? {
                return Err(
                    "demo accounts exist (their password is public): remove them with `kartskola seed-demo --remove` before adding people"
                        .to_owned(),
                );
            }
            let organisation_id = organisation_id(shell, organisation.as_deref(), &region).await?;
            let hash = if password_stdin {
                let password = read_password()?;
                password::check_strength_for(&password, &[&email, name])
                    .map_err(|e| e.to_string())?;
                Some(password::hash_blocking(&password).map_err(|e| e.to_string())?)
            } else {
                None
            };
            let new = NewPerson {
                email: &email,
                display_name: name,
                region_id: &region,
                organisation_id,
                password_hash: hash.as_deref(),
                capabilities: &capabilities,
            };
            let person_id = match db.insert_person(&new).await.map_err(|e| e.to_string())? {
                Ok(id) => id,
                Err(InsertRefused::EmailTaken) => {
                    return Err(format!("a person with the e-mail {email} already exists"));
                }
                Err(InsertRefused::BadOrganisation) => {
                    return Err("the organisation does not belong to the region".to_owned());
                }
                Err(InsertRefused::DemoPresent) => {
                    return Err("demo accounts exist: remove them with `kartskola seed-demo --remove` first".to_owned());
                }
            };
            let caps: Vec<&str> = capabilities.iter().map(|c| c.as_str()).collect();
            audit(db, "person_create", person_id, Some(&caps.join(","))).await;
            let mut message = format!("created person {person_id} <{email}> in {region}");
            if hash.is_none() {
                let link =
                    links::issue(db, &shell.public_url, person_id, LinkPurpose::Invite, None)
                        .await
                        .map_err(|e| e.to_string())?;
                audit(db, "link_issue", person_id, Some("invite")).await;
                message.push_str(&format!(
                    "\ninvitation link (single use, valid for 7 days; give it to the person):\n{link}"
                ));
            }
            Ok(message)
        }
        UserCommand::SetRole {
            email,
            capabilities,
        } => {
            let capabilities = parse_capabilities(&capabilities)?;
            let person = find(shell, &email).await?;
            let before = db
                .set_capabilities(&operator, person.person_id, &capabilities)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("{email} is pseudonymised and cannot change"))?;
            let names = |list: &[Capability]| {
                list.iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let detail = format!("{} -> {}", names(&before), names(&capabilities));
            audit(db, "capability_change", person.person_id, Some(&detail)).await;
            Ok(format!("{}: capabilities {detail}", person.email))
        }
        UserCommand::SetRegion {
            email,
            region,
            organisation,
        } => {
            check_region(&region)?;
            let person = find(shell, &email).await?;
            let organisation_id = organisation_id(shell, organisation.as_deref(), &region).await?;
            let placement = Placement {
                region_id: &region,
                organisation_id,
            };
            if !db
                .set_placement(&operator, person.person_id, placement)
                .await
                .map_err(|e| e.to_string())?
            {
                return Err(format!("{email} cannot be moved (pseudonymised?)"));
            }
            let detail = format!(
                "region={region} organisation={}",
                organisation_id.map_or_else(|| "none".to_owned(), |o| o.to_string())
            );
            audit(db, "placement_change", person.person_id, Some(&detail)).await;
            Ok(format!("{}: {detail}", person.email))
        }
        UserCommand::Disable { email } => set_disabled(shell, &email, true).await,
        UserCommand::Enable { email } => set_disabled(shell, &email, false).await,
        UserCommand::ResetLink { email } => {
            let person = find(shell, &email).await?;
            if person.pseudonymised > 0 || person.disabled > 0 {
                return Err(format!(
                    "{email} is disabled or pseudonymised: enable them first"
                ));
            }
            let purpose = if person.has_password > 0 {
                LinkPurpose::Reset
            } else {
                LinkPurpose::Invite
            };
            let link = links::issue(db, &shell.public_url, person.person_id, purpose, None)
                .await
                .map_err(|e| e.to_string())?;
            audit(db, "link_issue", person.person_id, Some(purpose.as_str())).await;
            let valid = match purpose {
                LinkPurpose::Invite => "7 days",
                LinkPurpose::Reset => "24 hours",
            };
            Ok(format!(
                "link for {} (single use, valid for {valid}; earlier links no longer work):\n{link}",
                person.email
            ))
        }
        UserCommand::List { region } => {
            let query = PeopleQuery {
                text: None,
                region_id: region,
                limit: 1000,
            };
            let people = db
                .people_in_scope(&operator, &query)
                .await
                .map_err(|e| e.to_string())?;
            let mut lines = vec![format!(
                "{:>6}  {:<40} {:<30} {:<20} {:<22} status",
                "id", "e-mail", "name", "region", "capabilities"
            )];
            for p in &people {
                let caps: Vec<&str> = p.capabilities().iter().map(|c| c.as_str()).collect();
                let status = if p.pseudonymised > 0 {
                    "pseudonymised"
                } else if p.disabled > 0 {
                    "disabled"
                } else if p.has_password == 0 {
                    "invited"
                } else {
                    "active"
                };
                lines.push(format!(
                    "{:>6}  {:<40} {:<30} {:<20} {:<22} {status}",
                    p.person_id,
                    p.email,
                    p.display_name,
                    p.region_id,
                    caps.join(",")
                ));
            }
            lines.push(format!("{} person(s)", people.len()));
            Ok(lines.join("\n"))
        }
        UserCommand::Pseudonymise { email, yes } => {
            if !yes {
                return Err("pseudonymisation cannot be undone: add --yes to confirm".to_owned());
            }
            let person = find(shell, &email).await?;
            let pseudonym = new_pseudonym().map_err(|e| e.to_string())?;
            if !db
                .pseudonymise(&operator, person.person_id, &pseudonym)
                .await
                .map_err(|e| e.to_string())?
            {
                return Err(format!("{email} is already pseudonymised"));
            }
            audit(db, "pseudonymise", person.person_id, None).await;
            Ok(format!(
                "person {} is pseudonymised as {pseudonym}; their attempts are kept",
                person.person_id
            ))
        }
    }
}

async fn set_disabled(shell: &Shell, email: &str, disabled: bool) -> Result<String, String> {
    let person = find(shell, email).await?;
    if !shell
        .db
        .set_disabled(&Scope::operator(), person.person_id, disabled)
        .await
        .map_err(|e| e.to_string())?
    {
        return Err(format!("{email} is pseudonymised and cannot change"));
    }
    let action = if disabled { "disable" } else { "enable" };
    audit(&shell.db, action, person.person_id, None).await;
    Ok(format!(
        "{}: {}",
        person.email,
        if disabled {
            "disabled; their sessions have ended"
        } else {
            "enabled"
        }
    ))
}
