-- Credential rotation (issue 17): the service issues a machine a new credential over its
-- session; the old one works until the agent confirms it saved the new one (or connects with it).
alter table machine
    add column next_credential_hash bytea,
    add column credential_rotation_requested_at timestamptz,
    add column credential_rotated_at timestamptz;
create unique index machine_next_credential on machine (next_credential_hash)
    where next_credential_hash is not null;
-- A machine's history tells of its credential too.
alter table machine_event drop constraint machine_event_kind_check;
alter table machine_event add constraint machine_event_kind_check
    check (kind in ('enrolled', 'presence', 'labels', 'removed', 'credential'));
