//! Cohorts: groups a trainer runs. They decide the trainer's scope (members' progress, attempts
//! and answers), and hold what the trainer's pages (`/cohorts`, issue #8) change: members, due
//! dates per module, and grade overrides.
//!
//! Every function takes the caller's [`Scope`] and applies one rule, [`runs_cohort!`]: the
//! cohort's own trainer, or an admin. Anyone else gets `None`/`false`, which the web layer turns
//! into the same 404 as a cohort that does not exist, so cohort ids do not leak.

use sqlx::FromRow;

use super::people::normalise_email;
use super::progress::StatRow;
use super::scope::{Scope, bind_scope, visible_person};
use super::{Db, DbError, now_ms};

/// People listed by one member search.
pub const SEARCH_LIMIT: i64 = 25;

/// Whether the scope bound as (`admin`, `trainer`) runs cohort `c`: an admin runs every cohort,
/// a trainer those whose `trainer_person_id` is theirs (`trainer` is -1 for a non-trainer).
macro_rules! runs_cohort {
    ($admin:literal, $trainer:literal) => {
        concat!("(", $admin, " = 1 or c.trainer_person_id = ", $trainer, ")")
    };
}

/// The two bind values of [`runs_cohort!`].
fn runner_binds(scope: &Scope) -> (i64, i64) {
    (
        i64::from(scope.is_admin()),
        if scope.is_trainer() {
            scope.person_id()
        } else {
            -1
        },
    )
}

/// `text` for a `like … escape '!'` pattern: its `%`, `_` and `!` match themselves.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(ch);
    }
    out
}

/// The outcome of adding a member by e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddMember {
    Added(i64),
    AlreadyMember(i64),
    /// No enabled person has that e-mail (or the cohort is not the scope's: checked before).
    NoSuchPerson,
}

/// A person a member search found.
#[derive(Debug, Clone, FromRow)]
pub struct PersonHit {
    pub person_id: i64,
    pub display_name: String,
    pub email: String,
    pub region_id: String,
    /// 1 when already a member of the cohort searched for.
    pub member: i64,
}

/// A due date a member sees on the course page.
#[derive(Debug, Clone, FromRow)]
pub struct OwnDue {
    pub cohort_name: String,
    pub module: String,
    pub due_at_ms: i64,
}

/// A member's latest attempt at an exercise, for the class map.
#[derive(Debug, Clone, FromRow)]
pub struct ClassAnswer {
    pub person_id: i64,
    pub display_name: String,
    pub attempt_id: i64,
    pub attempt_no: i64,
    pub answer: String,
    /// The engine's stored result (its `score` is the original score).
    pub result: String,
    /// The effective score (overridden or not).
    pub score: f64,
    pub passed: i64,
    pub created_at_ms: i64,
    pub overrides: i64,
}

/// A trainer's change of one attempt's grade.
#[derive(Debug, Clone, Copy)]
pub struct GradeChange<'a> {
    pub cohort_id: i64,
    pub attempt_id: i64,
    /// 0 to 1.
    pub score: f64,
    /// Required and shown to the learner; checked non-empty by the caller and the schema.
    pub comment: &'a str,
}

/// What an override changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Overridden {
    pub person_id: i64,
    pub exercise_id: String,
    pub engine_score: f64,
    pub previous_score: f64,
    pub score: f64,
    pub passed: bool,
}

/// An attempt's current override, as its learner sees it.
#[derive(Debug, Clone, FromRow)]
pub struct OverrideRow {
    pub attempt_id: i64,
    pub exercise_id: String,
    pub attempt_no: i64,
    pub engine_score: f64,
    pub previous_score: f64,
    pub score: f64,
    pub passed: i64,
    pub comment: String,
    pub created_at_ms: i64,
    /// Who overrode ('' when that account is gone).
    pub by_name: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct CohortRow {
    pub cohort_id: i64,
    pub name: String,
    pub course: String,
    pub region_id: String,
    pub trainer_person_id: i64,
    pub starts_at_ms: Option<i64>,
    pub ends_at_ms: Option<i64>,
    pub members: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct NewCohort<'a> {
    pub name: &'a str,
    pub course: &'a str,
    pub region_id: &'a str,
    pub trainer_person_id: i64,
    pub starts_at_ms: Option<i64>,
    pub ends_at_ms: Option<i64>,
}

/// A member as the cohort's trainer sees them.
#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub person_id: i64,
    pub display_name: String,
    pub email: String,
    pub region_id: String,
}

impl Db {
    /// Creates a cohort: a trainer for themselves, an admin for any trainer. `None`: not allowed.
    pub async fn create_cohort(
        &self,
        scope: &Scope,
        new: &NewCohort<'_>,
    ) -> Result<Option<i64>, DbError> {
        let allowed =
            scope.is_admin() || (scope.is_trainer() && new.trainer_person_id == scope.person_id());
        if !allowed {
            return Ok(None);
        }
        Ok(Some(
            sqlx::query_scalar::<_, i64>(
                "insert into cohort (name, course, region_id, trainer_person_id, starts_at_ms, ends_at_ms, created_at_ms) \
                 values ($1, $2, $3, $4, $5, $6, $7) returning cohort_id",
            )
            .bind(new.name.trim())
            .bind(new.course)
            .bind(new.region_id)
            .bind(new.trainer_person_id)
            .bind(new.starts_at_ms)
            .bind(new.ends_at_ms)
            .bind(now_ms())
            .fetch_one(self.writer())
            .await?,
        ))
    }

    /// Adds a person to a cohort the scope runs (or any, for an admin). `false`: not allowed,
    /// or no such cohort or person.
    /// A trainer reaches people of their own region by id (the search lists them); people of
    /// other regions only by exact e-mail ([`Db::add_cohort_member_by_email`], service spec).
    pub async fn add_cohort_member(
        &self,
        scope: &Scope,
        cohort_id: i64,
        person_id: i64,
    ) -> Result<bool, DbError> {
        let (admin, trainer) = runner_binds(scope);
        let changed = sqlx::query(
            "insert into cohort_member (cohort_id, person_id, added_at_ms) \
             select c.cohort_id, p.person_id, $1 from cohort c, person p \
             where c.cohort_id = $2 and p.person_id = $3 and p.pseudonymised_at_ms is null \
               and ($4 = 1 or (c.trainer_person_id = $5 and p.region_id = $6)) \
             on conflict (cohort_id, person_id) do nothing",
        )
        .bind(now_ms())
        .bind(cohort_id)
        .bind(person_id)
        .bind(admin)
        .bind(trainer)
        .bind(scope.region_id())
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Adds the enabled person with exactly this e-mail, from any region.
    pub async fn add_cohort_member_by_email(
        &self,
        scope: &Scope,
        cohort_id: i64,
        email: &str,
    ) -> Result<AddMember, DbError> {
        let email = normalise_email(email);
        let person = sqlx::query_scalar::<_, i64>(
            "select person_id from person where email = $1 \
             and disabled_at_ms is null and pseudonymised_at_ms is null",
        )
        .bind(&email)
        .fetch_optional(self.reader())
        .await?;
        let Some(person_id) = person else {
            return Ok(AddMember::NoSuchPerson);
        };
        let (admin, trainer) = runner_binds(scope);
        let changed = sqlx::query(concat!(
            "insert into cohort_member (cohort_id, person_id, added_at_ms) \
             select c.cohort_id, $3, $1 from cohort c where c.cohort_id = $2 and ",
            runs_cohort!("$4", "$5"),
            " on conflict (cohort_id, person_id) do nothing"
        ))
        .bind(now_ms())
        .bind(cohort_id)
        .bind(person_id)
        .bind(admin)
        .bind(trainer)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(if changed == 1 {
            AddMember::Added(person_id)
        } else {
            AddMember::AlreadyMember(person_id)
        })
    }

    /// Removes a member; `false` when the scope does not run the cohort or they were none.
    pub async fn remove_cohort_member(
        &self,
        scope: &Scope,
        cohort_id: i64,
        person_id: i64,
    ) -> Result<bool, DbError> {
        let (admin, trainer) = runner_binds(scope);
        let changed = sqlx::query(concat!(
            "delete from cohort_member where cohort_id = $1 and person_id = $2 \
             and exists (select 1 from cohort c where c.cohort_id = $1 and ",
            runs_cohort!("$3", "$4"),
            ")"
        ))
        .bind(cohort_id)
        .bind(person_id)
        .bind(admin)
        .bind(trainer)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// One cohort, if the scope runs it (any, for an admin).
    pub async fn cohort_in_scope(
        &self,
        scope: &Scope,
        cohort_id: i64,
    ) -> Result<Option<CohortRow>, DbError> {
        let (admin, trainer) = runner_binds(scope);
        Ok(sqlx::query_as::<_, CohortRow>(concat!(
            "select c.cohort_id, c.name, c.course, c.region_id, c.trainer_person_id, c.starts_at_ms, c.ends_at_ms, \
                    (select count(*) from cohort_member m where m.cohort_id = c.cohort_id) as members \
             from cohort c where c.cohort_id = $1 and ",
            runs_cohort!("$2", "$3")
        ))
        .bind(cohort_id)
        .bind(admin)
        .bind(trainer)
        .fetch_optional(self.reader())
        .await?)
    }

    /// People a cohort's runner may add, matching `text` in name or e-mail: a trainer searches
    /// their own region (an admin every region); anyone else is found by exact e-mail only.
    /// Disabled and pseudonymised people are never listed. At most [`SEARCH_LIMIT`] rows.
    pub async fn people_in_reach(
        &self,
        scope: &Scope,
        cohort_id: i64,
        text: &str,
    ) -> Result<Vec<PersonHit>, DbError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        Ok(sqlx::query_as::<_, PersonHit>(
            "select p.person_id, p.display_name, p.email, p.region_id, \
                    (select count(*) from cohort_member m where m.cohort_id = $1 and m.person_id = p.person_id) as member \
             from person p \
             where p.disabled_at_ms is null and p.pseudonymised_at_ms is null \
               and (p.email = $2 \
                    or (($3 = 1 or p.region_id = $4) \
                        and (lower(p.display_name) like $5 escape '!' or p.email like $5 escape '!'))) \
             order by lower(p.display_name), p.person_id limit $6",
        )
        .bind(cohort_id)
        .bind(normalise_email(text))
        .bind(i64::from(scope.is_admin()))
        .bind(scope.region_id())
        .bind(pattern)
        .bind(SEARCH_LIMIT)
        .fetch_all(self.reader())
        .await?)
    }

    /// Sets (or with `None` clears) a module's due date; `false` when the scope does not run
    /// the cohort.
    pub async fn set_cohort_due(
        &self,
        scope: &Scope,
        cohort_id: i64,
        module: &str,
        due_at_ms: Option<i64>,
    ) -> Result<bool, DbError> {
        let (admin, trainer) = runner_binds(scope);
        let changed = match due_at_ms {
            Some(due) => sqlx::query(concat!(
                "insert into cohort_due (cohort_id, module, due_at_ms) \
                 select c.cohort_id, $2, $3 from cohort c where c.cohort_id = $1 and ",
                runs_cohort!("$4", "$5"),
                " on conflict (cohort_id, module) do update set due_at_ms = excluded.due_at_ms"
            ))
            .bind(cohort_id)
            .bind(module)
            .bind(due)
            .bind(admin)
            .bind(trainer)
            .execute(self.writer())
            .await?
            .rows_affected(),
            None => {
                if self.cohort_in_scope(scope, cohort_id).await?.is_none() {
                    return Ok(false);
                }
                sqlx::query("delete from cohort_due where cohort_id = $1 and module = $2")
                    .bind(cohort_id)
                    .bind(module)
                    .execute(self.writer())
                    .await?;
                1
            }
        };
        Ok(changed == 1)
    }

    /// A cohort's due dates (module slug, due), if the scope runs it; empty otherwise.
    pub async fn cohort_due_dates(
        &self,
        scope: &Scope,
        cohort_id: i64,
    ) -> Result<Vec<(String, i64)>, DbError> {
        let (admin, trainer) = runner_binds(scope);
        Ok(sqlx::query_as::<_, (String, i64)>(concat!(
            "select d.module, d.due_at_ms from cohort_due d join cohort c on c.cohort_id = d.cohort_id \
             where c.cohort_id = $1 and ",
            runs_cohort!("$2", "$3"),
            " order by d.due_at_ms, d.module"
        ))
        .bind(cohort_id)
        .bind(admin)
        .bind(trainer)
        .fetch_all(self.reader())
        .await?)
    }

    /// The due dates a member has in a course, from every cohort they are in, earliest first.
    pub async fn own_due_dates(
        &self,
        person_id: i64,
        course: &str,
    ) -> Result<Vec<OwnDue>, DbError> {
        Ok(sqlx::query_as::<_, OwnDue>(
            "select c.name as cohort_name, d.module, d.due_at_ms \
             from cohort_member m join cohort c on c.cohort_id = m.cohort_id \
             join cohort_due d on d.cohort_id = c.cohort_id \
             where m.person_id = $1 and c.course = $2 order by d.due_at_ms, d.module, c.name",
        )
        .bind(person_id)
        .bind(course)
        .fetch_all(self.reader())
        .await?)
    }

    /// The `exercise_progress` rows of a cohort's members, if the scope runs it.
    pub async fn cohort_exercise_stats(
        &self,
        scope: &Scope,
        cohort_id: i64,
    ) -> Result<Vec<StatRow>, DbError> {
        let (admin, trainer) = runner_binds(scope);
        Ok(sqlx::query_as::<_, StatRow>(concat!(
            "select e.person_id, e.exercise_id, e.attempts, e.failures, e.best_score, e.latest_score, \
                    e.passed, e.last_at_ms, e.passed_at_ms \
             from cohort c join cohort_member m on m.cohort_id = c.cohort_id \
             join exercise_progress e on e.person_id = m.person_id \
             where c.cohort_id = $1 and ",
            runs_cohort!("$2", "$3"),
            " order by e.person_id, e.exercise_id"
        ))
        .bind(cohort_id)
        .bind(admin)
        .bind(trainer)
        .fetch_all(self.reader())
        .await?)
    }

    /// Every member's latest attempt at an exercise (the class map), if the scope runs the
    /// cohort. Members without an attempt have no row.
    pub async fn cohort_latest_answers(
        &self,
        scope: &Scope,
        cohort_id: i64,
        exercise_id: &str,
    ) -> Result<Vec<ClassAnswer>, DbError> {
        let (admin, trainer) = runner_binds(scope);
        Ok(sqlx::query_as::<_, ClassAnswer>(concat!(
            "select p.person_id, p.display_name, a.attempt_id, a.attempt_no, a.answer, a.result, \
                    a.score, a.passed, a.created_at_ms, \
                    (select count(*) from grade_override o where o.attempt_id = a.attempt_id) as overrides \
             from cohort c join cohort_member m on m.cohort_id = c.cohort_id \
             join person p on p.person_id = m.person_id \
             join attempt a on a.person_id = p.person_id and a.exercise_id = $4 \
             where c.cohort_id = $1 and ",
            runs_cohort!("$2", "$3"),
            " and a.attempt_no = (select max(l.attempt_no) from attempt l \
                                  where l.person_id = a.person_id and l.exercise_id = a.exercise_id) \
             order by lower(p.display_name), p.person_id"
        ))
        .bind(cohort_id)
        .bind(admin)
        .bind(trainer)
        .bind(exercise_id)
        .fetch_all(self.reader())
        .await?)
    }

    /// Overrides the grade of a cohort member's attempt: in one transaction, the override row
    /// (with the engine's score, the score before, the new one and the comment) and the
    /// attempt's effective `score`/`passed`, so the attempt triggers recompute progress from
    /// the new grade. `pass_mark` gives the exercise's pass mark by id (`None`: the exercise is
    /// no longer in the catalogue, and the override is refused). `None`: the scope does not
    /// run the cohort, the attempt is not a member's, or its exercise is unknown.
    pub async fn override_grade(
        &self,
        scope: &Scope,
        change: &GradeChange<'_>,
        pass_mark: impl FnOnce(&str) -> Option<f64>,
    ) -> Result<Option<Overridden>, DbError> {
        let (admin, trainer) = runner_binds(scope);
        let mut tx = self.writer().begin().await?;
        let found = sqlx::query_as::<_, (i64, String, f64, String)>(concat!(
            "select a.person_id, a.exercise_id, a.score, a.result from attempt a \
             join cohort_member m on m.person_id = a.person_id \
             join cohort c on c.cohort_id = m.cohort_id \
             where a.attempt_id = $1 and c.cohort_id = $2 and ",
            runs_cohort!("$3", "$4")
        ))
        .bind(change.attempt_id)
        .bind(change.cohort_id)
        .bind(admin)
        .bind(trainer)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((person_id, exercise_id, previous_score, result)) = found else {
            return Ok(None);
        };
        let Some(pass) = pass_mark(&exercise_id) else {
            return Ok(None);
        };
        let engine_score = serde_json::from_str::<serde_json::Value>(&result)
            .ok()
            .and_then(|v| v.get("score").and_then(serde_json::Value::as_f64))
            .unwrap_or(previous_score);
        let score = change.score.clamp(0.0, 1.0);
        let passed = score >= pass;
        sqlx::query(
            "insert into grade_override (attempt_id, by_person_id, engine_score, previous_score, score, \
                                         passed, comment, created_at_ms) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(change.attempt_id)
        .bind(Some(scope.person_id()).filter(|&id| id > 0))
        .bind(engine_score)
        .bind(previous_score)
        .bind(score)
        .bind(i64::from(passed))
        .bind(change.comment.trim())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query("update attempt set score = $1, passed = $2 where attempt_id = $3")
            .bind(score)
            .bind(i64::from(passed))
            .bind(change.attempt_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(Overridden {
            person_id,
            exercise_id,
            engine_score,
            previous_score,
            score,
            passed,
        }))
    }

    /// The current override of each of a person's overridden attempts (optionally of one
    /// exercise), newest first: what the learner is shown beside their results.
    pub async fn own_overrides(
        &self,
        person_id: i64,
        exercise_id: Option<&str>,
    ) -> Result<Vec<OverrideRow>, DbError> {
        let rows = self.override_history(person_id, exercise_id).await?;
        let mut seen = std::collections::HashSet::new();
        Ok(rows
            .into_iter()
            .filter(|r| seen.insert(r.attempt_id))
            .collect())
    }

    /// Every override of a person's attempts (optionally of one exercise), newest first: the
    /// history, for their data export.
    pub async fn override_history(
        &self,
        person_id: i64,
        exercise_id: Option<&str>,
    ) -> Result<Vec<OverrideRow>, DbError> {
        Ok(sqlx::query_as::<_, OverrideRow>(
            "select o.attempt_id, a.exercise_id, a.attempt_no, o.engine_score, o.previous_score, o.score, \
                    o.passed, o.comment, o.created_at_ms, coalesce(b.display_name, '') as by_name \
             from grade_override o join attempt a on a.attempt_id = o.attempt_id \
             left join person b on b.person_id = o.by_person_id \
             where a.person_id = $1 and ($2 = '' or a.exercise_id = $2) \
             order by o.created_at_ms desc, o.grade_override_id desc",
        )
        .bind(person_id)
        .bind(exercise_id.unwrap_or_default())
        .fetch_all(self.reader())
        .await?)
    }

    /// The cohorts the scope runs (every cohort for an admin).
    pub async fn cohorts_in_scope(&self, scope: &Scope) -> Result<Vec<CohortRow>, DbError> {
        Ok(sqlx::query_as::<_, CohortRow>(
            "select c.cohort_id, c.name, c.course, c.region_id, c.trainer_person_id, c.starts_at_ms, c.ends_at_ms, \
                    (select count(*) from cohort_member m where m.cohort_id = c.cohort_id) as members \
             from cohort c where $1 = 1 or c.trainer_person_id = $2 order by c.cohort_id",
        )
        .bind(i64::from(scope.is_admin()))
        .bind(if scope.is_trainer() { scope.person_id() } else { -1 })
        .fetch_all(self.reader())
        .await?)
    }

    /// A cohort's members, if the scope runs it (or is an admin's); `None` otherwise.
    pub async fn cohort_members_in_scope(
        &self,
        scope: &Scope,
        cohort_id: i64,
    ) -> Result<Option<Vec<MemberRow>>, DbError> {
        let runs = self
            .cohorts_in_scope(scope)
            .await?
            .iter()
            .any(|c| c.cohort_id == cohort_id);
        if !runs {
            return Ok(None);
        }
        let query = sqlx::query_as::<_, MemberRow>(concat!(
            "select p.person_id, p.display_name, p.email, p.region_id \
             from cohort_member m join person p on p.person_id = m.person_id \
             where m.cohort_id = $6 and ",
            visible_person!(),
            " order by lower(p.display_name), p.person_id"
        ));
        Ok(Some(
            bind_scope!(query, scope)
                .bind(cohort_id)
                .fetch_all(self.reader())
                .await?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_matches_itself_only() {
        assert_eq!(like_escape("berg"), "berg");
        assert_eq!(like_escape("50%_a!"), "50!%!_a!!");
    }

    #[test]
    fn only_trainers_and_admins_run_cohorts() {
        use crate::db::Capability;
        let trainer = Scope::new(7, "norrbotten", &[Capability::Trainer]);
        let manager = Scope::new(8, "norrbotten", &[Capability::Manager]);
        assert_eq!(runner_binds(&trainer), (0, 7));
        assert_eq!(
            runner_binds(&manager),
            (0, -1),
            "matches no cohort's trainer"
        );
        assert_eq!(runner_binds(&Scope::operator()), (1, -1));
        assert_eq!(
            runs_cohort!("$2", "$3"),
            "($2 = 1 or c.trainer_person_id = $3)"
        );
    }
}
