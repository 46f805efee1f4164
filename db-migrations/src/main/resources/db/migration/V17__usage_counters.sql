-- Quotas read counters, not counts (issue 20): enrollment had halved (97/s against 187/s) because
-- each one counted the organization's machines, O(machines), under the quota's lock. Triggers keep
-- the counters with every insert and delete, whoever makes it (the service as a tenant, the
-- scheduler, an operator's psql), so they cannot drift from the rows.
alter table organization add column machine_count integer not null default 0;
alter table organization add column unit_count integer not null default 0;
update organization o set
    machine_count = (select count(*) from machine m where m.org_id = o.id),
    unit_count = (select count(*) from unit u where u.org_id = o.id);

-- Security definer: a tenant's insert must move its organization's counter, which it may not
-- otherwise write.
create function flotilla_count_usage() returns trigger language plpgsql security definer
set search_path = public as $$
begin
    if tg_op = 'INSERT' then
        if tg_table_name = 'machine' then
            update organization set machine_count = machine_count + 1 where id = new.org_id;
        else
            update organization set unit_count = unit_count + 1 where id = new.org_id;
        end if;
        return new;
    else
        if tg_table_name = 'machine' then
            update organization set machine_count = machine_count - 1 where id = old.org_id;
        else
            update organization set unit_count = unit_count - 1 where id = old.org_id;
        end if;
        return old;
    end if;
end $$;

create trigger machine_usage after insert or delete on machine
    for each row execute function flotilla_count_usage();
create trigger unit_usage after insert or delete on unit
    for each row execute function flotilla_count_usage();
