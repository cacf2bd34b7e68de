-- Progress kept incrementally on insert (issue #9), same version and intent as
-- migrations/sqlite/0007_incremental_progress.sql.
--
-- The trigger of 0003/0005 recomputed a person's row for the exercise and their week from
-- every attempt they had made there: a cost that grows with each attempt (measured under the
-- load benchmark, benches/load/). A new attempt only adds to those rows, so on insert the
-- trigger now adds to them (an upsert each); the person's packed row is repacked from their
-- exercise rows as before (a handful of rows). Delete and update keep recomputing: they are
-- rare (pseudonymisation, grade overrides) and may move an attempt between rows.
-- `Db::progress_drift` still compares all of it with a recomputation from scratch in the tests.
create function exercise_progress_add(a attempt) returns void
language sql as $$
    insert into exercise_progress as e (person_id, exercise_id, attempts, failures, best_score, latest_score,
                                        passed, first_at_ms, last_at_ms, passed_at_ms)
    values (a.person_id, a.exercise_id, 1, 1 - a.passed, a.score, a.score, a.passed,
            a.created_at_ms, a.created_at_ms, case when a.passed = 1 then a.created_at_ms end)
    on conflict (person_id, exercise_id) do update set
        attempts = e.attempts + 1,
        failures = e.failures + excluded.failures,
        best_score = greatest(e.best_score, excluded.best_score),
        -- The latest score is the one of the highest attempt number (normally this one).
        latest_score = case when exists (select 1 from attempt l where l.person_id = a.person_id
                                         and l.exercise_id = a.exercise_id and l.attempt_no > a.attempt_no)
                            then e.latest_score else excluded.latest_score end,
        passed = greatest(e.passed, excluded.passed),
        first_at_ms = least(e.first_at_ms, excluded.first_at_ms),
        last_at_ms = greatest(e.last_at_ms, excluded.last_at_ms),
        -- least() ignores nulls: the earliest passing time of the two, if any.
        passed_at_ms = least(e.passed_at_ms, excluded.passed_at_ms);
$$;

create function activity_week_add(p_person bigint, p_at bigint) returns void
language sql as $$
    insert into activity_week as w (person_id, week_start_ms, attempts)
    values (p_person, (p_at - ((p_at - 345600000) % 604800000)), 1)
    on conflict (person_id, week_start_ms) do update set attempts = w.attempts + 1;
$$;

create or replace function attempt_progress_trigger() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform exercise_progress_refresh(old.person_id, old.exercise_id);
        perform person_progress_refresh(old.person_id);
        perform activity_week_refresh(old.person_id, old.created_at_ms);
    end if;
    if tg_op = 'UPDATE' then
        perform exercise_progress_refresh(new.person_id, new.exercise_id);
        perform person_progress_refresh(new.person_id);
        perform activity_week_refresh(new.person_id, new.created_at_ms);
    end if;
    if tg_op = 'INSERT' then
        perform exercise_progress_add(new);
        perform person_progress_refresh(new.person_id);
        perform activity_week_add(new.person_id, new.created_at_ms);
    end if;
    return null;
end;
$$;
