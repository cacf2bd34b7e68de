//! Attempts as xAPI statements need them, read through the caller's scope: no answer, no
//! feedback, just who, what, when and how well.

use sqlx::FromRow;

use super::scope::{Scope, bind_scope, visible_person};
use super::{Db, DbError};

/// An attempt as an xAPI statement needs it.
#[derive(Debug, Clone, FromRow)]
pub struct StatementRow {
    pub attempt_id: i64,
    pub person_id: i64,
    pub display_name: String,
    pub exercise_id: String,
    pub attempt_no: i64,
    pub score: f64,
    pub passed: i64,
    pub created_at_ms: i64,
}

impl Db {
    /// Attempts the scope may see, after `(since_ms, after_id)` in (time, id) order, at most
    /// `limit` (1 to 1000).
    pub async fn statements_in_scope(
        &self,
        scope: &Scope,
        since_ms: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<StatementRow>, DbError> {
        let query = sqlx::query_as::<_, StatementRow>(concat!(
            "select a.attempt_id, a.person_id, p.display_name, a.exercise_id, a.attempt_no, a.score, a.passed, \
                    a.created_at_ms \
             from attempt a join person p on p.person_id = a.person_id \
             where (a.created_at_ms > $6 or (a.created_at_ms = $6 and a.attempt_id > $7)) and ",
            visible_person!(),
            " order by a.created_at_ms, a.attempt_id limit $8"
        ));
        Ok(bind_scope!(query, scope)
            .bind(since_ms)
            .bind(after_id)
            .bind(limit.clamp(1, 1000))
            .fetch_all(self.reader())
            .await?)
    }
}
