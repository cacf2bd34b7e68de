//! Invitation and password-reset links: single use, expiring, stored as the token's hash.
//! Using one sets the password, ends the person's sessions and voids their other links, in one
//! transaction, so a link cannot be used twice even by two requests at once.

use sqlx::FromRow;

use super::{Db, DbError};

/// Why a link was made; it changes only the wording of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    Invite,
    Reset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invite => "invite",
            Self::Reset => "reset",
        }
    }
}

/// The person a live link lets set a password.
#[derive(Debug, Clone, FromRow)]
pub struct LinkTarget {
    pub person_id: i64,
    pub purpose: String,
    pub email: String,
    pub display_name: String,
}

impl Db {
    /// Stores a new link for a person; their earlier unused links stop working.
    pub async fn insert_link(
        &self,
        person_id: i64,
        purpose: LinkPurpose,
        token_hash: &str,
        created_by: Option<i64>,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "update invitation set used_at_ms = $1 where person_id = $2 and used_at_ms is null",
        )
        .bind(now_ms)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "insert into invitation (person_id, token_hash, purpose, created_by_person_id, created_at_ms, expires_at_ms) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(person_id)
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(created_by)
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The person of an unused, unexpired link, if they may still log in.
    pub async fn link_target(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<LinkTarget>, DbError> {
        Ok(sqlx::query_as::<_, LinkTarget>(
            "select p.person_id, i.purpose, p.email, p.display_name \
             from invitation i join person p on p.person_id = i.person_id \
             where i.token_hash = $1 and i.used_at_ms is null and i.expires_at_ms > $2 \
               and p.disabled_at_ms is null and p.pseudonymised_at_ms is null",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(self.reader())
        .await?)
    }

    /// Uses a link: sets the password, ends the person's sessions, voids their links. `None`:
    /// the link is unknown, used, expired, or its person can no longer log in.
    pub async fn use_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, DbError> {
        let mut tx = self.writer().begin().await?;
        let person_id = sqlx::query_scalar::<_, i64>(
            "update invitation set used_at_ms = $1 \
             where token_hash = $2 and used_at_ms is null and expires_at_ms > $1 \
               and exists (select 1 from person p where p.person_id = invitation.person_id \
                           and p.disabled_at_ms is null and p.pseudonymised_at_ms is null) \
             returning person_id",
        )
        .bind(now_ms)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(person_id) = person_id else {
            return Ok(None);
        };
        sqlx::query(
            "update invitation set used_at_ms = $1 where person_id = $2 and used_at_ms is null",
        )
        .bind(now_ms)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "update person set password_hash = $1, updated_at_ms = $2 where person_id = $3",
        )
        .bind(password_hash)
        .bind(now_ms)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from session where person_id = $1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(person_id))
    }
}
