CREATE TYPE actor_role AS ENUM ('perpetrator', 'target', 'participant', 'associated');
CREATE TYPE actor_side AS ENUM ('a', 'b');
CREATE TYPE attribution AS ENUM ('confirmed', 'claimed', 'suspected', 'competing_claim');

CREATE TABLE event_actor (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
  group_id bigint NOT NULL REFERENCES armed_group (id),
  role actor_role NOT NULL,
  side actor_side,
  attribution attribution NOT NULL DEFAULT 'confirmed',
  -- The report that attributes the event to the group, when one does.
  report_id bigint REFERENCES report (id),
  CONSTRAINT event_actor_key UNIQUE (event_id, group_id, role)
);
CREATE INDEX event_actor_group_id_idx ON event_actor (group_id, event_id);
CREATE INDEX event_actor_report_id_idx ON event_actor (report_id);

CREATE TYPE person_outcome AS ENUM ('killed', 'injured', 'arrested', 'missing', 'hostage', 'unharmed', 'unknown');

CREATE TABLE event_person (
  event_id bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
  person_id bigint NOT NULL REFERENCES person (id),
  role text NOT NULL CONSTRAINT event_person_role_not_blank CHECK (role ~ '\S'),
  outcome person_outcome,
  report_id bigint REFERENCES report (id),
  PRIMARY KEY (event_id, person_id, role)
);
CREATE INDEX event_person_person_id_idx ON event_person (person_id);
CREATE INDEX event_person_report_id_idx ON event_person (report_id);

CREATE TYPE casualty_category AS ENUM ('killed', 'injured', 'hostage', 'missing', 'arrested');
CREATE TYPE casualty_population AS ENUM (
  'all', 'perpetrators', 'security_forces', 'civilians', 'side_a', 'side_b', 'unknown'
);
-- How the report words the number: "at least 12", "up to 6,000", "a little more than 2,500",
-- or only a vague term ("dozens") kept verbatim in vague_term.
CREATE TYPE figure_qualifier AS ENUM ('exact', 'at_least', 'at_most', 'approximately', 'vague');

-- One figure as one report gives it. Conflicting figures are all kept; the consolidated
-- low/best/high of an event is computed from them.
CREATE TABLE casualty_figure (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
  category casualty_category NOT NULL,
  population casualty_population NOT NULL,
  low integer CONSTRAINT casualty_figure_low_non_negative CHECK (low >= 0),
  best integer CONSTRAINT casualty_figure_best_non_negative CHECK (best >= 0),
  high integer CONSTRAINT casualty_figure_high_non_negative CHECK (high >= 0),
  qualifier figure_qualifier NOT NULL DEFAULT 'exact',
  vague_term text,
  report_id bigint NOT NULL REFERENCES report (id),
  quote text,
  CONSTRAINT casualty_figure_has_number CHECK (num_nonnulls(low, best, high) > 0 OR qualifier = 'vague'),
  CONSTRAINT casualty_figure_vague_term CHECK ((qualifier = 'vague') = (vague_term IS NOT NULL)),
  CONSTRAINT casualty_figure_low_le_best CHECK (low <= best),
  CONSTRAINT casualty_figure_best_le_high CHECK (best <= high),
  CONSTRAINT casualty_figure_low_le_high CHECK (low <= high),
  CONSTRAINT casualty_figure_key UNIQUE (event_id, category, population, report_id)
);
CREATE INDEX casualty_figure_report_id_idx ON casualty_figure (report_id);

-- A sourced statement that fits no column: the disputed count of Tunisians who joined ISIS,
-- the image caption that dates the raid a year early. Exactly one subject.
CREATE TABLE claim (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id bigint REFERENCES event (id) ON DELETE CASCADE,
  group_id bigint REFERENCES armed_group (id) ON DELETE CASCADE,
  person_id bigint REFERENCES person (id) ON DELETE CASCADE,
  property text NOT NULL CONSTRAINT claim_property_format CHECK (property ~ '^[a-z][a-z0-9_]*$'),
  statement text NOT NULL CONSTRAINT claim_statement_not_blank CHECK (statement ~ '\S'),
  value_text text,
  low numeric,
  best numeric,
  high numeric,
  unit text,
  qualifier figure_qualifier NOT NULL DEFAULT 'exact',
  report_id bigint NOT NULL REFERENCES report (id),
  -- Who made the statement inside the report, when it is not the report's own source
  -- (Aaron Zelin, interviewed by The Defense Post).
  stated_by_source_id bigint REFERENCES source (id),
  quote text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT claim_one_subject CHECK (num_nonnulls(event_id, group_id, person_id) = 1),
  CONSTRAINT claim_has_value CHECK (value_text IS NOT NULL OR num_nonnulls(low, best, high) > 0),
  CONSTRAINT claim_low_le_best CHECK (low <= best),
  CONSTRAINT claim_best_le_high CHECK (best <= high),
  CONSTRAINT claim_low_le_high CHECK (low <= high)
);
CREATE INDEX claim_event_id_idx ON claim (event_id);
CREATE INDEX claim_group_id_idx ON claim (group_id);
CREATE INDEX claim_person_id_idx ON claim (person_id);
CREATE INDEX claim_report_id_idx ON claim (report_id);
CREATE INDEX claim_stated_by_source_id_idx ON claim (stated_by_source_id);
