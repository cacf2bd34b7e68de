-- The core schema (same version and intent as migrations/postgres/0001_core.sql).
-- Conventions, kept the same in both backends so one query text serves both:
--   * singular table names, `<table>_id` keys;
--   * times are Unix milliseconds in BIGINT `*_ms` columns (no timezone or type drift between backends);
--   * flags are 0/1 integers (the sqlx Any driver decodes integers the same from both; booleans differ);
--   * JSON is stored as TEXT.

create table region (
    region_id text primary key,                 -- 'norrbotten', 'vasterbotten', ...
    scb_code text not null unique,              -- county code: '25', '24', ...
    name text not null
);

insert into region (region_id, scb_code, name) values
    ('norrbotten', '25', 'Region Norrbotten'),
    ('vasterbotten', '24', 'Region Västerbotten'),
    ('jamtland-harjedalen', '23', 'Region Jämtland Härjedalen'),
    ('vasternorrland', '22', 'Region Västernorrland');

create table organisation (
    organisation_id integer primary key,
    name text not null,
    kind text not null check (kind in ('region', 'municipality', 'county_board', 'authority')),
    region_id text not null references region (region_id),
    municipality_code text check (municipality_code is null or length(municipality_code) = 4),
    created_at_ms bigint not null,
    constraint organisation_name_region_key unique (name, region_id)
);

create table person (
    person_id integer primary key,
    email text not null,                        -- stored lowercased
    display_name text not null,
    password_hash text,                         -- null until the person sets a password
    region_id text not null references region (region_id),
    organisation_id integer references organisation (organisation_id),
    disabled_at_ms bigint,
    pseudonymised_at_ms bigint,
    created_at_ms bigint not null,
    updated_at_ms bigint not null,
    constraint person_email_key unique (email)
);

-- Trainer, manager and admin are capabilities added to a person (service spec).
create table person_capability (
    person_id integer not null references person (person_id) on delete cascade,
    capability text not null check (capability in ('trainer', 'manager', 'admin')),
    granted_at_ms bigint not null,
    primary key (person_id, capability)
);

-- Sessions: only a hash of the random id is stored, so a database leak reveals no live session.
create table session (
    session_hash text primary key,
    person_id integer references person (person_id) on delete cascade,
    csrf_token text not null,
    created_at_ms bigint not null,
    last_seen_ms bigint not null
);
create index session_person_idx on session (person_id);
create index session_last_seen_idx on session (last_seen_ms);

-- One graded answer. The result is stored language-neutral; the content hash and grader
-- version say exactly what graded it, so later key changes never rewrite history.
create table attempt (
    attempt_id integer primary key,
    person_id integer not null references person (person_id) on delete cascade,
    exercise_id text not null,
    attempt_no integer not null,
    answer text not null,
    result text not null,
    score double precision not null,
    passed integer not null check (passed in (0, 1)),
    content_hash text not null,
    grader_version text not null,
    created_at_ms bigint not null,
    -- The attempts limit holds under concurrency: a second insert of the same number fails.
    constraint attempt_person_exercise_no_key unique (person_id, exercise_id, attempt_no)
);
create index attempt_exercise_idx on attempt (exercise_id);
create index attempt_created_idx on attempt (created_at_ms);

-- A repeated POST with the same Idempotency-Key returns the stored response (kept 24 h).
create table idempotency_key (
    person_id integer not null references person (person_id) on delete cascade,
    idempotency_key text not null,
    request_hash text not null,
    response_status integer not null,
    response_body text not null,
    created_at_ms bigint not null,
    primary key (person_id, idempotency_key)
);
create index idempotency_key_created_idx on idempotency_key (created_at_ms);

-- Failed-login throttling, shared by every process (keyed by e-mail hash or client address).
create table throttle (
    throttle_key text primary key,
    failures integer not null,
    first_failure_ms bigint not null,
    blocked_until_ms bigint not null
);

create table audit_event (
    audit_event_id integer primary key,
    at_ms bigint not null,
    actor_person_id integer,
    action text not null,
    target text,
    outcome text not null,
    detail text
);
create index audit_event_at_idx on audit_event (at_ms);
