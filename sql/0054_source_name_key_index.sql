-- attest:no-transaction
-- Sources found by their name's key (sql/0053), built without blocking writes to source.
CREATE INDEX CONCURRENTLY IF NOT EXISTS source_name_key_idx ON source (source_name_key(name));
