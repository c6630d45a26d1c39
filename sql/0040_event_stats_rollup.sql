-- Charts: eventStats by month (or year) and country, over a date range, is answered from this
-- rollup instead of aggregating every event in the range (hundreds of thousands of events and
-- their casualty_summary at a million). Per month of date_start and country, live events only:
-- a row with a NULL category holds the number of events; a row per category holds how many of
-- them have a consolidated figure in it and the sums of those figures (casualty_summary's rule).
CREATE TABLE event_stats_rollup (
  month date NOT NULL,
  country_id bigint,
  category casualty_category,
  events integer NOT NULL,
  low bigint,
  best bigint,
  high bigint,
  CONSTRAINT event_stats_rollup_key UNIQUE NULLS NOT DISTINCT (month, country_id, category)
);

-- Recomputes whole months from the events. Maintained on write (the triggers below): a write
-- recomputes the months it touched, about a thousandth of the events at a million. The
-- advisory locks, taken in month order, make concurrent writers to one month wait for each
-- other, so each recomputes from the other's committed result.
CREATE FUNCTION refresh_event_stats_rollup(months date[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('event_stats_rollup'), month - date '2000-01-01')
  FROM (SELECT DISTINCT unnest(months) AS month ORDER BY 1) sorted;
  DELETE FROM event_stats_rollup WHERE month = ANY(months);
  INSERT INTO event_stats_rollup (month, country_id, category, events, low, best, high)
  SELECT m.month, e.country_id, s.category, count(*)::int, sum(s.low), sum(s.best), sum(s.high)
  FROM (SELECT DISTINCT unnest(months) AS month) m
  JOIN event e ON e.deleted_at IS NULL
    AND e.date_start >= m.month AND e.date_start < (m.month + interval '1 month')::date
  -- One row counting the event, one per category it has a figure in. Correlated per event,
  -- so the view is computed for these events only.
  CROSS JOIN LATERAL (
    SELECT NULL::casualty_category, NULL::integer, NULL::integer, NULL::integer
    UNION ALL
    SELECT summary.category, summary.low, summary.best, summary.high
    FROM casualty_summary summary WHERE summary.event_id = e.id
  ) AS s (category, low, best, high)
  GROUP BY m.month, e.country_id, s.category;
END;
$$;

-- The months of date_start a set of events falls in.
CREATE FUNCTION event_stats_months_of(event_ids bigint[]) RETURNS date[]
LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT DISTINCT date_trunc('month', date_start)::date FROM event WHERE id = ANY(event_ids))
$$;

CREATE FUNCTION event_stats_rollup_on_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_event_stats_rollup(ARRAY(SELECT date_trunc('month', date_start)::date FROM new_rows));
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

CREATE TRIGGER event_stats_rollup_inserted AFTER INSERT ON event
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_stats_rollup_on_event();
CREATE TRIGGER event_stats_rollup_updated AFTER UPDATE ON event
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_stats_rollup_on_event();
CREATE TRIGGER event_stats_rollup_deleted AFTER DELETE ON event
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_stats_rollup_on_event();

CREATE FUNCTION event_stats_rollup_on_figure() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_event_stats_rollup(event_stats_months_of(ARRAY(SELECT event_id FROM new_rows)));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM refresh_event_stats_rollup(event_stats_months_of(ARRAY(SELECT event_id FROM old_rows)));
  ELSE
    PERFORM refresh_event_stats_rollup(event_stats_months_of(ARRAY(
      SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows)));
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER event_stats_rollup_inserted AFTER INSERT ON casualty_figure
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_stats_rollup_on_figure();
CREATE TRIGGER event_stats_rollup_updated AFTER UPDATE ON casualty_figure
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_stats_rollup_on_figure();
CREATE TRIGGER event_stats_rollup_deleted AFTER DELETE ON casualty_figure
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_stats_rollup_on_figure();

-- The rollup of the events already stored.
SELECT refresh_event_stats_rollup(ARRAY(
  SELECT DISTINCT date_trunc('month', date_start)::date FROM event WHERE deleted_at IS NULL));

-- Map pages: a box and a date range together narrow the candidates in one index scan (a box
-- alone holds years of events; a range alone, every place).
CREATE INDEX event_point_date_range_idx ON event
  USING gist (point(longitude, latitude), daterange(date_start, date_end, '[]'))
  WHERE latitude IS NOT NULL AND deleted_at IS NULL;
