-- The change feed subscriptions read (src/subscriptions/): every revision of an event, in the
-- order that no reader can see a gap in. A revision's id is taken when its row is written, not
-- when its transaction commits, so a reader that has seen id 12 may later see 11 commit. The id
-- of the writing transaction settles it: a reader reads only rows of transactions older than
-- every transaction that may still write (src/db/event-feed.ts), in (xid, id) order, and never sees one
-- appear behind its cursor.
--
-- Nullable and filled by a default from now on: existing rows keep NULL (no table rewrite) and
-- lie before every cursor. The previous release names no xid when it writes, so it fills it too.
ALTER TABLE revision ADD COLUMN xid xid8;
ALTER TABLE revision ALTER COLUMN xid SET DEFAULT pg_current_xact_id();

-- One wake-up per writing transaction for the instances that LISTEN: every writer (mutations,
-- merges, imports, withdrawals, and the previous release during a rolling deploy) records its
-- revisions in this table, and a NOTIFY is delivered at COMMIT only, so a rolled-back write
-- wakes nobody. The payload is empty: Postgres folds identical notifications of a transaction
-- into one, and the listeners read what changed from the table.
CREATE FUNCTION notify_event_revisions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM written WHERE entity_type = 'event') THEN
    PERFORM pg_notify('attest_event_changes', '');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER revision_notify_event_changes
  AFTER INSERT ON revision REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION notify_event_revisions();

-- A revoked key's subscriptions are closed on every instance, not only the one that revoked it.
CREATE FUNCTION notify_api_key_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('attest_api_key_revoked', NEW.id::text);
  RETURN NULL;
END $$;

CREATE TRIGGER api_key_notify_revoked
  AFTER UPDATE OF revoked_at ON api_key
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION notify_api_key_revoked();
