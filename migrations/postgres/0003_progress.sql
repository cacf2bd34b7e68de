-- Progress (issue #7), same version and intent as migrations/sqlite/0003_progress.sql.
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
-- PostgreSQL reads both through their primary-key indexes (one range per person).
create table exercise_progress (
    person_id bigint not null references person (person_id) on delete cascade,
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
);

create table activity_week (
    person_id bigint not null references person (person_id) on delete cascade,
    week_start_ms bigint not null,
    attempts integer not null,
    primary key (person_id, week_start_ms)
);

-- Recomputes one (person, exercise) pair from its attempts.
create function exercise_progress_refresh(p_person bigint, p_exercise text) returns void
language sql as $$
    delete from exercise_progress where person_id = p_person and exercise_id = p_exercise;
    insert into exercise_progress (person_id, exercise_id, attempts, failures, best_score, latest_score,
                                   passed, first_at_ms, last_at_ms, passed_at_ms)
    select a.person_id, a.exercise_id, count(*), sum(1 - a.passed), max(a.score),
           (select l.score from attempt l where l.person_id = a.person_id and l.exercise_id = a.exercise_id
            order by l.attempt_no desc limit 1),
           max(a.passed), min(a.created_at_ms), max(a.created_at_ms),
           min(case when a.passed = 1 then a.created_at_ms end)
    from attempt a where a.person_id = p_person and a.exercise_id = p_exercise
    group by a.person_id, a.exercise_id;
$$;

-- Recomputes one person's week (the week holding `p_at`) from their attempts.
create function activity_week_refresh(p_person bigint, p_at bigint) returns void
language sql as $$
    delete from activity_week where person_id = p_person and week_start_ms = (p_at - ((p_at - 345600000) % 604800000));
    insert into activity_week (person_id, week_start_ms, attempts)
    select a.person_id, (p_at - ((p_at - 345600000) % 604800000)), count(*) from attempt a
    where a.person_id = p_person and a.created_at_ms >= (p_at - ((p_at - 345600000) % 604800000)) and a.created_at_ms < (p_at - ((p_at - 345600000) % 604800000)) + 604800000
    group by a.person_id;
$$;

-- An update (a trainer's grade override, say) may in principle move an attempt to another
-- person, exercise or week: the old and the new rows are both recomputed.
create function attempt_progress_trigger() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform exercise_progress_refresh(old.person_id, old.exercise_id);
        perform activity_week_refresh(old.person_id, old.created_at_ms);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform exercise_progress_refresh(new.person_id, new.exercise_id);
        perform activity_week_refresh(new.person_id, new.created_at_ms);
    end if;
    return null;
end;
$$;

create trigger attempt_progress after insert or update or delete on attempt
    for each row execute function attempt_progress_trigger();

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
