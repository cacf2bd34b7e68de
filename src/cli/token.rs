//! `kartskola token …`: read-only API tokens for machines (a Learning Record Store pulling
//! xAPI, a reporting tool pulling the CSV). A token acts with its owner's scope; it is printed
//! once and only its hash is stored.

use std::process::ExitCode;

use clap::Subcommand;

use super::shell::{Shell, audit};
use crate::auth::token::{new_api_token, token_hash};
use crate::config::{CommonArgs, ServeArgs, parse_duration};
use crate::db::{Scope, now_ms};
use crate::progress::time::rfc3339;

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Make a token that reads with the owner's scope; it is printed once
    Add {
        /// The owner's e-mail (e.g. a manager for one region's data, an admin for all)
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "LRS Region Norrbotten"
        #[arg(long)]
        name: String,
        /// Lifetime, e.g. 90d or 12h [default: no expiry]
        #[arg(long)]
        expires: Option<String>,
    },
    /// List tokens (never the tokens themselves)
    List,
    /// Revoke a token by its id (see `token list`)
    Revoke {
        #[arg(long)]
        id: i64,
    },
}

/// `90d`, or what `config::parse_duration` accepts, in milliseconds.
fn lifetime_ms(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if let Some(days) = raw.strip_suffix('d') {
        let days: i64 = days.parse().ok().filter(|d| *d > 0)?;
        return days.checked_mul(24 * 3_600_000);
    }
    parse_duration(raw).and_then(|d| i64::try_from(d.as_millis()).ok())
}

pub(super) async fn run(common: &CommonArgs, serve: &ServeArgs, command: TokenCommand) -> ExitCode {
    let result = async {
        let shell = Shell::open(common, serve).await?;
        let result = token_inner(&shell, command).await;
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

async fn token_inner(shell: &Shell, command: TokenCommand) -> Result<String, String> {
    let db = &shell.db;
    let now = now_ms();
    match command {
        TokenCommand::Add {
            email,
            name,
            expires,
        } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err("--name must have 1 to 100 characters".to_owned());
            }
            let expires_at = match expires.as_deref() {
                None => None,
                Some(raw) => Some(
                    now + lifetime_ms(raw).ok_or_else(|| {
                        format!("--expires {raw:?} is not a duration such as 90d or 12h")
                    })?,
                ),
            };
            let owner = db
                .person_by_email_in_scope(&Scope::operator(), &email)
                .await
                .map_err(|e| e.to_string())?
                .filter(|p| p.disabled == 0 && p.pseudonymised == 0)
                .ok_or_else(|| format!("no enabled person has the e-mail {email}"))?;
            let token = new_api_token().map_err(|e| e.to_string())?;
            let id = db
                .insert_api_token(owner.person_id, name, &token_hash(&token), now, expires_at)
                .await
                .map_err(|e| e.to_string())?;
            audit(
                db,
                "token_create",
                owner.person_id,
                Some(&format!("token:{id}")),
            )
            .await;
            Ok(format!(
                "token {id} for {} (reads with their scope{}); shown once, keep it secret:\n{token}",
                owner.email,
                expires_at
                    .map(|e| format!(", expires {}", rfc3339(e)))
                    .unwrap_or_default()
            ))
        }
        TokenCommand::List => {
            let tokens = db.api_tokens(None).await.map_err(|e| e.to_string())?;
            let mut lines = vec![format!(
                "{:>5}  {:<30} {:<40} {:<25} status",
                "id", "name", "owner", "last used"
            )];
            for t in &tokens {
                let status = if t.revoked_at_ms.is_some() {
                    "revoked"
                } else if t.expires_at_ms.is_some_and(|e| e <= now) {
                    "expired"
                } else {
                    "active"
                };
                lines.push(format!(
                    "{:>5}  {:<30} {:<40} {:<25} {status}",
                    t.api_token_id,
                    t.name,
                    t.owner_email,
                    t.last_used_ms
                        .map(rfc3339)
                        .unwrap_or_else(|| "never".to_owned())
                ));
            }
            lines.push(format!("{} token(s)", tokens.len()));
            Ok(lines.join("\n"))
        }
        TokenCommand::Revoke { id } => {
            let owner = db
                .api_tokens(None)
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .find(|t| t.api_token_id == id)
                .map(|t| t.person_id);
            if !db
                .revoke_api_token(id, now)
                .await
                .map_err(|e| e.to_string())?
            {
                return Err(format!("no live token has the id {id}"));
            }
            if let Some(owner) = owner {
                audit(db, "token_revoke", owner, Some(&format!("token:{id}"))).await;
            }
            Ok(format!("token {id} is revoked"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_take_days() {
        assert_eq!(lifetime_ms("90d"), Some(90 * 24 * 3_600_000));
        assert_eq!(lifetime_ms("12h"), Some(12 * 3_600_000));
        assert_eq!(lifetime_ms("0d"), None);
        assert_eq!(lifetime_ms("soon"), None);
    }
}
