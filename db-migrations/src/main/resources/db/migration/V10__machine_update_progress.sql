-- What each machine's agent last said of its updates (update-report frames).
alter table machine_update
    add column state          text check (state in ('idle', 'pending', 'updating', 'rebooting', 'complete', 'failed')),
    add column pending        integer,
    add column security       integer,
    add column target_version text,
    add column os_version     text,
    add column detail         text,
    add column reported_at    timestamptz;
