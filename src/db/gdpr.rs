//! The data protection rights: everything the service holds about a person, for their own
//! download, and pseudonymisation, which removes who they were but keeps their attempts under
//! a random id for statistics.

use sqlx::FromRow;

use super::attempts::AttemptRow;
use super::scope::Scope;
use super::{Db, DbError, now_ms};

/// The e-mail domain given to pseudonymised people (`.invalid` is reserved: it never delivers).
pub const PSEUDONYMISED_DOMAIN: &str = "@pseudonymised.invalid";

#[derive(Debug, Clone, FromRow)]
pub struct OwnSession {
    pub created_at_ms: i64,
    pub last_seen_ms: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct OwnCohort {
    pub cohort_id: i64,
    pub name: String,
    pub course: String,
    pub added_at_ms: i64,
}

impl Db {
    /// Every attempt of a person, oldest first, answers included (their own data).
    pub async fn own_attempts(&self, person_id: i64) -> Result<Vec<AttemptRow>, DbError> {
        Ok(sqlx::query_as::<_, AttemptRow>(
            "select attempt_id, person_id, exercise_id, attempt_no, answer, result, score, passed, \
                    content_hash, grader_version, created_at_ms \
             from attempt where person_id = $1 order by created_at_ms, attempt_id",
        )
        .bind(person_id)
        .fetch_all(self.reader())
        .await?)
    }

    /// When the person's live sessions began and were last used (never their ids).
    pub async fn own_sessions(&self, person_id: i64) -> Result<Vec<OwnSession>, DbError> {
        Ok(sqlx::query_as::<_, OwnSession>(
            "select created_at_ms, last_seen_ms from session where person_id = $1 order by created_at_ms",
        )
        .bind(person_id)
        .fetch_all(self.reader())
        .await?)
    }

    pub async fn own_cohorts(&self, person_id: i64) -> Result<Vec<OwnCohort>, DbError> {
        Ok(sqlx::query_as::<_, OwnCohort>(
            "select c.cohort_id, c.name, c.course, m.added_at_ms \
             from cohort_member m join cohort c on c.cohort_id = m.cohort_id \
             where m.person_id = $1 order by m.added_at_ms",
        )
        .bind(person_id)
        .fetch_all(self.reader())
        .await?)
    }

    /// Pseudonymises a person (admins only): name and e-mail become the pseudonym, login becomes
    /// impossible (no password, disabled, no sessions, tokens, links or capabilities), and the
    /// attempts stay, under the same person id, for statistics. `false`: not changed.
    pub async fn pseudonymise(
        &self,
        scope: &Scope,
        person_id: i64,
        pseudonym: &str,
    ) -> Result<bool, DbError> {
        if !scope.is_admin() {
            return Ok(false);
        }
        let now = now_ms();
        let mut tx = self.writer().begin().await?;
        let changed = sqlx::query(
            "update person set email = $1, display_name = $2, pseudonym = $2, password_hash = null, \
                    pseudonymised_at_ms = $3, disabled_at_ms = coalesce(disabled_at_ms, $3), updated_at_ms = $3 \
             where person_id = $4 and pseudonymised_at_ms is null",
        )
        .bind(format!("{}{PSEUDONYMISED_DOMAIN}", pseudonym.to_lowercase()))
        .bind(pseudonym)
        .bind(now)
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Ok(false);
        }
        for statement in [
            "delete from session where person_id = $1",
            "delete from api_token where person_id = $1",
            "delete from invitation where person_id = $1",
            "delete from person_capability where person_id = $1",
            "delete from idempotency_key where person_id = $1",
            // A trainer's comment is free text that may name the person; the grades stay.
            "update grade_override set comment = '–' \
             where attempt_id in (select attempt_id from attempt where person_id = $1)",
        ] {
            sqlx::query(statement)
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
