-- Tenancy proper (issue 7). A person (a local account or a Keycloak user) is global; what they may
-- do is a membership of an organization with a role. One person may belong to many organizations.

-- account: local sign-in only. Its organization and role move to member.
create table member (
    org_id       uuid        not null references organization (id),
    id           uuid        not null default gen_random_uuid(),
    -- account:<lower-case user name>, oidc:<Keycloak subject> or client:<Keycloak service-account client id>
    subject      text        not null check (subject ~ '^(account|oidc|client):.{1,200}$'),
    display_name text        not null check (length(display_name) between 1 and 200),
    email        text        check (length(email) <= 254),
    role         text        not null check (role in ('owner', 'admin', 'operator', 'viewer')),
    added_by     text        not null,
    created_at   timestamptz not null default now(),
    primary key (org_id, id),
    unique (org_id, subject)
);
-- A person's organizations, looked up at every request before the organization is known.
create index member_by_subject on member (subject, created_at);

insert into member (org_id, subject, display_name, role, added_by, created_at)
select org_id, 'account:' || lower(username), username, role, 'migration', created_at from account;

alter table account drop constraint account_pkey;
alter table account drop column org_id;
alter table account drop column role;
alter table account add primary key (id);

-- An invitation to join an organization, sent by link (the secret, hashed here, is in the link).
create table invitation (
    org_id      uuid        not null references organization (id),
    id          uuid        not null,
    email       text        not null check (email ~ '^[^@\s]{1,64}@[^@\s]{1,189}$'),
    role        text        not null check (role in ('owner', 'admin', 'operator', 'viewer')),
    secret_hash bytea       not null,
    invited_by  text        not null,
    -- the Keycloak user created for the invitee, when Flotilla created one
    idp_user_id text,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    accepted_at timestamptz,
    accepted_by text,
    revoked_at  timestamptz,
    primary key (org_id, id)
);
create unique index invitation_secret on invitation (secret_hash);

-- Per-organization quotas and request rate; null means the service's configured default.
alter table organization add column max_machines integer check (max_machines >= 0);
alter table organization add column max_units integer check (max_units >= 0);
alter table organization add column max_requests_per_second integer check (max_requests_per_second > 0);

-- The audit log: every change and every sign-in, append-only. org_id is null only for what
-- cannot be tied to an organization (a sign-in under an unknown name, a malformed token).
create table audit_event (
    id          bigint      generated always as identity primary key,
    org_id      uuid        references organization (id),
    at          timestamptz not null default now(),
    -- account:<name>, oidc:<subject>, token:<id>, agent:<machine id>, system, anonymous
    actor       text        not null,
    actor_kind  text        not null check (actor_kind in ('person', 'token', 'agent', 'system', 'anonymous')),
    action      text        not null,
    outcome     text        not null check (outcome in ('ok', 'refused')),
    target_type text,
    target_id   text,
    source_ip   text,
    summary     text,
    before      jsonb,
    after       jsonb
);
create index audit_event_by_org on audit_event (org_id, id desc);
create index audit_event_by_target on audit_event (org_id, target_type, target_id, id desc);

create function audit_event_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only' using errcode = 'insufficient_privilege';
end $$;
create trigger audit_event_no_update before update or delete on audit_event
    for each row execute function audit_event_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_append_only();

-- update_audit's rows move to the audit log, which takes over its job.
insert into audit_event (org_id, at, actor, actor_kind, action, outcome, target_type, target_id, summary)
select org_id, at, actor,
       case when actor like 'token:%' then 'token' when actor = 'system' then 'system' else 'person' end,
       action, 'ok', split_part(action, '.', 1), target, detail
from update_audit order by id;
drop table update_audit;
