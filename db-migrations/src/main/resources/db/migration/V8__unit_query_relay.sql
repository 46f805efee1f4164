-- A question for an agent connected to another replica (a unit's journal or status): the asking
-- replica writes it here and sends NOTIFY flotilla_query with its id; the replica holding the
-- agent's session asks the agent and writes the reply into the row; the asking replica reads it
-- and deletes the row. Rows of askers that died are deleted after a minute.
create table unit_query (
    request_id text        primary key,
    org_id     uuid        not null,
    machine_id text        not null,
    query      text        not null,
    reply      text,
    asked_at   timestamptz not null default now()
);
