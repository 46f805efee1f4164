-- The overview's history of presence (issue 19): one row per organization per 5 minutes with its
-- machines by presence, written by the service's rollup job and deleted after the retention
-- (flotilla.overview.retention). Counting machine_event transitions back in time would cost
-- O(events) per page view; this costs at most 2,304 rows per organization for 8 days.
create table presence_rollup (
    org_id  uuid        not null references organization (id),
    bucket  timestamptz not null,
    online  integer     not null check (online >= 0),
    offline integer     not null check (offline >= 0),
    lost    integer     not null check (lost >= 0),
    primary key (org_id, bucket)
);
-- Retention deletes by time across organizations. BRIN: rows arrive in time order, and a B-tree
-- here lured the planner away from the primary key for one organization's last 24 hours (7 ms
-- instead of 0.4 ms with 60 organizations' history).
create index presence_rollup_by_bucket on presence_rollup using brin (bucket);

-- The same wall as every tenant table (V12): a tenant sees its own organization's rows only.
alter table presence_rollup enable row level security;
create policy tenant_isolation on presence_rollup
    using (org_id = flotilla_current_org()) with check (org_id = flotilla_current_org());
-- (V12's default privileges already grant flotilla_tenant select, insert, update and delete.)

-- The overview's failed units first: few rows of many, found without reading the others.
create index machine_unit_failed on machine_unit (org_id, name, machine_id)
    where managed and active_state = 'failed';
-- Units by state, and a few units' machines by state, read from the index alone (index-only scans).
create index machine_unit_managed on machine_unit (org_id, name, active_state)
    where managed;
