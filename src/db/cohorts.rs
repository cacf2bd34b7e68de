//! Cohorts: groups a trainer runs. They decide the trainer's scope (members' progress, attempts
//! and answers); the trainer's pages arrive with their own issue, the scope rules are here now.

use sqlx::FromRow;

use super::scope::{Scope, bind_scope, visible_person};
use super::{Db, DbError, now_ms};

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
    pub async fn add_cohort_member(
        &self,
        scope: &Scope,
        cohort_id: i64,
        person_id: i64,
    ) -> Result<bool, DbError> {
        let changed = sqlx::query(
            "insert into cohort_member (cohort_id, person_id, added_at_ms) \
             select c.cohort_id, p.person_id, $1 from cohort c, person p \
             where c.cohort_id = $2 and p.person_id = $3 and p.pseudonymised_at_ms is null \
               and ($4 = 1 or c.trainer_person_id = $5) \
             on conflict (cohort_id, person_id) do nothing",
        )
        .bind(now_ms())
        .bind(cohort_id)
        .bind(person_id)
        .bind(i64::from(scope.is_admin()))
        .bind(if scope.is_trainer() {
            scope.person_id()
        } else {
            -1
        })
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(changed == 1)
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
