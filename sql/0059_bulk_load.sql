-- The bulk path of imports (src/import/bulk-load.ts).
--
-- A first load into an empty database drops the secondary indexes of the tables it fills and
-- builds each once at the end: maintaining 16 indexes on event (GiST and GIN among them) row by
-- row is most of what a large first load cost, and what made it slow down as the tables outgrew
-- shared buffers. What it dropped is recorded here in the transaction that drops it, so an
-- interrupted load's indexes are rebuilt by whatever runs next (the next import, `attest migrate`,
-- the server's start). The release before this one neither reads nor writes this table.
CREATE TABLE bulk_load_index (
  name text PRIMARY KEY,
  table_name text NOT NULL,
  definition text NOT NULL,
  dropped_at timestamptz NOT NULL DEFAULT now()
);

-- An importer writes each new event with its casualty rollup (src/import/casualty-rollup.ts), so
-- the statement that inserts the figures of events it has just created says so, and the trigger
-- that would compute the same values again for every one of them stays idle. Any other writer,
-- and the release before this one, sets nothing: the trigger runs as before.
DROP TRIGGER casualty_figure_rollup_inserted ON casualty_figure;
CREATE TRIGGER casualty_figure_rollup_inserted AFTER INSERT ON casualty_figure
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  WHEN (current_setting('attest.event_rollup_written', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION casualty_figure_rollup_inserted();

-- Likewise for the monthly stats rollup (sql/0040, 0043): the importer adds its new events and
-- their figures' summaries to it itself (src/import/write-batch.ts), from the figures it holds,
-- instead of the triggers computing casualty_summary again for each new event.
DROP TRIGGER event_stats_rollup_inserted ON event;
CREATE TRIGGER event_stats_rollup_inserted AFTER INSERT ON event
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  WHEN (current_setting('attest.stats_rollup_written', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION event_stats_rollup_on_event();
DROP TRIGGER event_stats_rollup_inserted ON casualty_figure;
CREATE TRIGGER event_stats_rollup_inserted AFTER INSERT ON casualty_figure
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  WHEN (current_setting('attest.stats_rollup_written', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION event_stats_rollup_on_figure();
