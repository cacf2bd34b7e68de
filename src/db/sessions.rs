//! Login sessions and pre-login sessions: only the SHA-256 of the random session id is stored.
//!
//! A pre-login session (no person) exists so that the login and set-password forms carry a
//! CSRF token like every other form (login CSRF); logging in replaces it with a new session.

use std::fmt;

use sqlx::FromRow;

use super::{Capability, Db, DbError};

/// A live session with the person it belongs to.
#[derive(Clone, FromRow)]
pub struct SessionRow {
    pub person_id: i64,
    pub csrf_token: String,
    pub created_at_ms: i64,
    pub last_seen_ms: i64,
    pub email: String,
    pub display_name: String,
    pub region_id: String,
    pub organisation_id: Option<i64>,
    /// The person's capabilities, `,`-separated (read with the session: every authenticated
    /// request needs them, and one query is half the round trips of two).
    capabilities: Option<String>,
}

impl SessionRow {
    /// The person's capabilities, sorted.
    pub fn capabilities(&self) -> Vec<Capability> {
        let mut list: Vec<Capability> = self
            .capabilities
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter_map(Capability::parse)
            .collect();
        list.sort();
        list.dedup();
        list
    }
}

/// The CSRF token is a secret of the browser's session: it never reaches a log.
impl fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRow")
            .field("person_id", &self.person_id)
            .field("created_at_ms", &self.created_at_ms)
            .field("last_seen_ms", &self.last_seen_ms)
            .finish_non_exhaustive()
    }
}

/// What the CSRF check needs of any session, logged in or not.
#[derive(Clone, FromRow)]
pub struct SessionToken {
    pub person_id: Option<i64>,
    pub csrf_token: String,
    pub created_at_ms: i64,
    pub last_seen_ms: i64,
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionToken")
            .field("person_id", &self.person_id)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Stores a new session; `person_id: None` makes a pre-login session.
    pub async fn insert_session(
        &self,
        session_hash: &str,
        person_id: Option<i64>,
        csrf_token: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "insert into session (session_hash, person_id, csrf_token, created_at_ms, last_seen_ms) \
             values ($1, $2, $3, $4, $4)",
        )
        .bind(session_hash)
        .bind(person_id)
        .bind(csrf_token)
        .bind(now_ms)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Logs a person in: the sessions the browser held (a pre-login session, an older login)
    /// are deleted and a new one is made, in one transaction, so no id survives a login.
    pub async fn replace_session(
        &self,
        old_hashes: &[&str],
        session_hash: &str,
        person_id: i64,
        csrf_token: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.writer().begin().await?;
        for old in old_hashes {
            sqlx::query("delete from session where session_hash = $1")
                .bind(*old)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "insert into session (session_hash, person_id, csrf_token, created_at_ms, last_seen_ms) \
             values ($1, $2, $3, $4, $4)",
        )
        .bind(session_hash)
        .bind(person_id)
        .bind(csrf_token)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session and its person, if the person is still enabled.
    pub async fn session(&self, session_hash: &str) -> Result<Option<SessionRow>, DbError> {
        Ok(sqlx::query_as::<_, SessionRow>(
            "select s.person_id, s.csrf_token, s.created_at_ms, s.last_seen_ms, \
                    p.email, p.display_name, p.region_id, p.organisation_id, \
                    (select string_agg(c.capability, ',') from person_capability c \
                     where c.person_id = p.person_id) as capabilities \
             from session s join person p on p.person_id = s.person_id \
             where s.session_hash = $1 and p.disabled_at_ms is null and p.pseudonymised_at_ms is null",
        )
        .bind(session_hash)
        .fetch_optional(self.reader())
        .await?)
    }

    /// Any session's CSRF token, logged in or not (the CSRF check of HTML forms).
    pub async fn session_token(&self, session_hash: &str) -> Result<Option<SessionToken>, DbError> {
        Ok(sqlx::query_as::<_, SessionToken>(
            "select person_id, csrf_token, created_at_ms, last_seen_ms from session where session_hash = $1",
        )
        .bind(session_hash)
        .fetch_optional(self.reader())
        .await?)
    }

    pub async fn touch_session(&self, session_hash: &str, now_ms: i64) -> Result<(), DbError> {
        sqlx::query("update session set last_seen_ms = $1 where session_hash = $2")
            .bind(now_ms)
            .bind(session_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, session_hash: &str) -> Result<(), DbError> {
        sqlx::query("delete from session where session_hash = $1")
            .bind(session_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// How many live sessions a person has (the account page; tests of "ends their sessions").
    pub async fn session_count(&self, person_id: i64) -> Result<i64, DbError> {
        Ok(
            sqlx::query_scalar::<_, i64>("select count(*) from session where person_id = $1")
                .bind(person_id)
                .fetch_one(self.reader())
                .await?,
        )
    }
}
