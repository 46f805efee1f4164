-- One vocabulary (issue 18): everything that can be paused says so with `paused` (and why, in
-- `paused_reason`), as machines and rollouts already do; an update policy said `enabled`.
alter table update_policy rename column enabled to paused;
update update_policy set paused = not paused;
alter table update_policy alter column paused set default false;

-- Every duration is an ISO-8601 string named without a unit: a window's `lengthMinutes: 90` is
-- now `length: "PT1H30M"` (written the way java.time.Duration prints it).
update update_policy p set windows = (
    select coalesce(jsonb_agg(
               case when e.w ? 'lengthMinutes' then
                   (e.w - 'lengthMinutes') || jsonb_build_object('length',
                       'PT'
                       || case when (e.w->>'lengthMinutes')::int >= 60
                               then ((e.w->>'lengthMinutes')::int / 60)::text || 'H' else '' end
                       || case when (e.w->>'lengthMinutes')::int % 60 > 0
                               then ((e.w->>'lengthMinutes')::int % 60)::text || 'M' else '' end)
               else e.w end
               order by e.ord), '[]'::jsonb)
    from jsonb_array_elements(p.windows) with ordinality as e(w, ord))
where jsonb_typeof(p.windows) = 'array' and p.windows::text like '%lengthMinutes%';
