-- A machine's history tells when the scheduler took a unit off it, and why (issue 18): a machine
-- that comes back after it was lost finds its units gone, and its history says where and why.
alter table machine_event drop constraint machine_event_kind_check;
alter table machine_event add constraint machine_event_kind_check
    check (kind in ('enrolled', 'presence', 'labels', 'removed', 'credential', 'units'));
