-- attest:no-transaction
-- The event change feed in its reading order (sql/0060): a subscriber's cursor is (xid, id).
CREATE INDEX CONCURRENTLY IF NOT EXISTS revision_event_feed_idx ON revision (xid, id)
  WHERE entity_type = 'event' AND xid IS NOT NULL;
