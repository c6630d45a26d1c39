-- Editing through the API. Persons, sources and reports are edited like events and groups, so
-- they carry a version for optimistic concurrency (the same touch trigger bumps it).
ALTER TABLE person
  ADD COLUMN version integer NOT NULL DEFAULT 1 CONSTRAINT person_version_positive CHECK (version > 0),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE TRIGGER person_touch BEFORE UPDATE ON person
  FOR EACH ROW EXECUTE FUNCTION touch_versioned_row();

ALTER TABLE source
  ADD COLUMN version integer NOT NULL DEFAULT 1 CONSTRAINT source_version_positive CHECK (version > 0),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE TRIGGER source_touch BEFORE UPDATE ON source
  FOR EACH ROW EXECUTE FUNCTION touch_versioned_row();

ALTER TABLE report
  ADD COLUMN version integer NOT NULL DEFAULT 1 CONSTRAINT report_version_positive CHECK (version > 0),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE TRIGGER report_touch BEFORE UPDATE ON report
  FOR EACH ROW EXECUTE FUNCTION touch_versioned_row();

-- A merged group keeps its row, so its id (in links, bookmarks, other datasets) still resolves:
-- it points at the group it was merged into, and lists leave it out.
ALTER TABLE armed_group
  ADD COLUMN merged_into_id bigint REFERENCES armed_group (id),
  ADD CONSTRAINT armed_group_not_merged_into_self CHECK (merged_into_id <> id);
CREATE INDEX armed_group_merged_into_id_idx ON armed_group (merged_into_id);
