-- Map pages (src/db/event-list.ts, mapPageRows) probe the box through slices of dates; with
-- sql/0042's index each probe read the table row of every event in the slice, one table page
-- each (an event's neighbours in the box and month were written at other times), about the
-- whole cost of the page at a million. This index holds the columns a map page reads (and the
-- ones its conditions read), so such a page is an index-only scan: it reads index pages and the
-- visibility map, and a table page only for the rows changed since the last vacuum, which
-- autovacuum keeps few. A page that selects other columns reads the table, as before.
CREATE INDEX event_map_idx ON event
  USING gist (daterange(date_start, date_end, '[]'), point(longitude, latitude))
  INCLUDE (id, date_start, date_end, latitude, longitude, killed_best)
  WHERE latitude IS NOT NULL AND deleted_at IS NULL;
DROP INDEX event_date_range_point_idx;
