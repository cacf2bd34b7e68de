-- Accounts and security (same version and intent as migrations/postgres/0002_accounts.sql):
-- invitation and reset links, read-only API tokens, cohorts (for the trainer's scope),
-- pseudonymisation, and the client address of audit events. Conventions as in 0001.

-- Set when a person is pseudonymised (GDPR): the random id their attempts are kept under.
alter table person add column pseudonym text;
create unique index person_pseudonym_key on person (pseudonym);
create index person_region_idx on person (region_id);

-- Where an audited request came from (the client address, after trusted proxies).
alter table audit_event add column client_addr text;
create index audit_event_actor_idx on audit_event (actor_person_id);

-- Single-use links that let a person set their own password: an invitation for a new person,
-- or a reset issued by an admin (there is no mail server). Only the token's hash is stored.
create table invitation (
    invitation_id integer primary key,
    person_id integer not null references person (person_id) on delete cascade,
    token_hash text not null,
    purpose text not null check (purpose in ('invite', 'reset')),
    created_by_person_id integer references person (person_id) on delete set null,
    created_at_ms bigint not null,
    expires_at_ms bigint not null,
    used_at_ms bigint,
    constraint invitation_token_hash_key unique (token_hash)
);
create index invitation_person_idx on invitation (person_id);
create index invitation_expires_idx on invitation (expires_at_ms);

-- Read-only tokens for machines (a Learning Record Store, a reporting tool), scoped like
-- their owner. Only the token's hash is stored; the token is shown once, when it is made.
create table api_token (
    api_token_id integer primary key,
    person_id integer not null references person (person_id) on delete cascade,
    name text not null,
    token_hash text not null,
    created_at_ms bigint not null,
    expires_at_ms bigint,
    last_used_ms bigint,
    revoked_at_ms bigint,
    constraint api_token_token_hash_key unique (token_hash)
);
create index api_token_person_idx on api_token (person_id);

-- A group a trainer runs; the trainer sees its members' progress, attempts and answers.
create table cohort (
    cohort_id integer primary key,
    name text not null,
    course text not null,
    region_id text not null references region (region_id),
    trainer_person_id integer not null references person (person_id) on delete cascade,
    starts_at_ms bigint,
    ends_at_ms bigint,
    created_at_ms bigint not null
);
create index cohort_trainer_idx on cohort (trainer_person_id);

create table cohort_member (
    cohort_id integer not null references cohort (cohort_id) on delete cascade,
    person_id integer not null references person (person_id) on delete cascade,
    added_at_ms bigint not null,
    primary key (cohort_id, person_id)
);
create index cohort_member_person_idx on cohort_member (person_id);
