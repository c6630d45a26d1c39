import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import type { EventFilter } from '../src/db/event-filter.js'
import { countEvents } from '../src/db/event-list.js'
import { eventStats, type StatsDimension, type TimeInterval } from '../src/db/event-stats.js'
import { synthesize } from '../src/synth/synth.js'
import { statsRollupDifferences } from './support/stats-rollup.js'
import { testDb } from './support/test-database.js'

beforeAll(() => synthesize(testDb(), { events: 600, seed: 3 }))

// minKilled: 0 matches every event but is not a filter the rollup answers: the direct way.
const direct = (filter: EventFilter): EventFilter => ({ ...filter, minKilled: 0 })

const cases: [string, EventFilter, StatsDimension[], TimeInterval][] = [
  [
    'whole years by month and country',
    { from: '2014-01-01', to: '2018-12-31' },
    ['time', 'country'],
    'month',
  ],
  ['ragged ends', { from: '2013-03-17', to: '2017-08-02' }, ['time', 'country'], 'month'],
  ['by year', { from: '2010-06-15', to: '2021-02-28' }, ['time'], 'year'],
  ['only a start', { from: '2016-02-10' }, ['time', 'country'], 'month'],
  ['only an end', { to: '2009-12-30' }, ['country'], 'month'],
  ['no range at all', {}, ['time'], 'year'],
  [
    'countries',
    { from: '2012-01-01', to: '2022-12-31', countries: ['SYR', 'IRQ'] },
    ['time', 'country'],
    'month',
  ],
]

async function expectRollupToMatch() {
  for (const [, filter, dimensions, interval] of cases) {
    const exactly = 1_000_000
    expect(await countEvents(testDb(), filter, exactly)).toBe(
      await countEvents(testDb(), direct(filter), exactly),
    )
    const fromRollup = await eventStats(testDb(), filter, dimensions, interval)
    expect(fromRollup).toEqual(await eventStats(testDb(), direct(filter), dimensions, interval))
  }
  // The table holds what a recomputation from scratch gives.
  expect(await statsRollupDifferences(testDb())).toBe(0)
}

describe('eventStats from the monthly rollup', () => {
  it.each(cases)(
    'gives what aggregating the events gives: %s',
    async (_, filter, dimensions, interval) => {
      const buckets = await eventStats(testDb(), filter, dimensions, interval)
      expect(buckets.length).toBeGreaterThan(0)
      expect(buckets).toEqual(await eventStats(testDb(), direct(filter), dimensions, interval))
    },
  )

  it('stays right through writes: moved, deleted and restored events, new and removed figures', async () => {
    const db = testDb()
    await sql`UPDATE event SET date_start = date_start - 45, date_end = date_end - 45 WHERE id % 7 = 0`.execute(
      db,
    )
    await sql`UPDATE event SET place_id = (SELECT id FROM place WHERE level = 'locality' ORDER BY id DESC LIMIT 1) WHERE id % 11 = 0`.execute(
      db,
    )
    await sql`UPDATE event SET deleted_at = now() WHERE id % 13 = 0`.execute(db)
    await sql`UPDATE event SET deleted_at = NULL WHERE id % 26 = 0`.execute(db)
    await sql`INSERT INTO casualty_figure (event_id, category, population, best, report_id)
      SELECT id, 'hostage', 'civilians', id % 5, 1 FROM event WHERE id % 5 = 0`.execute(db)
    await sql`DELETE FROM casualty_figure WHERE category = 'injured' AND event_id % 3 = 0`.execute(
      db,
    )
    await sql`DELETE FROM event WHERE id % 17 = 0`.execute(db)
    await expectRollupToMatch()
  })

  it('adds new events and their first figures to the rollup, recomputing only for events that had figures', async () => {
    const db = testDb()
    // New events (some deleted) in one empty month and place, so that they share buckets; then one
    // statement giving figures to some of them and to events that already have figures, and
    // two more giving other new events their first figures (so that nothing recomputes their
    // month), without and then with a low number.
    await sql`INSERT INTO event (title, date_start, date_end, place_id, deleted_at)
      SELECT 'added ' || id, date '2150-01-01' + (id % 20)::int, date '2150-01-21', (SELECT min(place_id) FROM event),
        CASE WHEN id % 9 = 0 THEN now() END
      FROM event WHERE id % 4 = 1`.execute(db)
    await sql`INSERT INTO casualty_figure (event_id, category, population, low, best, high, report_id)
      SELECT id, 'killed', population, id % 3, id % 7 + 2, NULL, 1
      FROM event CROSS JOIN unnest(ARRAY['all', 'civilians']::casualty_population[]) population
      WHERE (title LIKE 'added %' AND id % 2 = 0) OR id % 19 = 0`.execute(db)
    for (const [remainder, low] of [
      [0, null],
      [1, 1],
    ] as const) {
      await sql`INSERT INTO casualty_figure (event_id, category, population, low, best, report_id)
        SELECT id, 'injured', 'unknown', ${low}::int, id % 4 + 1, 1 FROM event
        WHERE title LIKE 'added %' AND id % 2 = 1 AND id % 19 <> 0 AND id % 3 = ${remainder}`.execute(
        db,
      )
    }
    await expectRollupToMatch()
  })
})
