import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { type EventFilter, eventFilterCondition } from '../src/db/event-filter.js'
import { testDb } from './support/test-database.js'

const events = 20_000

beforeAll(async () => {
  // Enough rows, spread over 50 countries, 20 years and the globe, for the planner to prefer an
  // index for a selective filter, as it will on a real database.
  await sql`
    INSERT INTO place (level, name, iso_alpha3)
      SELECT 'country', 'Country ' || n, 'Q' || chr(65 + n / 26) || chr(65 + n % 26) FROM generate_series(0, 49) n;
    INSERT INTO place (parent_id, level, name) SELECT id, 'admin1', name || ' province' FROM place;
    INSERT INTO source (name, kind) SELECT 'Source ' || n, 'news_outlet' FROM generate_series(1, 200) n;
    INSERT INTO report (source_id, headline) SELECT 1 + n % 200, 'Report ' || n FROM generate_series(1, 5000) n;
    INSERT INTO armed_group (name) SELECT 'Group ' || n FROM generate_series(1, 500) n;
    INSERT INTO event (title, date_start, date_end, place_id, latitude, longitude, created_at, updated_at)
      SELECT 'Event ' || n || CASE WHEN n % 1000 = 0 THEN ' ambush' ELSE ' clash' END,
        date '2000-01-01' + (n * 7919) % 7300, date '2000-01-01' + (n * 7919) % 7300 + n % 3,
        (SELECT id FROM place WHERE level = 'admin1' ORDER BY id OFFSET n % 50 LIMIT 1),
        -60 + (n * 37) % 120, -180 + (n * 53) % 360,
        now() - make_interval(mins => n), now() - make_interval(mins => n)
      FROM generate_series(1, ${sql.lit(events)}) n;
    INSERT INTO event_actor (event_id, group_id, role) SELECT id, 1 + id % 500, 'perpetrator' FROM event;
    INSERT INTO event_classification (event_id, event_type_id, is_primary)
      SELECT event.id, type.id, true FROM event JOIN event_type type ON type.scheme = 'gtd' AND type.code = (1 + event.id % 9)::text;
    INSERT INTO casualty_figure (event_id, category, population, best, report_id)
      SELECT id, 'killed', 'all', id % 40, 1 + id % 5000 FROM event;
    INSERT INTO event_citation (event_id, report_id) SELECT id, 1 + id % 5000 FROM event;
    -- Writing the figures touched every event; spread the change times out again.
    ALTER TABLE event DISABLE TRIGGER event_touch;
    UPDATE event SET updated_at = created_at;
    ALTER TABLE event ENABLE TRIGGER event_touch;
  `.execute(testDb())
  await sql`VACUUM ANALYZE`.execute(testDb())
})

/** The plan of a query that only filters. */
async function plan(filter: EventFilter): Promise<string> {
  const { rows } = await sql<{ 'QUERY PLAN': string }>`
    EXPLAIN SELECT event.id FROM event WHERE ${eventFilterCondition(filter)}`.execute(testDb())
  return rows.map((row) => row['QUERY PLAN']).join('\n')
}

// Each selective filter is answered from an index, not by reading every event. (actorRoles and
// attributions select a large share of the events on their own: they narrow the groups' scan.)
describe('every event filter is backed by an index', () => {
  it.each<[string, EventFilter, RegExp]>([
    ['a date range', { from: '2019-01-01', to: '2019-01-07' }, /event_date_range_idx/],
    ['countries', { countries: ['QAB'] }, /event_country_(date_)?idx|event_country_id_idx/],
    ['places', { placeIds: [51] }, /event_place_id_idx/],
    [
      'event types',
      { eventTypes: [{ scheme: 'gtd', code: '3' }] },
      /event_classification_(pkey|event_type_id_idx)/,
    ],
    ['groups', { groupIds: [1] }, /event_actor_(key|group_id_idx|group_date_idx)/],
    [
      'groups with affiliates',
      { groupIds: [1], includeAffiliates: true },
      /event_actor_(key|group_id_idx|group_date_idx)/,
    ],
    ['a killed threshold', { minKilled: 39 }, /event_killed_idx/],
    ['an injured threshold', { minInjured: 1 }, /event_injured_idx/],
    ['full text', { search: 'ambush' }, /event_search_idx/],
    [
      'a bounding box',
      { boundingBox: { south: 30, west: 7, north: 38, east: 12 } },
      /event_point_idx|event_map_idx/,
    ],
    ['a radius', { near: { latitude: 35, longitude: 9.5, radiusKm: 50 } }, /event_earth_idx/],
    [
      'sources',
      { sourceIds: [1] },
      /event_citation_(key|report_id_idx)|casualty_figure_(key|report_id_idx)/,
    ],
    [
      'reports',
      { reportIds: [1] },
      /event_citation_(key|report_id_idx)|casualty_figure_(key|report_id_idx)/,
    ],
    [
      'updatedSince',
      { updatedSince: new Date(Date.now() - 60_000).toISOString() },
      /event_updated_idx/,
    ],
  ])('%s', async (_, filter, index) => {
    const text = await plan(filter)
    expect(text, text).toMatch(index)
    expect(text, text).not.toMatch(/Seq Scan on event /)
  })
})
