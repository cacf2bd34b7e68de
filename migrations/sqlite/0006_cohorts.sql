-- Cohorts (issue #8), same version and intent as migrations/postgres/0006_cohorts.sql.
--
-- * `cohort_due`: a due date per module of the cohort's course (the trainer sets them; members
--   see them on the course page; the cohort page marks a module overdue when its date has
--   passed and the member has not completed it).
-- * `grade_override`: a trainer's (or admin's) change of an attempt's grade, with the comment
--   the learner sees. The attempt's own `result` keeps the grading engine's result untouched
--   (its `score` is the original score); `attempt.score` and `attempt.passed` hold the
--   effective grade. The override row and the attempt update are written in one transaction,
--   so the attempt triggers of 0003/0005 recompute progress from the effective grade, and the
--   newest override row of an attempt always describes its current `score`.
create table cohort_due (
    cohort_id integer not null references cohort (cohort_id) on delete cascade,
    module text not null,
    due_at_ms bigint not null,
    primary key (cohort_id, module)
);

create table grade_override (
    grade_override_id integer primary key,
    attempt_id integer not null references attempt (attempt_id) on delete cascade,
    -- Who overrode; kept (as null) when that account is deleted.
    by_person_id integer references person (person_id) on delete set null,
    engine_score double precision not null,   -- the grading engine's score (result.score)
    previous_score double precision not null, -- attempt.score before this override
    score double precision not null,          -- attempt.score after it
    passed integer not null check (passed in (0, 1)),
    comment text not null check (length(trim(comment)) > 0),
    created_at_ms bigint not null
);
create index grade_override_attempt_idx on grade_override (attempt_id);
