-- Progress (issue #7), same version and intent as migrations/postgres/0003_progress.sql.
--
-- Two pre-aggregations of `attempt`, kept by the database itself so that no application code
-- can let them drift: every insert, update or delete of an attempt recomputes, inside the same
-- transaction and from the attempts themselves, the rows it touches. A row without attempts
-- left is simply gone. The dashboards read these instead of scanning every attempt (a region
-- holds hundreds of thousands); `Db::progress_drift` recomputes both from scratch for the tests.
--
-- * `exercise_progress`: one row per person and exercise (the learner's page, the team matrix).
-- * `activity_week`: attempts per person and week, weeks starting Monday 00:00 UTC, i.e.
--   `ms - ((ms - 345600000) % 604800000)` (1970-01-05 was a Monday); the 12-week trend.
--
-- Both tables are WITHOUT ROWID: rows are stored in primary-key order, so a person's rows are
-- contiguous and a region's dashboard reads them in a few pages per person.
create table exercise_progress (
    person_id integer not null references person (person_id) on delete cascade,
    exercise_id text not null,
    attempts integer not null,
    failures integer not null,                  -- attempts that did not pass
    best_score double precision not null,
    latest_score double precision not null,     -- the score of the highest attempt number
    passed integer not null check (passed in (0, 1)),
    first_at_ms bigint not null,
    last_at_ms bigint not null,
    passed_at_ms bigint,                        -- the first passing attempt, if any
    primary key (person_id, exercise_id)
) without rowid;

create table activity_week (
    person_id integer not null references person (person_id) on delete cascade,
    week_start_ms bigint not null,
    attempts integer not null,
    primary key (person_id, week_start_ms)
) without rowid;

-- SQLite has no stored procedures: the recomputation is written out in each trigger.
create trigger attempt_progress_insert after insert on attempt
begin
    delete from exercise_progress where person_id = new.person_id and exercise_id = new.exercise_id;
    insert into exercise_progress (person_id, exercise_id, attempts, failures, best_score, latest_score,
                                   passed, first_at_ms, last_at_ms, passed_at_ms)
    select a.person_id, a.exercise_id, count(*), sum(1 - a.passed), max(a.score),
           (select l.score from attempt l where l.person_id = a.person_id and l.exercise_id = a.exercise_id
            order by l.attempt_no desc limit 1),
           max(a.passed), min(a.created_at_ms), max(a.created_at_ms),
           min(case when a.passed = 1 then a.created_at_ms end)
    from attempt a where a.person_id = new.person_id and a.exercise_id = new.exercise_id
    group by a.person_id, a.exercise_id;
    delete from activity_week where person_id = new.person_id and week_start_ms = (new.created_at_ms - ((new.created_at_ms - 345600000) % 604800000));
    insert into activity_week (person_id, week_start_ms, attempts)
    select a.person_id, (new.created_at_ms - ((new.created_at_ms - 345600000) % 604800000)), count(*) from attempt a
    where a.person_id = new.person_id and a.created_at_ms >= (new.created_at_ms - ((new.created_at_ms - 345600000) % 604800000)) and a.created_at_ms < (new.created_at_ms - ((new.created_at_ms - 345600000) % 604800000)) + 604800000
    group by a.person_id;
end;

create trigger attempt_progress_delete after delete on attempt
begin
    delete from exercise_progress where person_id = old.person_id and exercise_id = old.exercise_id;
    insert into exercise_progress (person_id, exercise_id, attempts, failures, best_score, latest_score,
                                   passed, first_at_ms, last_at_ms, passed_at_ms)
    select a.person_id, a.exercise_id, count(*), sum(1 - a.passed), max(a.score),
           (select l.score from attempt l where l.person_id = a.person_id and l.exercise_id = a.exercise_id
            order by l.attempt_no desc limit 1),
           max(a.passed), min(a.created_at_ms), max(a.created_at_ms),
           min(case when a.passed = 1 then a.created_at_ms end)
    from attempt a where a.person_id = old.person_id and a.exercise_id = old.exercise_id
    group by a.person_id, a.exercise_id;
    delete from activity_week where person_id = old.person_id and week_start_ms = (old.created_at_ms - ((old.created_at_ms - 345600000) % 604800000));
    insert into activity_week (person_id, week_start_ms, attempts)
    select a.person_id, (old.created_at_ms - ((old.created_at_ms - 345600000) % 604800000)), count(*) from attempt a
    where a.person_id = old.person_id and a.created_at_ms >= (old.created_at_ms - ((old.created_at_ms - 345600000) % 604800000)) and a.created_at_ms < (old.created_at_ms - ((old.created_at_ms - 345600000) % 604800000)) + 604800000
    group by a.person_id;
end;

-- An update (a trainer's grade override, say) may in principle move an attempt to another
-- person, exercise or week: the old and the new rows are both recomputed.
create trigger attempt_progress_update after update on attempt
begin
    delete from exercise_progress where person_id = old.person_id and exercise_id = old.exercise_id;
    delete from exercise_progress where person_id = new.person_id and exercise_id = new.exercise_id;
    insert into exercise_progress (person_id, exercise_id, attempts, failures, best_score, latest_score,
                                   passed, first_at_ms, last_at_ms, passed_at_ms)
    select a.person_id, a.exercise_id, count(*), sum(1 - a.passed), max(a.score),
           (select l.score from attempt l where l.person_id = a.person_id and l.exercise_id = a.exercise_id
            order by l.attempt_no desc limit 1),
           max(a.passed), min(a.created_at_ms), max(a.created_at_ms),
           min(case when a.passed = 1 then a.created_at_ms end)
    from attempt a
    where (a.person_id = old.person_id and a.exercise_id = old.exercise_id)
       or (a.person_id = new.person_id and a.exercise_id = new.exercise_id)
    group by a.person_id, a.exercise_id;
    delete from activity_week where person_id = old.person_id and week_start_ms = (old.created_at_ms - ((old.created_at_ms - 345600000) % 604800000));
    insert into activity_week (person_id, week_start_ms, attempts)
    select a.person_id, (old.created_at_ms - ((old.created_at_ms - 345600000) % 604800000)), count(*) from attempt a
    where a.person_id = old.person_id and a.created_at_ms >= (old.created_at_ms - ((old.created_at_ms - 345600000) % 604800000)) and a.created_at_ms < (old.created_at_ms - ((old.created_at_ms - 345600000) % 604800000)) + 604800000
    group by a.person_id;
    delete from activity_week where person_id = new.person_id and week_start_ms = (new.created_at_ms - ((new.created_at_ms - 345600000) % 604800000));
    insert into activity_week (person_id, week_start_ms, attempts)
    select a.person_id, (new.created_at_ms - ((new.created_at_ms - 345600000) % 604800000)), count(*) from attempt a
    where a.person_id = new.person_id and a.created_at_ms >= (new.created_at_ms - ((new.created_at_ms - 345600000) % 604800000)) and a.created_at_ms < (new.created_at_ms - ((new.created_at_ms - 345600000) % 604800000)) + 604800000
    group by a.person_id;
end;

-- Attempts stored before this migration.
insert into exercise_progress (person_id, exercise_id, attempts, failures, best_score, latest_score,
                                   passed, first_at_ms, last_at_ms, passed_at_ms)
    select a.person_id, a.exercise_id, count(*), sum(1 - a.passed), max(a.score),
           (select l.score from attempt l where l.person_id = a.person_id and l.exercise_id = a.exercise_id
            order by l.attempt_no desc limit 1),
           max(a.passed), min(a.created_at_ms), max(a.created_at_ms),
           min(case when a.passed = 1 then a.created_at_ms end)
from attempt a
group by a.person_id, a.exercise_id;
insert into activity_week (person_id, week_start_ms, attempts)
select person_id, (created_at_ms - ((created_at_ms - 345600000) % 604800000)), count(*) from attempt
group by person_id, (created_at_ms - ((created_at_ms - 345600000) % 604800000));

-- A region's people, filtered by organisation (every team query starts here).
create index person_region_organisation_idx on person (region_id, organisation_id);
-- A person's attempts in time order: the recount of a week in the triggers above (covering).
create index attempt_person_created_idx on attempt (person_id, created_at_ms);
-- xAPI statements are paged in (time, id) order.
create index attempt_created_id_idx on attempt (created_at_ms, attempt_id);
