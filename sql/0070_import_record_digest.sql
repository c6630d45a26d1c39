-- A digest of each imported row as the importer read it (sha256 of its fields sorted by name,
-- src/import/write-batch.ts), so that a re-import tells an unchanged row by comparing 64
-- characters instead of reading the whole raw row back. Rows imported before have none and are
-- compared by their raw data, as the release before this one does; that release leaves it empty.
ALTER TABLE import_record ADD COLUMN raw_digest text;
