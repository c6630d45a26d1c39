-- The low and high ends of the consolidated killed and injured figures, kept on the event beside
-- the best estimates (sql/0008, 0051), so that exports read them from the row instead of
-- consolidating each page's figures again. Derived data, refreshed by the same triggers;
-- refreshing them keeps the version. Added columns only: an older release never reads them.
ALTER TABLE event
  ADD COLUMN killed_low integer,
  ADD COLUMN killed_high integer,
  ADD COLUMN injured_low integer,
  ADD COLUMN injured_high integer;

CREATE OR REPLACE FUNCTION refresh_event_casualty_rollup(event_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  UPDATE event SET killed_best = rollup.killed, injured_best = rollup.injured,
    killed_low = rollup.killed_low, killed_high = rollup.killed_high,
    injured_low = rollup.injured_low, injured_high = rollup.injured_high,
    casualties_disputed = rollup.disputed
  FROM (
    -- Correlated per event, so the views are computed for these events only.
    SELECT asked.id, s.*,
      coalesce((SELECT bool_or(disputed) FROM casualty_population_summary p WHERE p.event_id = asked.id), false) AS disputed
    FROM unnest(event_ids) AS asked (id)
    CROSS JOIN LATERAL (
      SELECT
        min(best) FILTER (WHERE category = 'killed') AS killed,
        min(low) FILTER (WHERE category = 'killed') AS killed_low,
        min(high) FILTER (WHERE category = 'killed') AS killed_high,
        min(best) FILTER (WHERE category = 'injured') AS injured,
        min(low) FILTER (WHERE category = 'injured') AS injured_low,
        min(high) FILTER (WHERE category = 'injured') AS injured_high
      FROM casualty_summary s WHERE s.event_id = asked.id
    ) s
  ) rollup
  WHERE event.id = rollup.id
    AND (event.killed_best, event.injured_best, event.killed_low, event.killed_high,
         event.injured_low, event.injured_high, event.casualties_disputed)
      IS DISTINCT FROM (rollup.killed, rollup.injured, rollup.killed_low, rollup.killed_high,
         rollup.injured_low, rollup.injured_high, rollup.disputed);
$$;

-- Derived columns are not an edit: refreshing them keeps the version (as in sql/0012, 0051).
CREATE OR REPLACE FUNCTION touch_versioned_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  derived constant text[] := '{killed_best,injured_best,killed_low,killed_high,injured_low,injured_high,casualties_disputed,updated_at,search_vector}';
BEGIN
  -- A backfill of derived columns (below) is no change of the event: no new time, no version.
  IF current_setting('attest.backfill', true) = 'on' THEN
    RETURN NEW;
  END IF;
  NEW.updated_at := now();
  IF coalesce(current_setting('attest.explicit_versions', true), '') <> 'on'
    AND to_jsonb(NEW) - derived IS DISTINCT FROM to_jsonb(OLD) - derived
  THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END;
$$;

-- Filled once for the events that have figures, in one pass over the consolidation; the
-- events' times and versions stay (change feeds would otherwise list every event).
SELECT set_config('attest.backfill', 'on', true);
UPDATE event SET killed_low = s.killed_low, killed_high = s.killed_high,
  injured_low = s.injured_low, injured_high = s.injured_high
FROM (
  SELECT event_id,
    min(low) FILTER (WHERE category = 'killed') AS killed_low,
    min(high) FILTER (WHERE category = 'killed') AS killed_high,
    min(low) FILTER (WHERE category = 'injured') AS injured_low,
    min(high) FILTER (WHERE category = 'injured') AS injured_high
  FROM casualty_summary GROUP BY event_id
) s
WHERE event.id = s.event_id;
SELECT set_config('attest.backfill', 'off', true);
