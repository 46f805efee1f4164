-- Units as fleet defined them: a unit file (with its [X-Fleet] section) and a target state.
-- Global units go to every matching machine; the others to one machine, chosen by the scheduler
-- (machine_id). What a machine must run is still desired_unit; rows the scheduler wrote carry the
-- unit's name in `unit_name` (rows set by hand through /machines/{id}/desired-units do not).

create table unit (
    org_id       uuid        not null references organization (id),
    name         text        not null check (length(name) between 1 and 255),
    content      text        not null check (length(content) <= 65536),
    hash         text        not null,
    target_state text        not null check (target_state in ('inactive', 'loaded', 'launched')),
    global       boolean     not null,
    machine_id   text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    updated_by   text        not null,
    primary key (org_id, name)
);
create index unit_by_machine on unit (org_id, machine_id) where machine_id is not null;

alter table desired_unit add column unit_name text;
create index desired_unit_by_unit on desired_unit (org_id, unit_name) where unit_name is not null;
