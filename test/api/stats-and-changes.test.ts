import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { toGlobalId } from '../../src/graphql/ids.js'
import { dataOf, errorOf, startApi, type TestApi } from '../support/api.js'
import { aCasualtyFigure, aCountry, aGroup, anEvent, aPlace } from '../support/factories.js'
import { databaseUrl } from '../support/postgres-server.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
const db = testDb

beforeAll(async () => {
  const ccc = await aCountry(db(), { iso_alpha3: 'CCC', name: 'Cland' })
  const ddd = await aCountry(db(), { iso_alpha3: 'DDD', name: 'Dland' })
  const town = await aPlace(db(), ccc, { level: 'locality' })
  const [red, blue] = [await aGroup(db(), { name: 'Red' }), await aGroup(db(), { name: 'Blue' })]
  const bombing = await db()
    .selectFrom('event_type')
    .select('id')
    .where('scheme', '=', 'gtd')
    .where('code', '=', '3')
    .executeTakeFirstOrThrow()
  const events = [
    { date: '2020-01-06', place: town, groups: [red], killed: [3, 5] },
    { date: '2020-01-20', place: ccc, groups: [red, blue], killed: [10] },
    { date: '2020-02-03', place: ddd, groups: [blue], killed: [] },
    { date: '2021-07-01', place: ddd, groups: [], killed: [1] },
  ]
  for (const [index, spec] of events.entries()) {
    const id = await anEvent(db(), {
      title: `Stats ${index}`,
      date_start: spec.date,
      date_end: spec.date,
      place_id: spec.place,
    })
    for (const group of spec.groups)
      await db()
        .insertInto('event_actor')
        .values({ event_id: id, group_id: group, role: 'perpetrator' })
        .execute()
    for (const best of spec.killed)
      await aCasualtyFigure(db(), { event_id: id, population: 'civilians', best })
    if (index < 2)
      await db()
        .insertInto('event_classification')
        .values({ event_id: id, event_type_id: bombing.id })
        .execute()
  }
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

const statsQuery = `query ($filter: EventFilter, $groupBy: [EventStatsDimension!]!, $interval: TimeInterval) {
  eventStats(filter: $filter, groupBy: $groupBy, interval: $interval) {
    period country { isoCode } group { name } eventType { code } eventCount casualties { category low best high }
  }
  events(filter: $filter) { totalCount }
}`

async function stats(groupBy: string[], extra: Record<string, unknown> = {}) {
  return dataOf(await api.query(statsQuery, { groupBy, ...extra }))
}

describe('eventStats', () => {
  it('with no dimension: one bucket whose count is the list’s totalCount', async () => {
    const { eventStats, events } = await stats([])
    expect(eventStats).toEqual([
      {
        period: null,
        country: null,
        group: null,
        eventType: null,
        eventCount: events.totalCount,
        // Consolidated per event: the first event's two civilian figures (3 and 5) give low 3,
        // best 3 (the lower median), high 5.
        casualties: [{ category: 'KILLED', low: 3 + 10 + 1, best: 3 + 10 + 1, high: 5 + 10 + 1 }],
      },
    ])
  })

  it('by month, by year and by week (weeks start on Monday); buckets add up to the list', async () => {
    const monthly = await stats(['TIME'], { interval: 'MONTH' })
    expect(monthly.eventStats.map((b: any) => [b.period, b.eventCount])).toEqual([
      ['2020-01-01', 2],
      ['2020-02-01', 1],
      ['2021-07-01', 1],
    ])
    expect(monthly.eventStats.reduce((sum: number, b: any) => sum + b.eventCount, 0)).toBe(
      monthly.events.totalCount,
    )
    const yearly = await stats(['TIME'], { interval: 'YEAR' })
    expect(yearly.eventStats.map((b: any) => [b.period, b.eventCount])).toEqual([
      ['2020-01-01', 3],
      ['2021-01-01', 1],
    ])
    const weekly = await stats(['TIME'], {
      interval: 'WEEK',
      filter: { dateRange: { to: '2020-01-31' } },
    })
    expect(weekly.eventStats.map((b: any) => b.period)).toEqual(['2020-01-06', '2020-01-20'])
  })

  it('by country and time together, under the list’s filter', async () => {
    const { eventStats, events } = await stats(['COUNTRY', 'TIME'], {
      interval: 'YEAR',
      filter: { dateRange: { from: '2020-01-10' } },
    })
    expect(eventStats.map((b: any) => [b.country.isoCode, b.period, b.eventCount])).toEqual([
      ['CCC', '2020-01-01', 1],
      ['DDD', '2020-01-01', 1],
      ['DDD', '2021-01-01', 1],
    ])
    expect(events.totalCount).toBe(3)
  })

  it('by group: an event with two groups counts in both', async () => {
    const { eventStats } = await stats(['GROUP'])
    expect(
      eventStats.map((b: any) => [b.group.name, b.eventCount, b.casualties[0]?.best ?? 0]),
    ).toEqual([
      ['Red', 2, 13],
      ['Blue', 2, 10],
    ])
  })

  it('by event type', async () => {
    const { eventStats } = await stats(['EVENT_TYPE'])
    expect(eventStats.map((b: any) => [b.eventType.code, b.eventCount])).toEqual([['3', 2]])
  })

  it('refuses a bad filter the same way the list does', async () => {
    const error = errorOf(
      await api.query(statsQuery, {
        groupBy: [],
        filter: { dateRange: { from: '2021-01-01', to: '2020-01-01' } },
      }),
    )
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.dateRange' })
  })
})

describe('changes', () => {
  const changesQuery = `query ($since: DateTime!, $first: Int, $after: String) {
    changes(since: $since, first: $first, after: $after) {
      edges { node { kind eventId changedAt event { title } } }
      pageInfo { hasNextPage endCursor }
    }
  }`

  it('reports creations, updates and deletions since a time, oldest first, and pages', async () => {
    const latest = await db()
      .selectFrom('event')
      .select('updated_at')
      .orderBy('updated_at', 'desc')
      .executeTakeFirstOrThrow()
    const since = new Date(latest.updated_at.getTime() + 1).toISOString()
    expect(dataOf(await api.query(changesQuery, { since })).changes.edges).toEqual([])

    const created = await anEvent(db(), { title: 'Created later' })
    await db()
      .updateTable('event')
      .set({ summary: 'corrected' })
      .where('title', '=', 'Stats 0')
      .execute()
    const deleted = await db()
      .updateTable('event')
      .set({ deleted_at: new Date() })
      .where('title', '=', 'Stats 1')
      .returning('id')
      .executeTakeFirstOrThrow()

    const { changes } = dataOf(await api.query(changesQuery, { since }))
    expect(
      changes.edges.map((edge: any) => [edge.node.kind, edge.node.event?.title ?? null]),
    ).toEqual([
      ['CREATED', 'Created later'],
      ['UPDATED', 'Stats 0'],
      ['DELETED', null],
    ])
    expect(changes.edges[0].node.eventId).toBe(toGlobalId('Event', created))
    expect(changes.edges[2].node.eventId).toBe(toGlobalId('Event', deleted.id))

    const first = dataOf(await api.query(changesQuery, { since, first: 2 })).changes
    expect(first.pageInfo.hasNextPage).toBe(true)
    const rest = dataOf(
      await api.query(changesQuery, { since, first: 2, after: first.pageInfo.endCursor }),
    ).changes
    expect(rest.edges.map((edge: any) => edge.node.kind)).toEqual(['DELETED'])
    expect(rest.pageInfo.hasNextPage).toBe(false)
  })

  it('refuses a since that is not a date-time', async () => {
    const error = errorOf(await api.query(changesQuery, { since: 'yesterday' }))
    expect(error.extensions?.code).toBe('BAD_USER_INPUT')
  })
})

describe('an internal error', () => {
  it('is masked for the client (no SQL, no database message) and logged with the request id', async () => {
    const lines: string[] = []
    const logger = pino(
      { level: 'error' },
      new Writable({ write: (chunk, _, done) => done(void lines.push(String(chunk))) }),
    )
    const broken = await startApi(
      databaseUrl(inject('postgresAdminUrl'), 'attest_no_such_database'),
      logger,
    )
    try {
      const response = await fetch(broken.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'test-request-42' },
        body: JSON.stringify({ query: '{ events { totalCount } }' }),
      })
      expect(response.headers.get('x-request-id')).toBe('test-request-42')
      const body = await response.text()
      expect(JSON.parse(body).errors).toEqual([
        {
          message: 'Internal server error',
          path: ['events'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ])
      expect(body).not.toMatch(/attest_no_such_database|SELECT|stack/i)
      const logged = lines.map((line) => JSON.parse(line))
      expect(logged).toContainEqual(
        expect.objectContaining({ reqId: 'test-request-42', msg: 'internal error' }),
      )
      expect(JSON.stringify(logged)).toMatch(/attest_no_such_database/)
    } finally {
      await broken.stop()
    }
  })
})
