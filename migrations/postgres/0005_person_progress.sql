-- Progress, packed per person (issue #7), same version and intent as
-- migrations/sqlite/0005_person_progress.sql.
--
-- `person_progress` holds, per person, their `exercise_progress` rows packed into one text
-- (`exercise attempts failures best latest passed last_at passed_at`, `;` between exercises,
-- `-1` for never passed), so a region's dashboard reads a thousand rows, not seventy thousand
-- (decoding rows through sqlx's `Any` driver costs more than the database's work; building the
-- text per request costs as much again). Like the tables of 0003 it is kept by the database:
-- the attempt trigger of 0003 now also repacks the person, in the same transaction.
-- `Db::progress_drift` recomputes it from scratch in the tests.
create table person_progress (
    person_id bigint primary key references person (person_id) on delete cascade,
    exercises text not null
);

-- Repacks one person's exercise rows.
create function person_progress_refresh(p_person bigint) returns void
language sql as $$
    delete from person_progress where person_id = p_person;
    insert into person_progress (person_id, exercises)
    select e.person_id, string_agg(e.exercise_id || ' ' || e.attempts || ' ' || e.failures || ' ' || e.best_score || ' ' || e.latest_score
                    || ' ' || e.passed || ' ' || e.last_at_ms || ' ' || coalesce(e.passed_at_ms, -1), ';' order by e.exercise_id) from (
        select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, passed_at_ms
        from exercise_progress where person_id = p_person order by exercise_id
    ) e group by e.person_id;
$$;

-- An update (a trainer's grade override, say) may in principle move an attempt to another
-- person, exercise or week: the old and the new rows are both recomputed.
create or replace function attempt_progress_trigger() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform exercise_progress_refresh(old.person_id, old.exercise_id);
        perform person_progress_refresh(old.person_id);
        perform activity_week_refresh(old.person_id, old.created_at_ms);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform exercise_progress_refresh(new.person_id, new.exercise_id);
        perform person_progress_refresh(new.person_id);
        perform activity_week_refresh(new.person_id, new.created_at_ms);
    end if;
    return null;
end;
$$;

-- Attempts stored before this migration.
insert into person_progress (person_id, exercises)
select e.person_id, string_agg(e.exercise_id || ' ' || e.attempts || ' ' || e.failures || ' ' || e.best_score || ' ' || e.latest_score
                || ' ' || e.passed || ' ' || e.last_at_ms || ' ' || coalesce(e.passed_at_ms, -1), ';' order by e.exercise_id) from (
    select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, passed_at_ms
    from exercise_progress order by person_id, exercise_id
) e
group by e.person_id;
