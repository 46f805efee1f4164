-- Rolling changes of a global unit's content: a new file reaches the unit's machines in batches,
-- each gated on health, and is taken back from those already changed when too many fail. The unit
-- keeps its old content until the rollout succeeds; the scheduler gives the new content to the
-- machines of the rollout's batches.
create table rollout (
    id                     uuid        primary key default gen_random_uuid(),
    org_id                 uuid        not null,
    unit_name              text        not null,
    from_content           text        not null,
    from_hash              text        not null,
    to_content             text        not null,
    to_hash                text        not null,
    max_parallel           text        not null check (max_parallel ~ '^[0-9]{1,6}%?$'),
    min_healthy_seconds    integer     not null check (min_healthy_seconds between 0 and 3600),
    batch_deadline_seconds integer     not null check (batch_deadline_seconds between 1 and 86400),
    max_failures           integer     not null check (max_failures >= 0),
    state                  text        not null check (state in ('running', 'paused', 'succeeded', 'reverted')),
    message                text,
    created_by             text        not null,
    created_at             timestamptz not null default now(),
    updated_at             timestamptz not null default now(),
    foreign key (org_id, unit_name) references unit (org_id, name) on delete cascade
);
-- At most one rollout of a unit in progress.
create unique index rollout_in_progress on rollout (org_id, unit_name) where state in ('running', 'paused');
create index rollout_by_unit on rollout (org_id, unit_name, created_at desc);

create table rollout_machine (
    rollout_id    uuid        not null references rollout (id) on delete cascade,
    machine_id    text        not null,
    batch         integer     not null,
    state         text        not null check (state in ('updating', 'healthy', 'failed', 'reverted')),
    started_at    timestamptz not null default now(),
    healthy_since timestamptz,
    reason        text,
    primary key (rollout_id, machine_id)
);
