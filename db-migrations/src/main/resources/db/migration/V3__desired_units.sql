-- What Flotilla wants on each machine: unit files and their target state, with a generation that
-- increases whenever the machine's desired state changes; and what the agent made of it.

create table desired_unit (
    org_id     uuid        not null,
    machine_id text        not null,
    name       text        not null check (length(name) between 1 and 255),
    content    text        not null check (length(content) <= 65536),
    target     text        not null check (target in ('loaded', 'launched')),
    updated_by text        not null,
    updated_at timestamptz not null default now(),
    primary key (org_id, machine_id, name),
    foreign key (org_id, machine_id) references machine (org_id, id) on delete cascade
);

create table desired_unit_result (
    org_id     uuid        not null,
    machine_id text        not null,
    name       text        not null,
    generation bigint      not null,
    ok         boolean     not null,
    error      text,
    at         timestamptz not null default now(),
    primary key (org_id, machine_id, name),
    foreign key (org_id, machine_id) references machine (org_id, id) on delete cascade
);

alter table machine add column desired_generation bigint not null default 0;
alter table machine add column applied_generation bigint not null default 0;
