-- Progress kept incrementally on insert (issue #9), same version and intent as
-- migrations/postgres/0007_incremental_progress.sql.
--
-- The insert trigger of 0005 recomputed a person's row for the exercise and their week from
-- every attempt they had made there: a cost that grows with each attempt (measured under the
-- load benchmark, benches/load/). A new attempt only adds to those rows, so the insert trigger
-- now adds to them (an upsert each); the person's packed row is repacked from their exercise
-- rows as before (a handful of rows). Delete and update keep recomputing: they are rare
-- (pseudonymisation, grade overrides) and may move an attempt between rows.
-- `Db::progress_drift` still compares all of it with a recomputation from scratch in the tests.
drop trigger attempt_progress_insert;

create trigger attempt_progress_insert after insert on attempt
begin
    insert into exercise_progress (person_id, exercise_id, attempts, failures, best_score, latest_score,
                                   passed, first_at_ms, last_at_ms, passed_at_ms)
    values (new.person_id, new.exercise_id, 1, 1 - new.passed, new.score, new.score, new.passed,
            new.created_at_ms, new.created_at_ms, case when new.passed = 1 then new.created_at_ms end)
    on conflict (person_id, exercise_id) do update set
        attempts = attempts + 1,
        failures = failures + excluded.failures,
        best_score = max(best_score, excluded.best_score),
        -- The latest score is the one of the highest attempt number (normally this one).
        latest_score = case when exists (select 1 from attempt l where l.person_id = new.person_id
                                         and l.exercise_id = new.exercise_id and l.attempt_no > new.attempt_no)
                            then latest_score else excluded.latest_score end,
        passed = max(passed, excluded.passed),
        first_at_ms = min(first_at_ms, excluded.first_at_ms),
        last_at_ms = max(last_at_ms, excluded.last_at_ms),
        passed_at_ms = case when excluded.passed_at_ms is null then passed_at_ms
                            when passed_at_ms is null then excluded.passed_at_ms
                            else min(passed_at_ms, excluded.passed_at_ms) end;
    delete from person_progress where person_id = new.person_id;
    insert into person_progress (person_id, exercises)
    select e.person_id, group_concat(e.exercise_id || ' ' || e.attempts || ' ' || e.failures || ' ' || e.best_score || ' ' || e.latest_score
                    || ' ' || e.passed || ' ' || e.last_at_ms || ' ' || coalesce(e.passed_at_ms, -1), ';') from (
        select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, passed_at_ms
        from exercise_progress where person_id = new.person_id order by exercise_id
    ) e group by e.person_id;
    insert into activity_week (person_id, week_start_ms, attempts)
    values (new.person_id, (new.created_at_ms - ((new.created_at_ms - 345600000) % 604800000)), 1)
    on conflict (person_id, week_start_ms) do update set attempts = attempts + 1;
end;
