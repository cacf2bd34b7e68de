//! Progress: a person's own exercise stats, and a region's for the manager's team views. Both
//! read `exercise_progress`, the per person and exercise aggregate of `attempt` that the
//! database keeps in step with every attempt (migration 0003), so a region's dashboard reads
//! one row per person and exercise instead of every attempt.
//!
//! Team queries take a [`TeamScope`]: one region, and only obtainable from the caller's
//! [`Scope`] when that caller is a manager of the region or an admin, so a handler cannot ask
//! for a region it may not see. Every team figure is computed over the same set of people
//! (the region's enabled people, narrowed by the filters), so totals add up.

use sqlx::FromRow;

use super::scope::Scope;
use super::{Db, DbError};
use crate::progress::ExerciseStat;

/// One region, as a manager of it or an admin sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamScope {
    region_id: String,
    admin: bool,
    actor: i64,
}

impl TeamScope {
    /// The region `scope` may look at as a team: a manager their own region (asking for another
    /// is `None`), an admin the region asked for or, by default, their own. `None` also for
    /// everyone else; callers answer 404, so nothing tells which regions exist.
    pub fn for_region(scope: &Scope, region: Option<&str>) -> Option<Self> {
        let own = scope.region_id();
        let region_id = match region.filter(|r| !r.is_empty()) {
            Some(asked) if scope.is_admin() || (scope.is_manager() && asked == own) => asked,
            Some(_) => return None,
            None if scope.is_admin() || scope.is_manager() => own,
            None => return None,
        };
        if region_id.is_empty() {
            return None;
        }
        Some(Self {
            region_id: region_id.to_owned(),
            admin: scope.is_admin(),
            actor: scope.person_id(),
        })
    }

    pub fn region_id(&self) -> &str {
        &self.region_id
    }

    /// Admins see aggregates over groups of any size.
    pub fn sees_small_groups(&self) -> bool {
        self.admin
    }

    /// The person asking (for the audit log); 0 for the shell's operator.
    pub fn actor(&self) -> i64 {
        self.actor
    }
}

/// Narrows a team to an organisation and/or a cohort. Ids are checked against the scope by
/// [`Db::team_filter_fits`] before use, so a foreign id is a 404, not an empty page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TeamFilter {
    pub organisation_id: Option<i64>,
    pub cohort_id: Option<i64>,
}

/// A row of `exercise_progress`.
#[derive(Debug, Clone, FromRow)]
pub struct StatRow {
    pub person_id: i64,
    pub exercise_id: String,
    pub attempts: i64,
    pub failures: i64,
    pub best_score: f64,
    pub latest_score: f64,
    pub passed: i64,
    pub last_at_ms: i64,
    /// The first passing attempt, if any (the trend's "passed for the first time").
    pub passed_at_ms: Option<i64>,
}

impl StatRow {
    pub fn stat(&self) -> ExerciseStat {
        ExerciseStat {
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            failures: u32::try_from(self.failures).unwrap_or(u32::MAX),
            best_score: self.best_score,
            latest_score: self.latest_score,
            passed: self.passed > 0,
            last_at_ms: self.last_at_ms,
        }
    }
}

/// A member of a team, with where they work.
#[derive(Debug, Clone, FromRow)]
pub struct TeamPersonRow {
    pub person_id: i64,
    pub display_name: String,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub municipality_code: Option<String>,
}

/// An organisation or cohort a team can be filtered by.
#[derive(Debug, Clone, FromRow)]
pub struct FilterOption {
    pub id: i64,
    pub name: String,
}

/// A week of a team's activity.
#[derive(Debug, Clone, FromRow)]
pub struct WeekRow {
    /// Weeks since the first week asked for (0-based).
    pub week: i64,
    pub active_people: i64,
    pub attempts: i64,
}

/// The people of a team: `$1` region, `$2` organisation or null, `$3` cohort or null.
/// Disabled (and so pseudonymised) people are left out: the team is who works there now.
macro_rules! team_people {
    () => {
        "p.region_id = $1 and p.disabled_at_ms is null \
         and ($2 is null or p.organisation_id = $2) \
         and ($3 is null or exists (select 1 from cohort_member cm \
                                    where cm.cohort_id = $3 and cm.person_id = p.person_id))"
    };
}

/// Appends the rows of a `person_progress.exercises` text (migration 0005): `;`-separated
/// entries of `exercise attempts failures best latest passed last_at passed_at` (`-1`: never
/// passed). Exercise ids hold neither separator (identifiers are lowercase ASCII, digits, `-`);
/// scores are written by the database as decimal text (SQLite: 15 significant digits).
fn unpack(person_id: i64, text: &str, rows: &mut Vec<StatRow>) -> Result<(), DbError> {
    let bad = || {
        DbError::Query(sqlx::Error::Decode(
            format!("unreadable packed progress of person {person_id}").into(),
        ))
    };
    for entry in text.split(';').filter(|e| !e.is_empty()) {
        let mut f = entry.split(' ');
        let mut next = || f.next().ok_or_else(bad);
        let exercise_id = next()?.to_owned();
        let int = |s: &str| s.parse::<i64>().map_err(|_| bad());
        let float = |s: &str| s.parse::<f64>().map_err(|_| bad());
        let attempts = int(next()?)?;
        let failures = int(next()?)?;
        let best_score = float(next()?)?;
        let latest_score = float(next()?)?;
        let passed = int(next()?)?;
        let last_at_ms = int(next()?)?;
        let passed_at_ms = Some(int(next()?)?).filter(|&at| at >= 0);
        rows.push(StatRow {
            person_id,
            exercise_id,
            attempts,
            failures,
            best_score,
            latest_score,
            passed,
            last_at_ms,
            passed_at_ms,
        });
    }
    Ok(())
}

const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;
/// 1970-01-05, a Monday: weeks start on Mondays at 00:00 UTC (as in migration 0003).
const MONDAY_MS: i64 = 4 * 24 * 3600 * 1000;

impl Db {
    /// A person's own stats, one per exercise they have attempted.
    pub async fn own_exercise_stats(&self, person_id: i64) -> Result<Vec<StatRow>, DbError> {
        Ok(sqlx::query_as::<_, StatRow>(
            "select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, \
                    passed_at_ms \
             from exercise_progress where person_id = $1",
        )
        .bind(person_id)
        .fetch_all(self.reader())
        .await?)
    }

    /// Whether the filter's organisation and cohort belong to the scope's region.
    pub async fn team_filter_fits(
        &self,
        scope: &TeamScope,
        filter: TeamFilter,
    ) -> Result<bool, DbError> {
        if let Some(id) = filter.organisation_id {
            let n = sqlx::query_scalar::<_, i64>(
                "select count(*) from organisation where organisation_id = $1 and region_id = $2",
            )
            .bind(id)
            .bind(scope.region_id())
            .fetch_one(self.reader())
            .await?;
            if n == 0 {
                return Ok(false);
            }
        }
        if let Some(id) = filter.cohort_id {
            let n = sqlx::query_scalar::<_, i64>(
                "select count(*) from cohort where cohort_id = $1 and region_id = $2",
            )
            .bind(id)
            .bind(scope.region_id())
            .fetch_one(self.reader())
            .await?;
            if n == 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The organisations of the scope's region, by name.
    pub async fn team_organisations(
        &self,
        scope: &TeamScope,
    ) -> Result<Vec<FilterOption>, DbError> {
        Ok(sqlx::query_as::<_, FilterOption>(
            "select organisation_id as id, name from organisation where region_id = $1 order by name, organisation_id",
        )
        .bind(scope.region_id())
        .fetch_all(self.reader())
        .await?)
    }

    /// The cohorts of the scope's region, by name.
    pub async fn team_cohorts(&self, scope: &TeamScope) -> Result<Vec<FilterOption>, DbError> {
        Ok(sqlx::query_as::<_, FilterOption>(
            "select cohort_id as id, name from cohort where region_id = $1 order by name, cohort_id",
        )
        .bind(scope.region_id())
        .fetch_all(self.reader())
        .await?)
    }

    /// Every region: id, name and SCB county code (for the admin's region choice and the map).
    pub async fn team_regions(&self) -> Result<Vec<(String, String, String)>, DbError> {
        Ok(sqlx::query_as::<_, (String, String, String)>(
            "select region_id, name, scb_code from region order by name",
        )
        .fetch_all(self.reader())
        .await?)
    }

    /// The team's people, by name.
    pub async fn team_people(
        &self,
        scope: &TeamScope,
        filter: TeamFilter,
    ) -> Result<Vec<TeamPersonRow>, DbError> {
        Ok(sqlx::query_as::<_, TeamPersonRow>(concat!(
            "select p.person_id, p.display_name, p.organisation_id, o.name as organisation_name, o.municipality_code \
             from person p left join organisation o on o.organisation_id = p.organisation_id where ",
            team_people!(),
            " order by lower(p.display_name), p.person_id"
        ))
        .bind(scope.region_id())
        .bind(filter.organisation_id)
        .bind(filter.cohort_id)
        .fetch_all(self.reader())
        .await?)
    }

    /// The team's stats, one row per person and exercise attempted.
    ///
    /// Read from `person_progress`, one packed text per person ([`unpack`]): a region has
    /// tens of thousands of (person, exercise) rows, and decoding rows through the `Any` driver
    /// costs far more than the database's work (measured: 200–400 ms for 70 000 rows), while
    /// building the text per request costs the database as much again; the triggers build it
    /// once per attempt instead.
    pub async fn team_exercise_stats(
        &self,
        scope: &TeamScope,
        filter: TeamFilter,
    ) -> Result<Vec<StatRow>, DbError> {
        let packed = sqlx::query_as::<_, (i64, String)>(concat!(
            "select p.person_id, pp.exercises \
             from person p join person_progress pp on pp.person_id = p.person_id where ",
            team_people!()
        ))
        .bind(scope.region_id())
        .bind(filter.organisation_id)
        .bind(filter.cohort_id)
        .fetch_all(self.reader())
        .await?;
        let mut rows = Vec::with_capacity(packed.len() * 64);
        for (person_id, text) in &packed {
            unpack(*person_id, text, &mut rows)?;
        }
        Ok(rows)
    }

    /// The team's activity per week from `from_ms` (a week start) on: people active and
    /// attempts, from the trigger-kept `activity_week` (a dozen rows per person at most).
    pub async fn team_weeks(
        &self,
        scope: &TeamScope,
        filter: TeamFilter,
        from_ms: i64,
    ) -> Result<Vec<WeekRow>, DbError> {
        Ok(sqlx::query_as::<_, WeekRow>(concat!(
            "select (aw.week_start_ms - $4) / $5 as week, count(*) as active_people, \
                    sum(aw.attempts) as attempts \
             from person p join activity_week aw on aw.person_id = p.person_id \
             where aw.week_start_ms >= $4 and ",
            team_people!(),
            " group by aw.week_start_ms"
        ))
        .bind(scope.region_id())
        .bind(filter.organisation_id)
        .bind(filter.cohort_id)
        .bind(from_ms)
        .bind(WEEK_MS)
        .fetch_all(self.reader())
        .await?)
    }

    /// Recomputes `exercise_progress` and `activity_week` from the attempts and counts the rows
    /// that differ from the stored ones: 0 when the triggers kept them exact (tests, checks).
    pub async fn progress_drift(&self) -> Result<i64, DbError> {
        let weeks = sqlx::query_scalar::<_, i64>(
            "with fresh as ( \
                 select person_id, created_at_ms - ((created_at_ms - $1) % $2) as week_start_ms, \
                        count(*) as attempts \
                 from attempt group by person_id, created_at_ms - ((created_at_ms - $1) % $2)) \
             select (select count(*) from fresh f where not exists ( \
                         select 1 from activity_week aw where aw.person_id = f.person_id \
                           and aw.week_start_ms = f.week_start_ms and aw.attempts = f.attempts)) \
                  + (select count(*) from activity_week aw where not exists ( \
                         select 1 from fresh f where f.person_id = aw.person_id \
                           and f.week_start_ms = aw.week_start_ms))",
        )
        .bind(MONDAY_MS)
        .bind(WEEK_MS)
        .fetch_one(self.reader())
        .await?;
        let exercises = sqlx::query_scalar::<_, i64>(
            "with fresh as ( \
                 select a.person_id, a.exercise_id, count(*) as attempts, \
                        sum(case when a.passed = 1 then 0 else 1 end) as failures, max(a.score) as best_score, \
                        (select l.score from attempt l where l.person_id = a.person_id \
                          and l.exercise_id = a.exercise_id order by l.attempt_no desc limit 1) as latest_score, \
                        max(a.passed) as passed, min(a.created_at_ms) as first_at_ms, \
                        max(a.created_at_ms) as last_at_ms, \
                        min(case when a.passed = 1 then a.created_at_ms end) as passed_at_ms \
                 from attempt a group by a.person_id, a.exercise_id) \
             select (select count(*) from fresh f where not exists ( \
                         select 1 from exercise_progress ep where ep.person_id = f.person_id \
                           and ep.exercise_id = f.exercise_id and ep.attempts = f.attempts \
                           and ep.failures = f.failures and ep.best_score = f.best_score \
                           and ep.latest_score = f.latest_score and ep.passed = f.passed \
                           and ep.first_at_ms = f.first_at_ms and ep.last_at_ms = f.last_at_ms \
                           and coalesce(ep.passed_at_ms, -1) = coalesce(f.passed_at_ms, -1))) \
                  + (select count(*) from exercise_progress ep where not exists ( \
                         select 1 from fresh f where f.person_id = ep.person_id and f.exercise_id = ep.exercise_id))",
        )
        .fetch_one(self.reader())
        .await?;
        Ok(exercises + weeks + self.packed_drift().await?)
    }

    /// `person_progress` against `exercise_progress`: people whose packed text does not hold
    /// exactly their rows (compared here, as the order inside the text is the database's).
    async fn packed_drift(&self) -> Result<i64, DbError> {
        let key = |r: &StatRow| (r.person_id, r.exercise_id.clone());
        let mut stored = Vec::new();
        for (person_id, text) in
            sqlx::query_as::<_, (i64, String)>("select person_id, exercises from person_progress")
                .fetch_all(self.reader())
                .await?
        {
            unpack(person_id, &text, &mut stored)?;
        }
        let mut fresh = sqlx::query_as::<_, StatRow>(
            "select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, \
                    passed_at_ms from exercise_progress",
        )
        .fetch_all(self.reader())
        .await?;
        stored.sort_by_key(key);
        fresh.sort_by_key(key);
        let same = |a: &StatRow, b: &StatRow| {
            key(a) == key(b)
                && (
                    a.attempts,
                    a.failures,
                    a.passed,
                    a.last_at_ms,
                    a.passed_at_ms,
                ) == (
                    b.attempts,
                    b.failures,
                    b.passed,
                    b.last_at_ms,
                    b.passed_at_ms,
                )
                && (a.best_score - b.best_score).abs() < 1e-9
                && (a.latest_score - b.latest_score).abs() < 1e-9
        };
        let differing = if stored.len() == fresh.len() {
            stored
                .iter()
                .zip(&fresh)
                .filter(|(a, b)| !same(a, b))
                .count()
        } else {
            stored.len().abs_diff(fresh.len()).max(1)
        };
        Ok(i64::try_from(differing).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_rows_unpack_and_nonsense_is_an_error() {
        let mut rows = Vec::new();
        unpack(
            7,
            "m1-a 2 1 0.9 0.4 1 1700000000000 1690000000000;m2-b 1 1 0.25 0.25 0 1700000000001 -1",
            &mut rows,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (
                rows[0].exercise_id.as_str(),
                rows[0].attempts,
                rows[0].failures
            ),
            ("m1-a", 2, 1)
        );
        assert!(
            (rows[0].best_score - 0.9).abs() < 1e-12 && (rows[0].latest_score - 0.4).abs() < 1e-12
        );
        assert_eq!(
            (rows[0].passed, rows[0].passed_at_ms),
            (1, Some(1_690_000_000_000))
        );
        assert_eq!((rows[1].person_id, rows[1].passed_at_ms), (7, None));
        // PostgreSQL writes whole doubles without a point.
        unpack(7, "m3 1 0 1 1 1 5 5", &mut rows).unwrap_or_else(|e| panic!("{e}"));
        assert!((rows[2].best_score - 1.0).abs() < 1e-12);
        for bad in ["m1 2 1", "m1 x 1 0.9 0.4 1 1 1", "m1 2 1 0.9 0.4 1 1 nope"] {
            assert!(unpack(7, bad, &mut Vec::new()).is_err(), "{bad}");
        }
        unpack(7, "", &mut rows).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 3);
    }
}
