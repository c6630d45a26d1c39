-- The raw row beside the normalized one: the key that makes imports idempotent and the proof
-- that nothing was dropped. event_id is NULL for a row that produced no event (kept anyway).
CREATE TABLE import_record (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dataset text NOT NULL CONSTRAINT import_record_dataset_format CHECK (dataset ~ '^[a-z][a-z0-9_]*$'),
  release text NOT NULL CONSTRAINT import_record_release_not_blank CHECK (release ~ '\S'),
  external_id text NOT NULL CONSTRAINT import_record_external_id_not_blank CHECK (external_id ~ '\S'),
  raw jsonb NOT NULL CONSTRAINT import_record_raw_is_object CHECK (jsonb_typeof(raw) = 'object'),
  event_id bigint REFERENCES event (id) ON DELETE SET NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT import_record_key UNIQUE (dataset, external_id)
);
CREATE INDEX import_record_event_id_idx ON import_record (event_id);

CREATE TYPE api_role AS ENUM ('reader', 'editor', 'admin');

-- Only a salted hash of a key is stored; prefix is the non-secret part used to find the row.
CREATE TABLE api_key (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CONSTRAINT api_key_name_not_blank CHECK (name ~ '\S'),
  role api_role NOT NULL,
  prefix text NOT NULL CONSTRAINT api_key_prefix_format CHECK (prefix ~ '^[A-Za-z0-9_-]{8,32}$'),
  key_hash text NOT NULL CONSTRAINT api_key_hash_not_blank CHECK (key_hash ~ '\S'),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  CONSTRAINT api_key_prefix_key UNIQUE (prefix)
);

CREATE TYPE revision_operation AS ENUM ('create', 'update', 'delete', 'restore', 'merge', 'revert');

-- Every write: who, when, what, and the row before and after.
CREATE TABLE revision (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  api_key_id bigint REFERENCES api_key (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  operation revision_operation NOT NULL,
  entity_type text NOT NULL CONSTRAINT revision_entity_type_format CHECK (entity_type ~ '^[a-z][a-z_]*$'),
  entity_id bigint NOT NULL,
  before jsonb,
  after jsonb,
  CONSTRAINT revision_has_state CHECK (num_nonnulls(before, after) > 0)
);
CREATE INDEX revision_entity_idx ON revision (entity_type, entity_id, id DESC);
CREATE INDEX revision_api_key_id_idx ON revision (api_key_id);
CREATE INDEX revision_created_at_idx ON revision (created_at, id);
