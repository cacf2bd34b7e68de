//! What `kartskola seed-demo` writes and removes beyond ordinary people: attempts with past
//! times (a believable history), and the removal of every demo account with what hangs on it.

use super::people::DEMO_DOMAIN;
use super::{Db, DbError};

/// An already graded attempt at a chosen time.
#[derive(Debug, Clone)]
pub struct SeedAttempt<'a> {
    pub person_id: i64,
    pub exercise_id: &'a str,
    pub attempt_no: i64,
    pub answer: &'a str,
    pub result: &'a str,
    pub score: f64,
    pub passed: bool,
    pub content_hash: &'a str,
    pub grader_version: &'a str,
    pub created_at_ms: i64,
}

impl Db {
    /// Accounts outside the demo domain (seed-demo refuses to mix demo and real people).
    pub async fn non_demo_accounts(&self) -> Result<i64, DbError> {
        Ok(
            sqlx::query_scalar::<_, i64>("select count(*) from person where email not like $1")
                .bind(format!("%{DEMO_DOMAIN}"))
                .fetch_one(self.reader())
                .await?,
        )
    }

    pub async fn insert_seed_attempts(&self, attempts: &[SeedAttempt<'_>]) -> Result<(), DbError> {
        let mut tx = self.writer().begin().await?;
        for a in attempts {
            sqlx::query(
                "insert into attempt (person_id, exercise_id, attempt_no, answer, result, score, passed, \
                                      content_hash, grader_version, created_at_ms) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(a.person_id)
            .bind(a.exercise_id)
            .bind(a.attempt_no)
            .bind(a.answer)
            .bind(a.result)
            .bind(a.score)
            .bind(i64::from(a.passed))
            .bind(a.content_hash)
            .bind(a.grader_version)
            .bind(a.created_at_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes every demo account (their attempts, sessions, tokens, links and cohorts go with
    /// them) and then the named organisations no one belongs to any more. Returns the numbers
    /// of people and organisations removed.
    pub async fn remove_demo(&self, organisations: &[(&str, &str)]) -> Result<(u64, u64), DbError> {
        let mut tx = self.writer().begin().await?;
        let people = sqlx::query("delete from person where email like $1")
            .bind(format!("%{DEMO_DOMAIN}"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let mut removed = 0;
        for (name, region_id) in organisations {
            removed += sqlx::query(
                "delete from organisation where name = $1 and region_id = $2 \
                 and not exists (select 1 from person p where p.organisation_id = organisation.organisation_id)",
            )
            .bind(*name)
            .bind(*region_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok((people, removed))
    }
}
