-- The monthly rollup (sql/0040) recomputed every month a write touched, from all of that month's
-- events: an import batch of 1,000 new events (and then their figures) recomputed about a hundred
-- months twice, so importing cost grew with the events already stored (1.7 s of Postgres CPU per
-- 1,000 GED rows at 30,000 rows, quadratic over a large file). New events and an event's first
-- figures only add to their buckets: those writes now add their counts and sums to the rollup.
-- Every other write (updates, deletions, more figures for an event that has some) still
-- recomputes its months.

-- Adds (month, country_id, category, events, low, best, high) rows to the rollup, holding the
-- months' advisory locks (the order refresh_event_stats_rollup takes them in) so that an addition
-- and a recomputation of one month never interleave.
CREATE FUNCTION add_to_event_stats_rollup(additions jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('event_stats_rollup'), month - date '2000-01-01')
  FROM (SELECT DISTINCT (a->>'month')::date AS month FROM jsonb_array_elements(additions) a ORDER BY 1) sorted;
  INSERT INTO event_stats_rollup AS r (month, country_id, category, events, low, best, high)
  SELECT (a->>'month')::date, (a->>'country_id')::bigint, (a->>'category')::casualty_category,
    (a->>'events')::int, (a->>'low')::bigint, (a->>'best')::bigint, (a->>'high')::bigint
  FROM jsonb_array_elements(additions) a
  ON CONFLICT ON CONSTRAINT event_stats_rollup_key DO UPDATE SET events = r.events + excluded.events,
    -- sum() of no numbers is NULL: a NULL side adds nothing.
    low = coalesce(r.low + excluded.low, r.low, excluded.low),
    best = coalesce(r.best + excluded.best, r.best, excluded.best),
    high = coalesce(r.high + excluded.high, r.high, excluded.high);
END;
$$;

CREATE OR REPLACE FUNCTION event_stats_rollup_on_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- A new event has no figures yet (a figure needs its event first): it adds one to its
    -- month and country's count.
    PERFORM add_to_event_stats_rollup(coalesce((
      SELECT jsonb_agg(jsonb_build_object('month', month, 'country_id', country_id, 'events', events))
      FROM (
        SELECT date_trunc('month', date_start)::date AS month, country_id, count(*) AS events
        FROM new_rows WHERE deleted_at IS NULL GROUP BY 1, 2
      ) counted), '[]'));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM refresh_event_stats_rollup(ARRAY(SELECT date_trunc('month', date_start)::date FROM old_rows));
  ELSE
    -- Only events whose month, country or liveness changed move between buckets; the figures'
    -- own triggers cover changed casualties.
    PERFORM refresh_event_stats_rollup(ARRAY(
      SELECT date_trunc('month', changed.day)::date
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      CROSS JOIN LATERAL (VALUES (o.date_start), (n.date_start)) AS changed (day)
      WHERE (o.date_start, o.country_id, o.deleted_at IS NULL)
        IS DISTINCT FROM (n.date_start, n.country_id, n.deleted_at IS NULL)));
  END IF;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION event_stats_rollup_on_figure() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  -- Events all of whose figures this statement inserted, and the others it touched.
  firsts bigint[];
  others bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(inserted.event_id) FILTER (WHERE stored.figures = inserted.figures),
      array_agg(inserted.event_id) FILTER (WHERE stored.figures <> inserted.figures)
    INTO firsts, others
    FROM (SELECT event_id, count(*) AS figures FROM new_rows GROUP BY event_id) inserted
    CROSS JOIN LATERAL (
      SELECT count(*) AS figures FROM casualty_figure f WHERE f.event_id = inserted.event_id
    ) stored;
    -- Before this statement those events had no summary: theirs is added as it is. The
    -- months to recompute are locked first, so that all of them are taken in month order.
    PERFORM pg_advisory_xact_lock(hashtext('event_stats_rollup'), month - date '2000-01-01')
    FROM (SELECT DISTINCT unnest(event_stats_months_of(firsts || others)) AS month ORDER BY 1) sorted;
    PERFORM add_to_event_stats_rollup(coalesce((
      SELECT jsonb_agg(to_jsonb(added))
      FROM (
        SELECT date_trunc('month', e.date_start)::date AS month, e.country_id, s.category,
          count(*) AS events, sum(s.low) AS low, sum(s.best) AS best, sum(s.high) AS high
        FROM event e
        CROSS JOIN LATERAL (
          SELECT summary.category, summary.low, summary.best, summary.high
          FROM casualty_summary summary WHERE summary.event_id = e.id
          -- Computed per event: not flattened into one pass over every figure.
          OFFSET 0
        ) s
        WHERE e.id = ANY(firsts) AND e.deleted_at IS NULL
        GROUP BY 1, 2, 3
      ) added), '[]'));
    PERFORM refresh_event_stats_rollup(event_stats_months_of(others));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM refresh_event_stats_rollup(event_stats_months_of(ARRAY(SELECT event_id FROM old_rows)));
  ELSE
    PERFORM refresh_event_stats_rollup(event_stats_months_of(ARRAY(
      SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows)));
  END IF;
  RETURN NULL;
END;
$$;
