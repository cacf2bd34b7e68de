//! Invitation and reset links (there is no mail server: an admin hands the link over). A link
//! is a random token in the query string of `/set-password`, so it stays out of the request
//! logs, which record paths only; the database keeps its hash.

use super::AuthError;
use super::token::{random_token, token_hash};
use crate::db::{Db, LinkPurpose, now_ms};

/// An invitation gives a new person a week to come in.
pub const INVITE_TTL_MS: i64 = 7 * 24 * 3_600_000;
/// A reset link is for now: a day.
pub const RESET_TTL_MS: i64 = 24 * 3_600_000;

/// The path of the page a link opens.
pub const SET_PASSWORD_PATH: &str = "/set-password";

/// Makes a link for a person (voiding their earlier ones) and returns its full URL.
pub async fn issue(
    db: &Db,
    public_url: &str,
    person_id: i64,
    purpose: LinkPurpose,
    created_by: Option<i64>,
) -> Result<String, AuthError> {
    let token = random_token()?;
    let now = now_ms();
    let ttl = match purpose {
        LinkPurpose::Invite => INVITE_TTL_MS,
        LinkPurpose::Reset => RESET_TTL_MS,
    };
    db.insert_link(
        person_id,
        purpose,
        &token_hash(&token),
        created_by,
        now,
        now + ttl,
    )
    .await?;
    Ok(format!("{public_url}{SET_PASSWORD_PATH}?token={token}"))
}
