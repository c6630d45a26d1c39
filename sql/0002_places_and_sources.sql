CREATE TYPE place_level AS ENUM ('country', 'admin1', 'admin2', 'admin3', 'locality');

-- country → admin1 → admin2 → admin3 → locality. country_id is derived (see the trigger) so
-- that events can be filtered by country with one index, whatever level their place has.
CREATE TABLE place (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_id bigint REFERENCES place (id),
  country_id bigint NOT NULL REFERENCES place (id),
  level place_level NOT NULL,
  name text NOT NULL CONSTRAINT place_name_not_blank CHECK (name ~ '\S'),
  iso_alpha3 char(3) CONSTRAINT place_iso_alpha3_format CHECK (iso_alpha3 ~ '^[A-Z]{3}$'),
  gw_code integer CONSTRAINT place_gw_code_range CHECK (gw_code BETWEEN 2 AND 999),
  latitude double precision CONSTRAINT place_latitude_range CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CONSTRAINT place_longitude_range CHECK (longitude BETWEEN -180 AND 180),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT place_country_is_root CHECK ((level = 'country') = (parent_id IS NULL)),
  CONSTRAINT place_codes_only_on_countries CHECK (level = 'country' OR (iso_alpha3 IS NULL AND gw_code IS NULL)),
  CONSTRAINT place_coordinates_paired CHECK ((latitude IS NULL) = (longitude IS NULL)),
  CONSTRAINT place_iso_alpha3_key UNIQUE (iso_alpha3),
  CONSTRAINT place_name_key UNIQUE NULLS NOT DISTINCT (parent_id, level, name)
);
CREATE INDEX place_parent_id_idx ON place (parent_id);
CREATE INDEX place_country_id_idx ON place (country_id);
CREATE INDEX place_gw_code_idx ON place (gw_code);
CREATE INDEX place_name_trgm_idx ON place USING gin (name gin_trgm_ops);

-- A place must sit below its parent (a locality cannot contain an admin1) and inherits the
-- parent's country; a country is its own country.
CREATE FUNCTION place_inherit_country() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  parent place%ROWTYPE;
BEGIN
  IF NEW.parent_id IS NULL THEN
    NEW.country_id := NEW.id;
    RETURN NEW;
  END IF;
  SELECT * INTO parent FROM place WHERE id = NEW.parent_id;
  IF NOT FOUND THEN
    RETURN NEW; -- the foreign key reports the missing parent
  END IF;
  IF parent.level >= NEW.level THEN
    RAISE EXCEPTION 'a % cannot be inside a %', NEW.level, parent.level
      USING ERRCODE = 'check_violation', CONSTRAINT = 'place_level_below_parent';
  END IF;
  NEW.country_id := parent.country_id;
  RETURN NEW;
END;
$$;
CREATE TRIGGER place_inherit_country BEFORE INSERT OR UPDATE OF parent_id, level ON place
  FOR EACH ROW EXECUTE FUNCTION place_inherit_country();

CREATE TYPE source_kind AS ENUM (
  'news_agency', 'news_outlet', 'government', 'armed_group', 'ngo', 'international_organization',
  'research', 'social_media', 'dataset', 'person', 'other'
);

-- Who reports or states something.
CREATE TABLE source (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CONSTRAINT source_name_not_blank CHECK (name ~ '\S'),
  kind source_kind NOT NULL,
  -- ACLED's source_scale: local, subnational, national, regional, international, other.
  scale text CONSTRAINT source_scale_not_blank CHECK (scale ~ '\S'),
  country_id bigint REFERENCES place (id),
  url text CONSTRAINT source_url_format CHECK (url ~ '^https?://[^\s]+$'),
  description text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX source_kind_name_key ON source (kind, lower(name));
CREATE INDEX source_country_id_idx ON source (country_id);
CREATE INDEX source_name_trgm_idx ON source USING gin (name gin_trgm_ops);

-- One document by a source. citation holds a reference that has no URL (UCDP source_article).
CREATE TABLE report (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_id bigint REFERENCES source (id),
  headline text,
  url text CONSTRAINT report_url_format CHECK (url ~ '^https?://[^\s]+$'),
  published_on date,
  language text CONSTRAINT report_language_format CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  citation text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT report_identifiable CHECK (
    coalesce(headline ~ '\S', false) OR url IS NOT NULL OR coalesce(citation ~ '\S', false)
  ),
  CONSTRAINT report_url_key UNIQUE (url)
);
CREATE INDEX report_source_id_idx ON report (source_id);
CREATE INDEX report_published_on_idx ON report (published_on);

-- Source chains: a report cites another report (The Defense Post → Reuters) or a source
-- directly (Reuters → the Interior Ministry spokesperson).
CREATE TABLE report_citation (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  report_id bigint NOT NULL REFERENCES report (id) ON DELETE CASCADE,
  cited_report_id bigint REFERENCES report (id),
  cited_source_id bigint REFERENCES source (id),
  quote text,
  CONSTRAINT report_citation_one_target CHECK (num_nonnulls(cited_report_id, cited_source_id) = 1),
  CONSTRAINT report_citation_not_self CHECK (cited_report_id <> report_id),
  CONSTRAINT report_citation_key UNIQUE NULLS NOT DISTINCT (report_id, cited_report_id, cited_source_id)
);
CREATE INDEX report_citation_cited_report_id_idx ON report_citation (cited_report_id);
CREATE INDEX report_citation_cited_source_id_idx ON report_citation (cited_source_id);
