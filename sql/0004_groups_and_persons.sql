-- ACLED's actor types (inter codes) plus what GTD and UCDP need.
CREATE TYPE group_kind AS ENUM (
  'state_forces', 'rebel_group', 'political_militia', 'identity_militia', 'rioters', 'protesters',
  'civilians', 'external_forces', 'criminal_group', 'other', 'unknown'
);

CREATE TABLE armed_group (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CONSTRAINT armed_group_name_not_blank CHECK (name ~ '\S'),
  kind group_kind NOT NULL DEFAULT 'unknown',
  description text,
  country_id bigint REFERENCES place (id),
  founded_on date,
  founded_precision date_precision,
  dissolved_on date,
  dissolved_precision date_precision,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT armed_group_dates_ordered CHECK (dissolved_on >= founded_on),
  CONSTRAINT armed_group_version_positive CHECK (version > 0)
);
CREATE INDEX armed_group_country_id_idx ON armed_group (country_id);
CREATE INDEX armed_group_name_trgm_idx ON armed_group USING gin (name gin_trgm_ops);
CREATE TRIGGER armed_group_touch BEFORE UPDATE ON armed_group
  FOR EACH ROW EXECUTE FUNCTION touch_versioned_row();

CREATE TABLE group_alias (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id bigint NOT NULL REFERENCES armed_group (id) ON DELETE CASCADE,
  alias text NOT NULL CONSTRAINT group_alias_not_blank CHECK (alias ~ '\S'),
  language text CONSTRAINT group_alias_language_format CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$')
);
CREATE UNIQUE INDEX group_alias_key ON group_alias (group_id, lower(alias));
CREATE INDEX group_alias_trgm_idx ON group_alias USING gin (alias gin_trgm_ops);

-- The group's id in another dataset; one group per id in each scheme, so imports find it again.
CREATE TABLE group_external_id (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id bigint NOT NULL REFERENCES armed_group (id) ON DELETE CASCADE,
  scheme text NOT NULL CONSTRAINT group_external_id_scheme_format CHECK (scheme ~ '^[a-z][a-z0-9_]*$'),
  external_id text NOT NULL CONSTRAINT group_external_id_not_blank CHECK (external_id ~ '\S'),
  CONSTRAINT group_external_id_key UNIQUE (scheme, external_id)
);
CREATE INDEX group_external_id_group_id_idx ON group_external_id (group_id);

CREATE TYPE group_relation_kind AS ENUM (
  'allegiance', 'branch_of', 'splinter_of', 'merged_into', 'renamed_to', 'ally', 'rival'
);

-- from → to, e.g. Jund al-Khilafa (from) pledged allegiance to Islamic State (to). A NULL
-- bound is open: unknown start or still in force. Every relation points at its report.
CREATE TABLE group_relation (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  from_group_id bigint NOT NULL REFERENCES armed_group (id) ON DELETE CASCADE,
  to_group_id bigint NOT NULL REFERENCES armed_group (id) ON DELETE CASCADE,
  kind group_relation_kind NOT NULL,
  valid_from date,
  valid_from_precision date_precision,
  valid_to date,
  valid_to_precision date_precision,
  report_id bigint NOT NULL REFERENCES report (id),
  quote text,
  CONSTRAINT group_relation_not_self CHECK (from_group_id <> to_group_id),
  CONSTRAINT group_relation_dates_ordered CHECK (valid_to >= valid_from),
  -- Symmetric kinds are stored once, lower id first, so A–B and B–A cannot both exist.
  CONSTRAINT group_relation_symmetric_order CHECK (kind NOT IN ('ally', 'rival') OR from_group_id < to_group_id),
  CONSTRAINT group_relation_no_overlap EXCLUDE USING gist (
    from_group_id WITH =, to_group_id WITH =, kind WITH =,
    daterange(valid_from, valid_to, '[]') WITH &&
  )
);
CREATE INDEX group_relation_to_group_id_idx ON group_relation (to_group_id);
CREATE INDEX group_relation_report_id_idx ON group_relation (report_id);

CREATE TABLE person (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CONSTRAINT person_name_not_blank CHECK (name ~ '\S'),
  aliases text[] NOT NULL DEFAULT '{}',
  description text,
  born_on date,
  died_on date,
  nationality_id bigint REFERENCES place (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT person_dates_ordered CHECK (died_on >= born_on)
);
CREATE INDEX person_name_trgm_idx ON person USING gin (name gin_trgm_ops);
CREATE INDEX person_nationality_id_idx ON person (nationality_id);

CREATE TABLE membership (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  group_id bigint NOT NULL REFERENCES armed_group (id) ON DELETE CASCADE,
  role text NOT NULL DEFAULT 'member' CONSTRAINT membership_role_not_blank CHECK (role ~ '\S'),
  valid_from date,
  valid_from_precision date_precision,
  valid_to date,
  valid_to_precision date_precision,
  report_id bigint NOT NULL REFERENCES report (id),
  quote text,
  CONSTRAINT membership_dates_ordered CHECK (valid_to >= valid_from),
  CONSTRAINT membership_no_overlap EXCLUDE USING gist (
    person_id WITH =, group_id WITH =, role WITH =,
    daterange(valid_from, valid_to, '[]') WITH &&
  )
);
CREATE INDEX membership_group_id_idx ON membership (group_id);
CREATE INDEX membership_report_id_idx ON membership (report_id);
