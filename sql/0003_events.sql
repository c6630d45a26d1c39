CREATE TABLE event (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL CONSTRAINT event_title_not_blank CHECK (title ~ '\S'),
  summary text,
  date_start date NOT NULL,
  date_end date NOT NULL,
  date_precision date_precision NOT NULL DEFAULT 'day',
  place_id bigint REFERENCES place (id),
  -- Derived from place_id by a trigger: the country filter needs no walk up the hierarchy.
  country_id bigint REFERENCES place (id),
  location_text text,
  latitude double precision CONSTRAINT event_latitude_range CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CONSTRAINT event_longitude_range CHECK (longitude BETWEEN -180 AND 180),
  geo_precision geo_precision,
  tags text[] NOT NULL DEFAULT '{}',
  is_suicide boolean NOT NULL DEFAULT false,
  civilian_targeting boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(location_text, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'C')
  ) STORED,
  CONSTRAINT event_dates_ordered CHECK (date_end >= date_start),
  CONSTRAINT event_coordinates_paired CHECK ((latitude IS NULL) = (longitude IS NULL)),
  CONSTRAINT event_tags_not_blank CHECK (array_position(tags, '') IS NULL),
  CONSTRAINT event_version_positive CHECK (version > 0)
);
-- Lists are newest first with id as the tie-breaker; deleted events are never listed.
CREATE INDEX event_date_idx ON event (date_start DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX event_date_range_idx ON event USING gist (daterange(date_start, date_end, '[]'));
CREATE INDEX event_country_date_idx ON event (country_id, date_start DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX event_country_id_idx ON event (country_id);
CREATE INDEX event_place_id_idx ON event (place_id);
CREATE INDEX event_updated_idx ON event (updated_at, id);
CREATE INDEX event_tags_idx ON event USING gin (tags);
CREATE INDEX event_search_idx ON event USING gin (search_vector);
-- Bounding boxes use the point index, radius searches the earthdistance one.
CREATE INDEX event_point_idx ON event USING gist (point(longitude, latitude)) WHERE latitude IS NOT NULL;
CREATE INDEX event_earth_idx ON event USING gist (ll_to_earth(latitude, longitude)) WHERE latitude IS NOT NULL;

CREATE FUNCTION event_inherit_country() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.country_id := (SELECT country_id FROM place WHERE id = NEW.place_id);
  RETURN NEW;
END;
$$;
CREATE TRIGGER event_inherit_country BEFORE INSERT OR UPDATE OF place_id, country_id ON event
  FOR EACH ROW EXECUTE FUNCTION event_inherit_country();
CREATE TRIGGER event_touch BEFORE UPDATE ON event
  FOR EACH ROW EXECUTE FUNCTION touch_versioned_row();

-- Taxonomies side by side: ACLED event/sub-event types, GTD attack types, UCDP type of violence.
CREATE TYPE event_type_scheme AS ENUM ('acled', 'gtd', 'ucdp');

CREATE TABLE event_type (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scheme event_type_scheme NOT NULL,
  code text NOT NULL CONSTRAINT event_type_code_not_blank CHECK (code ~ '\S'),
  label text NOT NULL CONSTRAINT event_type_label_not_blank CHECK (label ~ '\S'),
  parent_id bigint,
  CONSTRAINT event_type_code_key UNIQUE (scheme, code),
  CONSTRAINT event_type_scheme_id_key UNIQUE (scheme, id),
  -- A parent must belong to the same scheme.
  CONSTRAINT event_type_parent_fkey FOREIGN KEY (scheme, parent_id) REFERENCES event_type (scheme, id),
  CONSTRAINT event_type_not_own_parent CHECK (parent_id <> id)
);
CREATE INDEX event_type_parent_id_idx ON event_type (scheme, parent_id);

CREATE TABLE event_classification (
  event_id bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
  event_type_id bigint NOT NULL REFERENCES event_type (id),
  is_primary boolean NOT NULL DEFAULT false,
  PRIMARY KEY (event_id, event_type_id)
);
CREATE UNIQUE INDEX event_classification_one_primary_key ON event_classification (event_id) WHERE is_primary;
CREATE INDEX event_classification_event_type_id_idx ON event_classification (event_type_id, event_id);

INSERT INTO event_type (scheme, code, label) VALUES
  ('ucdp', '1', 'State-based conflict'),
  ('ucdp', '2', 'Non-state conflict'),
  ('ucdp', '3', 'One-sided violence'),
  ('gtd', '1', 'Assassination'),
  ('gtd', '2', 'Armed Assault'),
  ('gtd', '3', 'Bombing/Explosion'),
  ('gtd', '4', 'Hijacking'),
  ('gtd', '5', 'Hostage Taking (Barricade Incident)'),
  ('gtd', '6', 'Hostage Taking (Kidnapping)'),
  ('gtd', '7', 'Facility/Infrastructure Attack'),
  ('gtd', '8', 'Unarmed Assault'),
  ('gtd', '9', 'Unknown'),
  ('acled', 'battles', 'Battles'),
  ('acled', 'explosions_remote_violence', 'Explosions/Remote violence'),
  ('acled', 'violence_against_civilians', 'Violence against civilians'),
  ('acled', 'protests', 'Protests'),
  ('acled', 'riots', 'Riots'),
  ('acled', 'strategic_developments', 'Strategic developments');

INSERT INTO event_type (scheme, code, label, parent_id)
SELECT 'acled', sub.code, sub.label, parent.id
FROM (VALUES
  ('battles', 'armed_clash', 'Armed clash'),
  ('battles', 'government_regains_territory', 'Government regains territory'),
  ('battles', 'non_state_actor_overtakes_territory', 'Non-state actor overtakes territory'),
  ('explosions_remote_violence', 'chemical_weapon', 'Chemical weapon'),
  ('explosions_remote_violence', 'air_drone_strike', 'Air/drone strike'),
  ('explosions_remote_violence', 'suicide_bomb', 'Suicide bomb'),
  ('explosions_remote_violence', 'shelling_artillery_missile_attack', 'Shelling/artillery/missile attack'),
  ('explosions_remote_violence', 'remote_explosive_landmine_ied', 'Remote explosive/landmine/IED'),
  ('explosions_remote_violence', 'grenade', 'Grenade'),
  ('violence_against_civilians', 'sexual_violence', 'Sexual violence'),
  ('violence_against_civilians', 'attack', 'Attack'),
  ('violence_against_civilians', 'abduction_forced_disappearance', 'Abduction/forced disappearance'),
  ('protests', 'peaceful_protest', 'Peaceful protest'),
  ('protests', 'protest_with_intervention', 'Protest with intervention'),
  ('protests', 'excessive_force_against_protesters', 'Excessive force against protesters'),
  ('riots', 'violent_demonstration', 'Violent demonstration'),
  ('riots', 'mob_violence', 'Mob violence'),
  ('strategic_developments', 'agreement', 'Agreement'),
  ('strategic_developments', 'arrests', 'Arrests'),
  ('strategic_developments', 'change_to_group_activity', 'Change to group/activity'),
  ('strategic_developments', 'disrupted_weapons_use', 'Disrupted weapons use'),
  ('strategic_developments', 'headquarters_or_base_established', 'Headquarters or base established'),
  ('strategic_developments', 'looting_property_destruction', 'Looting/property destruction'),
  ('strategic_developments', 'non_violent_transfer_of_territory', 'Non-violent transfer of territory'),
  ('strategic_developments', 'other', 'Other')
) AS sub (parent_code, code, label)
JOIN event_type parent ON parent.scheme = 'acled' AND parent.code = sub.parent_code;

CREATE TYPE event_link_kind AS ENUM ('same_campaign', 'retaliation_for', 'context', 'duplicate_of');

CREATE TABLE event_link (
  event_id bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
  related_event_id bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
  kind event_link_kind NOT NULL,
  note text,
  PRIMARY KEY (event_id, related_event_id, kind),
  CONSTRAINT event_link_not_self CHECK (event_id <> related_event_id)
);
CREATE INDEX event_link_related_event_id_idx ON event_link (related_event_id);

CREATE TABLE event_citation (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
  report_id bigint NOT NULL REFERENCES report (id),
  quote text CONSTRAINT event_citation_quote_not_blank CHECK (quote ~ '\S'),
  CONSTRAINT event_citation_key UNIQUE NULLS NOT DISTINCT (event_id, report_id, quote)
);
CREATE INDEX event_citation_report_id_idx ON event_citation (report_id);
