-- A second wall between tenants (issue 7): PostgreSQL row-level security keyed on the current
-- organization. Every query the service makes for a request is already scoped by org_id; for
-- such requests the service also switches, per connection checkout, to the role flotilla_tenant
-- and sets flotilla.org, so that a forgotten filter still returns nothing foreign.
-- Work that spans organizations (the agents' gateway, the scheduler, sweeps, sign-in itself)
-- runs as the service's own database user, the tables' owner, to which the policies do not apply.

-- Roles are per cluster: another database on the same server may have created it already.
do $$
begin
    create role flotilla_tenant nologin;
exception when duplicate_object then null;
end $$;
-- The service's user must be able to switch to it (a superuser already can).
do $$
begin
    execute format('grant flotilla_tenant to %I', current_user);
exception when others then
    raise notice 'could not grant flotilla_tenant to %: %', current_user, sqlerrm;
end $$;

grant usage on schema public to flotilla_tenant;
grant select, insert, update, delete on all tables in schema public to flotilla_tenant;
grant usage, select on all sequences in schema public to flotilla_tenant;
alter default privileges in schema public grant select, insert, update, delete on tables to flotilla_tenant;
alter default privileges in schema public grant usage, select on sequences to flotilla_tenant;
-- Flyway's own history is none of a tenant's business; the audit log is append-only for them too.
revoke all on flyway_schema_history from flotilla_tenant;
revoke update, delete on audit_event from flotilla_tenant;

create function flotilla_current_org() returns uuid language sql stable as $$
    select nullif(current_setting('flotilla.org', true), '')::uuid
$$;

-- Every table with an org_id (partitions inherit their parent's policy when queried through it).
do $$
declare
    t record;
begin
    for t in
        select c.relname
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
    loop
        execute format('alter table %I enable row level security', t.relname);
        execute format(
            'create policy tenant_isolation on %I using (org_id = flotilla_current_org()) '
            'with check (org_id = flotilla_current_org())', t.relname);
    end loop;
end $$;

alter table organization enable row level security;
create policy tenant_isolation on organization
    using (id = flotilla_current_org()) with check (id = flotilla_current_org());
