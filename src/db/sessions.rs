//! Login sessions: only the SHA-256 of the random session id is stored.

use sqlx::FromRow;

use super::{Db, DbError};

/// A live session with the person it belongs to.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub person_id: i64,
    pub csrf_token: String,
    pub created_at_ms: i64,
    pub last_seen_ms: i64,
    pub email: String,
    pub display_name: String,
    pub region_id: String,
    pub organisation_id: Option<i64>,
}

impl Db {
    pub async fn insert_session(
        &self,
        session_hash: &str,
        person_id: i64,
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

    /// The session and its person, if the person is still enabled.
    pub async fn session(&self, session_hash: &str) -> Result<Option<SessionRow>, DbError> {
        Ok(sqlx::query_as::<_, SessionRow>(
            "select s.person_id, s.csrf_token, s.created_at_ms, s.last_seen_ms, \
                    p.email, p.display_name, p.region_id, p.organisation_id \
             from session s join person p on p.person_id = s.person_id \
             where s.session_hash = $1 and p.disabled_at_ms is null and p.pseudonymised_at_ms is null",
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
}
