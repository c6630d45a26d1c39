-- Releases and revisions are kept, not overwritten. A source that states a figure again for the
-- same event, category and population (a dataset's later release, a ministry's updated toll)
-- supersedes what it said before: the earlier figure stays, with the report that stated it, and
-- leaves the consolidation. "Later" is the report's publication date, then the order in which
-- the reports were recorded. Figures of different sources stay side by side.
CREATE VIEW casualty_figure_standing AS
SELECT f.*,
  r.source_id IS NOT NULL AND row_number() OVER (
    PARTITION BY f.event_id, f.category, f.population, r.source_id
    ORDER BY coalesce(r.published_on, '-infinity') DESC, r.id DESC
  ) > 1 AS superseded
FROM casualty_figure f
LEFT JOIN report r ON r.id = f.report_id;
-- Ask it for one event's figures (event_id = …): the condition reaches the window's partitions,
-- so only that event's figures are read. A condition on the figure's id alone would read all.

-- The consolidation as before (sql/0007), over the figures in force, and whether they are
-- disputed: some report's range lies wholly above another's ("at least 12" and "7"). A range is
-- low..high as given, else around best: "at least" has no top, "at most" starts at 0,
-- "approximately" spans 10 % either side; a vague figure has none. Columns are only added at
-- the end, so a release that reads the views as they were still can.
CREATE OR REPLACE VIEW casualty_population_summary AS
SELECT event_id, category, population,
  min(coalesce(low, best, high)) AS low,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY best) AS best,
  max(coalesce(high, best, low)) AS high,
  count(*)::int AS figures,
  coalesce(max(range_low) > min(range_high), false) AS disputed
FROM (
  SELECT f.*,
    CASE
      WHEN f.low IS NOT NULL THEN f.low
      WHEN f.qualifier = 'at_most' THEN 0
      WHEN f.qualifier = 'approximately' THEN floor(0.9 * f.best)
      ELSE coalesce(f.best, f.high)
    END AS range_low,
    CASE
      WHEN f.high IS NOT NULL THEN f.high
      WHEN f.qualifier = 'at_least' THEN NULL
      WHEN f.qualifier = 'approximately' THEN ceil(1.1 * f.best)
      ELSE coalesce(f.best, f.low)
    END AS range_high
  FROM casualty_figure_standing f
  WHERE NOT f.superseded
) in_force
GROUP BY event_id, category, population;

CREATE OR REPLACE VIEW casualty_summary AS
SELECT event_id, category,
  sum(low)::int AS low, sum(best)::int AS best, sum(high)::int AS high, sum(figures)::int AS figures,
  bool_or(disputed) AS disputed
FROM (
  SELECT *, bool_or(population = 'all') OVER (PARTITION BY event_id, category) AS has_total
  FROM casualty_population_summary
) populations
WHERE (population = 'all') = has_total
GROUP BY event_id, category;

-- Whether any of the event's consolidated figures is disputed, kept on the event beside the
-- consolidated counts (sql/0008) so that the `disputed` filter is answered from an index.
ALTER TABLE event ADD COLUMN casualties_disputed boolean NOT NULL DEFAULT false;

CREATE OR REPLACE FUNCTION refresh_event_casualty_rollup(event_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  UPDATE event SET killed_best = rollup.killed, injured_best = rollup.injured,
    casualties_disputed = rollup.disputed
  FROM (
    -- Correlated per event, so the views are computed for these events only.
    SELECT asked.id,
      (SELECT best FROM casualty_summary s WHERE s.event_id = asked.id AND s.category = 'killed') AS killed,
      (SELECT best FROM casualty_summary s WHERE s.event_id = asked.id AND s.category = 'injured') AS injured,
      coalesce((SELECT bool_or(disputed) FROM casualty_population_summary s WHERE s.event_id = asked.id), false) AS disputed
    FROM unnest(event_ids) AS asked (id)
  ) rollup
  WHERE event.id = rollup.id
    AND (event.killed_best, event.injured_best, event.casualties_disputed)
      IS DISTINCT FROM (rollup.killed, rollup.injured, rollup.disputed);
$$;

-- Derived columns are not an edit: refreshing them keeps the version (as in sql/0012).
CREATE OR REPLACE FUNCTION touch_versioned_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  IF coalesce(current_setting('attest.explicit_versions', true), '') <> 'on'
    AND to_jsonb(NEW) - '{killed_best,injured_best,casualties_disputed,updated_at,search_vector}'::text[]
      IS DISTINCT FROM to_jsonb(OLD) - '{killed_best,injured_best,casualties_disputed,updated_at,search_vector}'::text[]
  THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END;
$$;

-- A report's source or date decides what it supersedes: a change refreshes its events.
CREATE FUNCTION report_supersession_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_event_casualty_rollup(ARRAY(
    SELECT DISTINCT f.event_id
    FROM new_rows r JOIN old_rows o ON o.id = r.id
    JOIN casualty_figure f ON f.report_id = r.id
    WHERE (r.source_id, r.published_on) IS DISTINCT FROM (o.source_id, o.published_on)));
  RETURN NULL;
END;
$$;
CREATE TRIGGER report_supersession_changed AFTER UPDATE ON report
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_supersession_changed();

-- Only events with two figures of one category and population can have one superseded or
-- disputed; the others keep their counts and are not disputed.
SELECT refresh_event_casualty_rollup(ARRAY(
  SELECT DISTINCT event_id FROM casualty_figure
  GROUP BY event_id, category, population HAVING count(*) > 1));

CREATE INDEX event_casualties_disputed_idx ON event (id) WHERE casualties_disputed AND deleted_at IS NULL;
