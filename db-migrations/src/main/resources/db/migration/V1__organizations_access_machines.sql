-- Flotilla's first schema: organizations, who may sign in, how agents enroll, and machines.
-- Every tenant-owned table carries org_id first in its primary key and in the indexes that serve
-- tenant queries, so that a later move to a sharded PostgreSQL (Citus, distributed by org_id) is
-- a configuration change. Lookups by secret hash are the exception: they happen before the
-- organization is known.

create table organization (
    id         uuid        primary key,
    slug       text        not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name       text        not null,
    created_at timestamptz not null default now()
);

-- Tenancy proper comes later; until then everything belongs to this organization.
insert into organization (id, slug, name)
values ('00000000-0000-0000-0000-000000000001', 'default', 'Default organization');

create table account (
    org_id        uuid        not null references organization (id),
    id            uuid        not null,
    username      text        not null check (length(username) between 1 and 100),
    password_hash text        not null,
    role          text        not null check (role in ('owner', 'admin', 'operator', 'viewer')),
    created_at    timestamptz not null default now(),
    primary key (org_id, id)
);
create unique index account_username on account (lower(username));

create table api_token (
    org_id       uuid        not null references organization (id),
    id           uuid        not null,
    name         text        not null check (length(name) between 1 and 100),
    role         text        not null check (role in ('admin', 'operator', 'viewer')),
    secret_hash  bytea       not null,
    created_by   text        not null,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    primary key (org_id, id)
);
create unique index api_token_secret on api_token (secret_hash);

create table enrollment_token (
    org_id      uuid        not null references organization (id),
    id          uuid        not null,
    name        text        not null check (length(name) between 1 and 100),
    secret_hash bytea       not null,
    max_uses    integer     not null check (max_uses > 0),
    uses        integer     not null default 0 check (uses >= 0 and uses <= max_uses),
    created_by  text        not null,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    revoked_at  timestamptz,
    primary key (org_id, id)
);
create unique index enrollment_token_secret on enrollment_token (secret_hash);

-- A machine is a host with an agent, named by its /etc/machine-id as in CoreOS fleet.
create table machine (
    org_id          uuid        not null references organization (id),
    id              text        not null check (id ~ '^[0-9a-f]{32}$'),
    hostname        text        not null check (length(hostname) between 1 and 253),
    credential_hash bytea       not null,
    presence        text        not null default 'offline' check (presence in ('online', 'offline', 'lost')),
    presence_since  timestamptz not null default now(),
    last_seen_at    timestamptz,
    -- The live session, if any; presence changes are conditional on it so that a replica whose
    -- session was replaced cannot mark a reconnected machine offline.
    session_id      uuid,
    agent_labels    jsonb       not null default '{}',
    operator_labels jsonb       not null default '{}',
    labels          jsonb       not null default '{}',
    facts           jsonb,
    agent_version   text,
    enrolled_with   uuid,
    enrolled_at     timestamptz not null default now(),
    primary key (org_id, id)
);
create unique index machine_credential on machine (credential_hash);
create index machine_by_hostname on machine (org_id, hostname, id);
create index machine_by_presence on machine (org_id, presence, presence_since);
create index machine_labels on machine using gin (labels jsonb_path_ops);

-- What happened to a machine: enrollment, presence transitions, label changes.
-- Kept when the machine is removed: it is history.
create table machine_event (
    org_id        uuid        not null references organization (id),
    id            bigint      generated always as identity,
    machine_id    text        not null,
    kind          text        not null check (kind in ('enrolled', 'presence', 'labels', 'removed')),
    from_presence text,
    to_presence   text,
    at            timestamptz not null default now(),
    detail        text,
    primary key (org_id, id)
);
create index machine_event_by_machine on machine_event (org_id, machine_id, id desc);
