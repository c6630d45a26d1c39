-- Map pages walk the events in a box through slices of dates, newest first, and stop at the
-- slice that fills the page (src/db/event-list.ts): each slice is one probe of this index for
-- the box and the slice's dates. With the date range first, the index groups its entries by
-- dates, so a month's probe reads about that month's entries in the box; the point-first index
-- it replaces (sql/0040) grouped them by place, and a month's probe read most of the box's
-- years. The benchmark's map page at a million: 4,774 buffers through that index, 1,972
-- through this one. It serves a box and a date range in one scan as well as the other did.
CREATE INDEX event_date_range_point_idx ON event
  USING gist (daterange(date_start, date_end, '[]'), point(longitude, latitude))
  WHERE latitude IS NOT NULL AND deleted_at IS NULL;
DROP INDEX event_point_date_range_idx;
