-- The consolidated best estimates of killed and injured, kept on the event row so that the
-- minKilled/minInjured filters and the KILLED_DESC order are answered from an index. The rule
-- stays in the casualty_summary view; these columns only copy its result, refreshed by
-- statement-level triggers (one UPDATE per statement, whatever the number of figures it wrote).
ALTER TABLE event
  ADD COLUMN killed_best integer,
  ADD COLUMN injured_best integer;

CREATE FUNCTION refresh_event_casualty_rollup(event_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  UPDATE event SET killed_best = rollup.killed, injured_best = rollup.injured
  FROM (
    -- Correlated per event, so the view is computed for these events only.
    SELECT asked.id,
      (SELECT best FROM casualty_summary s WHERE s.event_id = asked.id AND s.category = 'killed') AS killed,
      (SELECT best FROM casualty_summary s WHERE s.event_id = asked.id AND s.category = 'injured') AS injured
    FROM unnest(event_ids) AS asked (id)
  ) rollup
  WHERE event.id = rollup.id
    AND (event.killed_best, event.injured_best) IS DISTINCT FROM (rollup.killed, rollup.injured);
$$;

CREATE FUNCTION casualty_figure_rollup_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_event_casualty_rollup(ARRAY(SELECT DISTINCT event_id FROM new_rows));
  RETURN NULL;
END;
$$;

CREATE FUNCTION casualty_figure_rollup_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_event_casualty_rollup(ARRAY(
    SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows));
  RETURN NULL;
END;
$$;

CREATE FUNCTION casualty_figure_rollup_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_event_casualty_rollup(ARRAY(SELECT DISTINCT event_id FROM old_rows));
  RETURN NULL;
END;
$$;

CREATE TRIGGER casualty_figure_rollup_inserted AFTER INSERT ON casualty_figure
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION casualty_figure_rollup_inserted();
CREATE TRIGGER casualty_figure_rollup_updated AFTER UPDATE ON casualty_figure
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION casualty_figure_rollup_updated();
CREATE TRIGGER casualty_figure_rollup_deleted AFTER DELETE ON casualty_figure
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION casualty_figure_rollup_deleted();

SELECT refresh_event_casualty_rollup(ARRAY(SELECT DISTINCT event_id FROM casualty_figure));

-- The KILLED_DESC order; the thresholds.
CREATE INDEX event_killed_order_idx ON event ((coalesce(killed_best, -1)) DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX event_killed_idx ON event (killed_best) WHERE killed_best IS NOT NULL;
CREATE INDEX event_injured_idx ON event (injured_best) WHERE injured_best IS NOT NULL;
