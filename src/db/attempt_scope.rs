//! One attempt read through the caller's scope: their own, a cohort member's (trainer), a
//! region person's (manager: the score, not the answer) or anyone's (admin).

use super::attempts::AttemptRow;
use super::scope::{Scope, answers_visible, bind_scope, visible_person};
use super::{Db, DbError};

/// An attempt the scope may see, and whether it may see the raw answer.
#[derive(Debug, Clone)]
pub struct ScopedAttempt {
    pub attempt: AttemptRow,
    pub answer_visible: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    attempt: AttemptRow,
    answers_visible: i64,
}

impl Db {
    /// The attempt, if the scope may see its person; with a manager-only view the answer is
    /// blanked here, so no handler can send it by mistake.
    pub async fn attempt_in_scope(
        &self,
        scope: &Scope,
        attempt_id: i64,
    ) -> Result<Option<ScopedAttempt>, DbError> {
        let query = sqlx::query_as::<_, Row>(concat!(
            "select a.attempt_id, a.person_id, a.exercise_id, a.attempt_no, a.answer, a.result, a.score, a.passed, \
                    a.content_hash, a.grader_version, a.created_at_ms, ",
            answers_visible!(),
            " as answers_visible from attempt a join person p on p.person_id = a.person_id \
             where a.attempt_id = $6 and ",
            visible_person!()
        ));
        let row = bind_scope!(query, scope)
            .bind(attempt_id)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.map(|row| {
            let answer_visible = row.answers_visible > 0;
            let mut attempt = row.attempt;
            if !answer_visible {
                attempt.answer = String::from("null");
                attempt.result = scores_only(&attempt.result);
            }
            ScopedAttempt {
                attempt,
                answer_visible,
            }
        }))
    }

    /// Whether an attempt with this id exists at all (to audit an out-of-scope request).
    pub async fn attempt_exists(&self, attempt_id: i64) -> Result<bool, DbError> {
        Ok(
            sqlx::query_scalar::<_, i64>("select count(*) from attempt where attempt_id = $1")
                .bind(attempt_id)
                .fetch_one(self.reader())
                .await?
                > 0,
        )
    }
}

/// A stored result with only its scores: metrics, feedback and geometries all describe the
/// answer, so a manager's view drops them (the shape stays that of a result).
fn scores_only(result: &str) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(result) else {
        return String::from("null");
    };
    if let Some(object) = value.as_object_mut() {
        object.insert("metrics".to_owned(), serde_json::json!({}));
        object.insert("feedback".to_owned(), serde_json::json!([]));
        object.insert(
            "geometries".to_owned(),
            serde_json::json!({"type": "FeatureCollection", "features": []}),
        );
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_only_keeps_the_score_and_drops_what_describes_the_answer() {
        let stored = r#"{"exercise":"x","score":0.5,"passed":false,"metrics":{"distance_m":900},
            "feedback":[{"code":"near_feature"}],"geometries":{"type":"FeatureCollection","features":[{"type":"Feature"}]}}"#;
        let kept: serde_json::Value =
            serde_json::from_str(&scores_only(stored)).unwrap_or_default();
        assert_eq!(kept["score"], 0.5);
        assert_eq!(kept["metrics"], serde_json::json!({}));
        assert_eq!(kept["feedback"], serde_json::json!([]));
        assert_eq!(kept["geometries"]["features"], serde_json::json!([]));
    }
}
