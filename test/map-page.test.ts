import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { type EventFilter, eventFilterCondition } from '../src/db/event-filter.js'
import { type EventOrder, listEventPage } from '../src/db/event-list.js'
import type { EventColumn } from '../src/db/events.js'
import { testDb } from './support/test-database.js'

// A box filter in date order is walked through slices of dates (src/db/event-list.ts): these
// tests compare every page with the events the filter selects, sorted, as one list.

beforeAll(async () => {
  // 900 events: a dense end of 2019 with many on one day (the id breaks ties), years of spread
  // out ones, sparse older ones; one in ten lasting up to a year (across slices, and under way
  // when a date range starts); a quarter outside the box (half of those at the antimeridian),
  // some without coordinates, some deleted.
  await sql`
    INSERT INTO event (title, date_start, date_end, latitude, longitude, killed_best, deleted_at)
    SELECT 'Event ' || n, day, day + CASE WHEN n % 10 = 0 THEN n % 365 ELSE n % 3 END,
      CASE WHEN n % 17 = 0 THEN NULL WHEN n % 4 = 0 THEN 10 ELSE 33 + (n % 40) / 10.0 END,
      CASE WHEN n % 17 = 0 THEN NULL WHEN n % 8 = 0 THEN 179.5 WHEN n % 4 = 0 THEN -179.5
        ELSE 36 + (n % 50) / 10.0 END,
      n % 5, CASE WHEN n % 13 = 0 THEN now() END
    FROM generate_series(1, 900) n
    CROSS JOIN LATERAL (SELECT CASE
      WHEN n <= 300 THEN date '2019-11-01' + (n % 45) % 31
      WHEN n <= 700 THEN date '2015-01-01' + (n * 37) % 1800
      ELSE date '2005-01-01' + (n * 53) % 3650 END AS day) picked;
  `.execute(testDb())
  await sql`ANALYZE event`.execute(testDb())
})

const box = { south: 32, west: 35, north: 38, east: 42 }

async function expected(filter: EventFilter, order: EventOrder): Promise<number[]> {
  const direction = sql.raw(order === 'date_asc' ? 'ASC' : 'DESC')
  const { rows } = await sql<{ id: number }>`
    SELECT event.id FROM event WHERE ${eventFilterCondition(filter)}
    ORDER BY event.date_start ${direction}, event.id ${direction}`.execute(testDb())
  return rows.map((row) => row.id)
}

/** Every page from one end to the other, by the position of the last row seen, as one list. */
async function walk(
  filter: EventFilter,
  order: EventOrder,
  limit: number,
  backward: boolean,
  columns?: readonly EventColumn[],
): Promise<number[]> {
  const seen: number[] = []
  let position: [string, number] | undefined
  for (let pages = 0; pages < 2000; pages++) {
    const page = await listEventPage(
      testDb(),
      filter,
      order,
      { limit, backward, ...(position && { position }) },
      columns,
    )
    const ids = page.rows.map((row) => row.id)
    if (backward) seen.unshift(...ids)
    else seen.push(...ids)
    expect(page.rows.length).toBe(page.hasMore ? limit : page.rows.length)
    const edge = backward ? page.rows[0] : page.rows.at(-1)
    if (!page.hasMore || !edge) return seen
    position = [edge.sort_value, edge.id]
  }
  throw new Error('the walk does not end')
}

describe('map pages (a box, in date order) are the filtered events in order', () => {
  const filters: [string, EventFilter][] = [
    [
      'a box and a date range from mid-month to mid-month',
      { boundingBox: box, from: '2016-03-15', to: '2019-11-20' },
    ],
    ['a box alone', { boundingBox: box }],
    ['a box and a start date', { boundingBox: box, from: '2019-11-07' }],
    ['a box and an end date', { boundingBox: box, to: '2012-06-30' }],
    [
      'a box across the antimeridian',
      { boundingBox: { south: 5, west: 170, north: 15, east: -170 }, from: '2016-01-01' },
    ],
    [
      'a box and another filter',
      { boundingBox: box, minKilled: 3, from: '2010-01-01', to: '2019-12-31' },
    ],
    ['a date range holding nothing', { boundingBox: box, from: '1990-01-01', to: '1990-12-31' }],
  ]

  it.each(filters)('%s: the fixture holds events to walk', async (_, filter) => {
    const all = await expected(filter, 'date_desc')
    if (!filter.from?.startsWith('1990')) expect(all.length).toBeGreaterThan(20)
  })

  for (const order of ['date_desc', 'date_asc'] as const) {
    for (const backward of [false, true]) {
      it.each(filters)(`${order}, ${backward ? 'backward' : 'forward'}: %s`, async (_, filter) => {
        const all = await expected(filter, order)
        // Three a page put page boundaries all over, in and across slices.
        for (const limit of [3, 40, 2000]) {
          expect(await walk(filter, order, limit, backward), `${limit} a page`).toEqual(all)
        }
        expect(await walk(filter, order, 25, backward, ['killed_best'])).toEqual(all)
      })
    }
  }

  it('starts after any position, also one the filter does not hold', async () => {
    const filter = { boundingBox: box, from: '2016-03-15', to: '2019-11-20' }
    const all = await expected(filter, 'date_desc')
    for (const index of [0, 1, 57, all.length - 2]) {
      const { rows } = await sql<{ id: number; day: string }>`
        SELECT id, date_start::text AS day FROM event WHERE id = ${all[index]}`.execute(testDb())
      const at = rows[0] as { id: number; day: string }
      const page = await listEventPage(testDb(), filter, 'date_desc', {
        limit: 40,
        backward: false,
        position: [at.day, at.id],
      })
      expect(page.rows.map((row) => row.id)).toEqual(all.slice(index + 1, index + 41))
    }
    // A cursor after the range's end (from another filter) and one before its start.
    const after = await listEventPage(testDb(), filter, 'date_desc', {
      limit: 5,
      backward: false,
      position: ['2030-01-01', 1],
    })
    expect(after.rows.map((row) => row.id)).toEqual(all.slice(0, 5))
    const before = await listEventPage(testDb(), filter, 'date_desc', {
      limit: 5,
      backward: false,
      position: ['2000-01-01', 1],
    })
    expect(before.rows).toEqual([])
  })

  it('includes events that started before the range and are under way on its first day', async () => {
    const filter = { boundingBox: box, from: '2016-03-15', to: '2019-11-20' }
    const { rows } = await sql<{ id: number }>`
      SELECT id FROM event WHERE ${eventFilterCondition(filter)} AND date_start < ${filter.from}::date
      ORDER BY date_start DESC, id DESC`.execute(testDb())
    expect(rows.length).toBeGreaterThan(2)
    const all = await walk(filter, 'date_desc', 1000, false)
    expect(all.slice(-rows.length)).toEqual(rows.map((row) => row.id))
  })

  it('carries the columns asked with the page', async () => {
    const filter = { boundingBox: box, from: '2019-11-01' }
    const page = await listEventPage(testDb(), filter, 'date_desc', { limit: 3, backward: false }, [
      'place_id',
      'title',
    ])
    expect(page.rows.map((row) => row.id)).toEqual(
      (await expected(filter, 'date_desc')).slice(0, 3),
    )
    for (const row of page.rows) {
      expect(Object.keys(row).sort()).toEqual(['id', 'place_id', 'sort_value', 'title'])
      expect(row.title).toMatch(/^Event /)
    }
  })
})
