-- Progress, packed per person (issue #7), same version and intent as
-- migrations/postgres/0005_person_progress.sql.
--
-- `person_progress` holds, per person, their `exercise_progress` rows packed into one text
-- (`exercise attempts failures best latest passed last_at passed_at`, `;` between exercises,
-- `-1` for never passed), so a region's dashboard reads a thousand rows, not seventy thousand
-- (decoding rows through sqlx's `Any` driver costs more than the database's work; building the
-- text per request costs as much again). Like the tables of 0003 it is kept by the database:
-- the attempt triggers of 0003 are replaced by ones that also repack the person, in the same
-- transaction. `Db::progress_drift` recomputes it from scratch in the tests.
--
-- (`group_concat` over an ordered subquery, rather than 3.44's `order by` inside the call, keeps
-- the schema readable by older `sqlite3` shells.)
create table person_progress (
    person_id integer primary key references person (person_id) on delete cascade,
    exercises text not null
);

drop trigger attempt_progress_insert;
drop trigger attempt_progress_delete;
drop trigger attempt_progress_update;

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
    from attempt a
    where a.person_id = new.person_id and a.exercise_id = new.exercise_id
    group by a.person_id, a.exercise_id;
    delete from person_progress where person_id = new.person_id;
    insert into person_progress (person_id, exercises)
    select e.person_id, group_concat(e.exercise_id || ' ' || e.attempts || ' ' || e.failures || ' ' || e.best_score || ' ' || e.latest_score
                    || ' ' || e.passed || ' ' || e.last_at_ms || ' ' || coalesce(e.passed_at_ms, -1), ';') from (
        select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, passed_at_ms
        from exercise_progress where person_id = new.person_id order by exercise_id
    ) e group by e.person_id;
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
    from attempt a
    where a.person_id = old.person_id and a.exercise_id = old.exercise_id
    group by a.person_id, a.exercise_id;
    delete from person_progress where person_id = old.person_id;
    insert into person_progress (person_id, exercises)
    select e.person_id, group_concat(e.exercise_id || ' ' || e.attempts || ' ' || e.failures || ' ' || e.best_score || ' ' || e.latest_score
                    || ' ' || e.passed || ' ' || e.last_at_ms || ' ' || coalesce(e.passed_at_ms, -1), ';') from (
        select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, passed_at_ms
        from exercise_progress where person_id = old.person_id order by exercise_id
    ) e group by e.person_id;
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
    insert into exercise_progress (person_id, exercise_id, attempts, failures, best_score, latest_score,
                                       passed, first_at_ms, last_at_ms, passed_at_ms)
    select a.person_id, a.exercise_id, count(*), sum(1 - a.passed), max(a.score),
           (select l.score from attempt l where l.person_id = a.person_id and l.exercise_id = a.exercise_id
            order by l.attempt_no desc limit 1),
           max(a.passed), min(a.created_at_ms), max(a.created_at_ms),
           min(case when a.passed = 1 then a.created_at_ms end)
    from attempt a
    where a.person_id = old.person_id and a.exercise_id = old.exercise_id
    group by a.person_id, a.exercise_id;
    delete from exercise_progress where person_id = new.person_id and exercise_id = new.exercise_id;
    insert into exercise_progress (person_id, exercise_id, attempts, failures, best_score, latest_score,
                                       passed, first_at_ms, last_at_ms, passed_at_ms)
    select a.person_id, a.exercise_id, count(*), sum(1 - a.passed), max(a.score),
           (select l.score from attempt l where l.person_id = a.person_id and l.exercise_id = a.exercise_id
            order by l.attempt_no desc limit 1),
           max(a.passed), min(a.created_at_ms), max(a.created_at_ms),
           min(case when a.passed = 1 then a.created_at_ms end)
    from attempt a
    where a.person_id = new.person_id and a.exercise_id = new.exercise_id
    group by a.person_id, a.exercise_id;
    delete from person_progress where person_id = old.person_id;
    insert into person_progress (person_id, exercises)
    select e.person_id, group_concat(e.exercise_id || ' ' || e.attempts || ' ' || e.failures || ' ' || e.best_score || ' ' || e.latest_score
                    || ' ' || e.passed || ' ' || e.last_at_ms || ' ' || coalesce(e.passed_at_ms, -1), ';') from (
        select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, passed_at_ms
        from exercise_progress where person_id = old.person_id order by exercise_id
    ) e group by e.person_id;
    delete from person_progress where person_id = new.person_id;
    insert into person_progress (person_id, exercises)
    select e.person_id, group_concat(e.exercise_id || ' ' || e.attempts || ' ' || e.failures || ' ' || e.best_score || ' ' || e.latest_score
                    || ' ' || e.passed || ' ' || e.last_at_ms || ' ' || coalesce(e.passed_at_ms, -1), ';') from (
        select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, passed_at_ms
        from exercise_progress where person_id = new.person_id order by exercise_id
    ) e group by e.person_id;
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
insert into person_progress (person_id, exercises)
select e.person_id, group_concat(e.exercise_id || ' ' || e.attempts || ' ' || e.failures || ' ' || e.best_score || ' ' || e.latest_score
                || ' ' || e.passed || ' ' || e.last_at_ms || ' ' || coalesce(e.passed_at_ms, -1), ';') from (
    select person_id, exercise_id, attempts, failures, best_score, latest_score, passed, last_at_ms, passed_at_ms
    from exercise_progress order by person_id, exercise_id
) e
group by e.person_id;
