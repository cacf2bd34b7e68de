-- Live class sessions (same version and intent as migrations/postgres/0004_live.sql).
-- A trainer runs a session over one exercise at a time (a "round"); participants answer from
-- their own devices. Live answers are not attempts: they never touch `attempt` or progress.

create table live_session (
    live_session_id integer primary key,
    code text not null unique,                   -- the short join code, e.g. 'K7P4QM'
    trainer_id integer not null references person (person_id) on delete cascade,
    exercise_id text not null,                   -- the exercise of the current round
    round integer not null,                      -- 1 for the first exercise, +1 on "next"
    state text not null check (state in ('open', 'closed', 'revealed', 'ended')),
    allow_guests integer not null check (allow_guests in (0, 1)),
    created_at_ms bigint not null,
    ended_at_ms bigint
);

-- A named guest; deleted when the session ends or 24 h after it started, whichever is first.
create table live_guest (
    live_guest_id integer primary key,
    live_session_id integer not null references live_session (live_session_id) on delete cascade,
    display_name text not null,
    token_hash text not null unique,
    created_at_ms bigint not null
);

create table live_answer (
    live_answer_id integer primary key,
    live_session_id integer not null references live_session (live_session_id) on delete cascade,
    round integer not null,
    exercise_id text not null,
    -- who answered, for "one answer per participant and round": 'p<person_id>' or 'g<guest_id>';
    -- a guest's key names nobody once the guest row is gone.
    participant text not null,
    person_id integer references person (person_id) on delete set null,
    answer text not null,                        -- the submitted JSON
    result text not null,                        -- the full GradeResult JSON
    score double precision not null,
    passed integer not null check (passed in (0, 1)),
    created_at_ms bigint not null,
    constraint live_answer_once unique (live_session_id, round, participant)
);

-- Everything a live view shows, in order. The id is the SSE event id: AUTOINCREMENT so that an
-- id is never reused, which `Last-Event-ID` catch-up relies on.
create table live_event (
    live_event_id integer primary key autoincrement,
    live_session_id integer not null references live_session (live_session_id) on delete cascade,
    kind text not null,
    trainer_only integer not null check (trainer_only in (0, 1)),
    payload text not null,                       -- JSON
    created_at_ms bigint not null
);

create index live_event_session on live_event (live_session_id, live_event_id);
create index live_session_trainer on live_session (trainer_id, created_at_ms);
