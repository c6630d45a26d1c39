-- Extensions that ship with every Postgres build (contrib), so the embedded Postgres, the CI
-- Postgres and a container all run the same migrations. No PostGIS: points only for now.
CREATE EXTENSION IF NOT EXISTS pg_trgm;      -- fuzzy name search (groups, aliases, persons)
CREATE EXTENSION IF NOT EXISTS btree_gist;   -- scalar columns inside exclusion constraints
CREATE EXTENSION IF NOT EXISTS cube;         -- required by earthdistance
CREATE EXTENSION IF NOT EXISTS earthdistance; -- radius search around a point

-- How exactly a date is known. UCDP date_prec, ACLED time_precision and GTD's unknown day
-- all map onto these; 'range' means only the span date_start..date_end is known.
CREATE TYPE date_precision AS ENUM ('day', 'week', 'month', 'year', 'range');

-- How exactly a location is known (UCDP where_prec, ACLED geo_precision, GTD specificity).
CREATE TYPE geo_precision AS ENUM ('exact', 'near', 'admin2', 'admin1', 'region', 'country');

-- Keeps updated_at honest and bumps version on every update, so optimistic concurrency
-- cannot be bypassed by a writer that forgets to increment it.
CREATE FUNCTION touch_versioned_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  NEW.version := OLD.version + 1;
  RETURN NEW;
END;
$$;
