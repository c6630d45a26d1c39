-- Every release's raw row is kept: import_record holds the latest one per dataset id (as
-- before, so a release that writes it still runs), and each write of it is copied here, by
-- trigger, whoever writes it. An event can then show what each release said about it.
CREATE TABLE import_record_release (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dataset text NOT NULL,
  release text NOT NULL,
  external_id text NOT NULL,
  raw jsonb NOT NULL,
  event_id bigint REFERENCES event (id) ON DELETE SET NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT import_record_release_key UNIQUE (dataset, external_id, release)
);
CREATE INDEX import_record_release_event_id_idx ON import_record_release (event_id);

CREATE FUNCTION import_record_keep_release() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO import_record_release (dataset, release, external_id, raw, event_id, imported_at)
  SELECT dataset, release, external_id, raw, event_id, imported_at FROM new_rows
  ON CONFLICT (dataset, external_id, release) DO UPDATE
    SET raw = excluded.raw, event_id = excluded.event_id, imported_at = excluded.imported_at;
  RETURN NULL;
END;
$$;
CREATE TRIGGER import_record_keep_release_inserted AFTER INSERT ON import_record
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION import_record_keep_release();
CREATE TRIGGER import_record_keep_release_updated AFTER UPDATE ON import_record
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION import_record_keep_release();

INSERT INTO import_record_release (dataset, release, external_id, raw, event_id, imported_at)
SELECT dataset, release, external_id, raw, event_id, imported_at FROM import_record;

-- An event found by its id in any dataset (search, the externalIds filter).
CREATE INDEX import_record_external_id_idx ON import_record (external_id);

-- Who wrote a revision: an API key, or a dataset's release (an import).
ALTER TABLE revision
  ADD COLUMN dataset text,
  ADD COLUMN release text,
  ADD CONSTRAINT revision_release_of_dataset CHECK ((dataset IS NULL) = (release IS NULL));
