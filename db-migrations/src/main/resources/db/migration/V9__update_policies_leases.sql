-- Update windows and coordinated reboots. A policy applies to the machines its label selector
-- matches (the lowest priority that matches wins); FleetLock groups are policy names. A lease is
-- one machine's (or FleetLock node's) permission to update and reboot now: granted only inside a
-- window and within the policy's limits, with an expiry (the update timeout) so that a holder that
-- dies or comes back late never blocks the others.
create table update_policy (
    org_id            uuid        not null references organization (id),
    id                uuid        not null default gen_random_uuid(),
    name              text        not null check (name ~ '^[a-zA-Z0-9.-]{1,63}$'),
    selector          text        not null default '',
    priority          integer     not null default 100,
    -- [{"days":["MON",...],"start":"22:00","lengthMinutes":120,"timeZone":"Europe/Berlin"}
    --  or {"cron":"0 2 * * *","lengthMinutes":60,"timeZone":"UTC"}]; none = always open
    windows           jsonb       not null default '[]',
    max_parallel      text        not null default '1' check (max_parallel ~ '^[0-9]{1,6}%?$'),
    max_per_period    integer     check (max_per_period > 0),
    period_seconds    integer     check (period_seconds > 0),
    timeout_seconds   integer     not null default 3600 check (timeout_seconds between 60 and 604800),
    safe_mode         boolean     not null default false,
    safe_failures     integer     not null default 1 check (safe_failures > 0),
    -- safe mode: one machine at a time until one has completed since the policy was (re)enabled
    proven            boolean     not null default false,
    -- failures and timeouts since the policy was (re)enabled
    failures          integer     not null default 0,
    enabled           boolean     not null default true,
    paused_reason     text,
    created_by        text        not null,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    primary key (org_id, id),
    unique (org_id, name)
);

-- Leases, current and past (the timeline). At most one live lease per holder.
create table update_lease (
    org_id      uuid        not null references organization (id),
    id          uuid        not null default gen_random_uuid(),
    -- null: the default policy (always open, one at a time)
    policy_id   uuid,
    holder      text        not null,
    kind        text        not null check (kind in ('agent', 'fleetlock')),
    granted_at  timestamptz not null,
    expires_at  timestamptz not null,
    ended_at    timestamptz,
    outcome     text        check (outcome in ('complete', 'failed', 'timed_out', 'released')),
    detail      text,
    ended_by    text,
    primary key (org_id, id),
    foreign key (org_id, policy_id) references update_policy (org_id, id) on delete cascade
);
create unique index update_lease_live on update_lease (org_id, holder) where ended_at is null;
create index update_lease_by_policy on update_lease (org_id, policy_id, granted_at desc);

-- Per-machine update settings (paused by hand).
create table machine_update (
    org_id      uuid        not null,
    machine_id  text        not null,
    paused      boolean     not null default false,
    updated_at  timestamptz not null default now(),
    primary key (org_id, machine_id),
    foreign key (org_id, machine_id) references machine (org_id, id) on delete cascade
);

-- The secret in an organization's FleetLock base URL (Zincati sends no credentials). Stored
-- hashed; revoking it makes every URL with it answer 404.
create table fleetlock_secret (
    org_id      uuid        not null references organization (id),
    id          uuid        not null default gen_random_uuid(),
    secret_hash bytea       not null unique,
    created_by  text        not null,
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz,
    primary key (org_id, id)
);

-- Operators' hand releases and policy changes, until the audit log (issue 7) takes them over.
create table update_audit (
    org_id     uuid        not null references organization (id),
    id         bigserial,
    at         timestamptz not null default now(),
    actor      text        not null,
    action     text        not null,
    target     text        not null,
    detail     text,
    primary key (org_id, id)
);
