-- What agents observe of their hosts' containers (through the Docker-compatible engine API):
-- current state, upserted, and every transition, appended. Units and containers share the agent's
-- one sequence (machine.unit_seq acknowledges both); a gap in that sequence is recorded in
-- unit_event, whose history therefore speaks for the whole stream.

create table machine_container (
    org_id       uuid        not null references organization (id),
    machine_id   text        not null,
    container_id text        not null check (container_id ~ '^[0-9a-f]{12,64}$'),
    name         text        not null check (length(name) between 1 and 256),
    image        text        not null,
    state        text        not null,
    status       text,
    health       text,
    created_at   timestamptz,
    started_at   timestamptz,
    labels       jsonb       not null default '{}',
    observed_at  timestamptz not null,
    seq          bigint      not null,
    primary key (org_id, machine_id, container_id),
    foreign key (org_id, machine_id) references machine (org_id, id) on delete cascade
);
create index machine_container_by_name on machine_container (org_id, machine_id, name);

create table container_event (
    org_id       uuid        not null,
    machine_id   text        not null,
    seq          bigint      not null,
    observed_at  timestamptz not null,
    received_at  timestamptz not null default now(),
    container_id text        not null,
    name         text        not null,
    image        text        not null,
    state        text        not null,
    health       text,
    removed      boolean     not null default false,
    primary key (org_id, machine_id, seq, observed_at)
) partition by range (observed_at);
create index container_event_by_container on container_event (org_id, machine_id, container_id, observed_at desc);
create table container_event_default partition of container_event default;

-- One function for every monthly-partitioned history table.
create or replace function flotilla_ensure_monthly_partition(parent text, month date) returns void
language plpgsql as $$
declare
    first date := date_trunc('month', month)::date;
    part text := parent || '_' || to_char(first, 'YYYY_MM');
begin
    if to_regclass(part) is null then
        execute format('create table %I partition of %I for values from (%L) to (%L)',
                       part, parent, first, (first + interval '1 month')::date);
    end if;
end $$;

select flotilla_ensure_monthly_partition('container_event', (now() - interval '1 month')::date);
select flotilla_ensure_monthly_partition('container_event', now()::date);
select flotilla_ensure_monthly_partition('container_event', (now() + interval '1 month')::date);
