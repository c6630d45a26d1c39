-- attest:no-transaction
-- Groups found by their names' and aliases' keys (sql/0055), built without blocking writes.
CREATE INDEX CONCURRENTLY IF NOT EXISTS armed_group_name_key_idx ON armed_group (group_name_key(name));
CREATE INDEX CONCURRENTLY IF NOT EXISTS group_alias_name_key_idx ON group_alias (group_name_key(alias));
