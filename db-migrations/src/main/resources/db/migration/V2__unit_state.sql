-- What agents observe of systemd units: current state, upserted, and every transition, appended.

create table machine_unit (
    org_id       uuid        not null references organization (id),
    machine_id   text        not null,
    name         text        not null check (length(name) between 1 and 256),
    load_state   text        not null,
    active_state text        not null,
    sub_state    text        not null,
    description  text,
    hash         text,
    managed      boolean     not null default false,
    changed_at   timestamptz,
    observed_at  timestamptz not null,
    seq          bigint      not null,
    primary key (org_id, machine_id, name),
    foreign key (org_id, machine_id) references machine (org_id, id) on delete cascade
);

-- History, partitioned by month of observation so that retention drops whole partitions.
-- (org_id, machine_id, seq, observed_at) is unique: an agent's transition is stored once however
-- often it is sent (reconnects resend what was not acknowledged).
create table unit_event (
    org_id       uuid        not null,
    machine_id   text        not null,
    seq          bigint      not null,
    observed_at  timestamptz not null,
    received_at  timestamptz not null default now(),
    name         text,
    load_state   text,
    active_state text,
    sub_state    text,
    removed      boolean     not null default false,
    dropped      bigint      not null default 0,
    primary key (org_id, machine_id, seq, observed_at)
) partition by range (observed_at);
create index unit_event_by_unit on unit_event (org_id, machine_id, name, observed_at desc);

-- A default partition catches what no monthly partition takes (e.g. a host whose clock is far off).
create table unit_event_default partition of unit_event default;

-- Monthly partitions are created ahead by the service; these cover the first months.
create or replace function flotilla_ensure_unit_event_partition(month date) returns void
language plpgsql as $$
declare
    first date := date_trunc('month', month)::date;
    part text := 'unit_event_' || to_char(first, 'YYYY_MM');
begin
    if to_regclass(part) is null then
        execute format('create table %I partition of unit_event for values from (%L) to (%L)',
                       part, first, (first + interval '1 month')::date);
    end if;
end $$;

select flotilla_ensure_unit_event_partition((now() - interval '1 month')::date);
select flotilla_ensure_unit_event_partition(now()::date);
select flotilla_ensure_unit_event_partition((now() + interval '1 month')::date);

-- The highest unit transition stored per machine: what the service acknowledges.
alter table machine add column unit_seq bigint not null default 0;
