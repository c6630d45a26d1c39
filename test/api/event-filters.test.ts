import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toGlobalId } from '../../src/graphql/ids.js'
import { dataOf, errorOf, startApi, type TestApi } from '../support/api.js'
import {
  aCasualtyFigure,
  aCountry,
  aGroup,
  aGroupRelation,
  anEvent,
  aPlace,
  aReport,
  aSource,
} from '../support/factories.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// A small world where each filter selects a known subset of events.
const world = {
  country: { aaa: 0, bbb: 0 },
  province: 0,
  group: { core: 0, affiliate: 0, other: 0 },
  source: { first: 0, second: 0 },
  report: { first: 0, second: 0 },
}
let api: TestApi
const db = testDb

async function classify(eventId: number, scheme: 'acled' | 'gtd', code: string) {
  const type = await db()
    .selectFrom('event_type')
    .select('id')
    .where('scheme', '=', scheme)
    .where('code', '=', code)
    .executeTakeFirstOrThrow()
  await db()
    .insertInto('event_classification')
    .values({ event_id: eventId, event_type_id: type.id, is_primary: true })
    .execute()
}

async function actor(
  eventId: number,
  groupId: number,
  role: 'perpetrator' | 'target' | 'participant',
  attribution: 'claimed' | 'suspected' | 'confirmed',
) {
  await db()
    .insertInto('event_actor')
    .values({ event_id: eventId, group_id: groupId, role, attribution })
    .execute()
}

beforeAll(async () => {
  world.country.aaa = await aCountry(db(), { iso_alpha3: 'AAA', name: 'Aland' })
  world.country.bbb = await aCountry(db(), { iso_alpha3: 'BBB', name: 'Bland' })
  world.province = await aPlace(db(), world.country.aaa, { name: 'North' })
  const town = await aPlace(db(), world.province, { level: 'locality', name: 'Harbour' })
  world.group = {
    core: await aGroup(db(), { name: 'Core Front' }),
    affiliate: await aGroup(db(), { name: 'Province Brigade' }),
    other: await aGroup(db(), { name: 'Village Militia' }),
  }
  await aGroupRelation(db(), {
    from_group_id: world.group.affiliate,
    to_group_id: world.group.core,
    valid_from: '2015-01-01',
    valid_to: '2016-12-31',
  })
  world.source = { first: await aSource(db()), second: await aSource(db()) }
  world.report = {
    first: await aReport(db(), { source_id: world.source.first }),
    second: await aReport(db(), { source_id: world.source.second }),
  }

  const market = await anEvent(db(), {
    title: 'Market bombing',
    summary: 'A car bomb exploded near the market.',
    date_start: '2015-06-10',
    date_end: '2015-06-10',
    place_id: town,
    latitude: 10,
    longitude: 10,
  })
  await actor(market, world.group.affiliate, 'perpetrator', 'claimed')
  await aCasualtyFigure(db(), { event_id: market, best: 5, report_id: world.report.first })
  await classify(market, 'acled', 'armed_clash')
  await db()
    .insertInto('event_citation')
    .values({ event_id: market, report_id: world.report.first })
    .execute()

  const border = await anEvent(db(), {
    title: 'Border clash',
    date_start: '2017-03-01',
    date_end: '2017-03-05',
    place_id: world.province,
    latitude: -10,
    longitude: 170,
  })
  await actor(border, world.group.affiliate, 'perpetrator', 'suspected')
  await aCasualtyFigure(db(), { event_id: border, best: 1, report_id: world.report.second })
  await aCasualtyFigure(db(), {
    event_id: border,
    category: 'injured',
    best: 7,
    report_id: world.report.second,
  })
  await classify(border, 'gtd', '3')

  const hostage = await anEvent(db(), {
    title: 'Hostage taking',
    date_start: '2016-01-01',
    date_end: '2016-01-01',
    place_id: world.country.bbb,
    latitude: 50,
    longitude: -179,
  })
  await actor(hostage, world.group.core, 'target', 'confirmed')

  const raid = await anEvent(db(), {
    title: 'Village raid',
    date_start: '2018-01-01',
    date_end: '2018-01-01',
    place_id: world.country.bbb,
  })
  await actor(raid, world.group.other, 'participant', 'confirmed')
  await aCasualtyFigure(db(), { event_id: raid, best: 20, report_id: world.report.second })

  const deleted = await anEvent(db(), {
    title: 'Deleted bombing',
    place_id: world.country.aaa,
    deleted_at: new Date(),
  })
  await actor(deleted, world.group.affiliate, 'perpetrator', 'claimed')

  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

type Totals = { category: string; low: number; best: number; high: number }[]

/** Sums the consolidated figures of listed events per category, as eventStats does. */
function totalsOf(events: { casualties: Totals }[]): Totals {
  const sums = new Map<string, Totals[number]>()
  for (const { category, low, best, high } of events.flatMap((event) => event.casualties)) {
    const sum = sums.get(category) ?? { category, low: 0, best: 0, high: 0 }
    sums.set(category, {
      category,
      low: sum.low + (low ?? 0),
      best: sum.best + (best ?? 0),
      high: sum.high + (high ?? 0),
    })
  }
  return [...sums.values()].sort((a, b) => a.category.localeCompare(b.category))
}

/** The titles the filter lists; its totalCount and its eventStats totals must agree with them. */
async function titles(filter: Record<string, unknown>): Promise<string[]> {
  const response = await api.query(
    `query ($filter: EventFilter) {
      events(filter: $filter, orderBy: DATE_ASC, first: 500) {
        totalCount edges { node { title casualties { category low best high } } }
      }
      eventStats(filter: $filter, groupBy: []) { eventCount casualties { category low best high } }
    }`,
    { filter },
  )
  const { events, eventStats } = dataOf(response)
  const nodes = events.edges.map((edge: any) => edge.node)
  const list = nodes.map((node: any) => node.title)
  expect(events.totalCount, 'totalCount agrees with the list').toBe(list.length)
  const stats = eventStats[0] ?? { eventCount: 0, casualties: [] }
  expect(eventStats.length).toBeLessThanOrEqual(1)
  expect(stats.eventCount, 'eventStats counts what the list lists').toBe(list.length)
  expect(
    [...stats.casualties].sort((a: any, b: any) => a.category.localeCompare(b.category)),
    'eventStats sums what the list shows',
  ).toEqual(totalsOf(nodes))
  return list
}

const id = (type: Parameters<typeof toGlobalId>[0], dbId: number) => toGlobalId(type, dbId)

describe('event filters', () => {
  it('with none, list every live event (never a deleted one)', async () => {
    expect(await titles({})).toEqual([
      'Market bombing',
      'Hostage taking',
      'Border clash',
      'Village raid',
    ])
  })

  it('dateRange: events whose span overlaps it, either end open', async () => {
    expect(await titles({ dateRange: { from: '2017-03-03' } })).toEqual([
      'Border clash',
      'Village raid',
    ])
    expect(await titles({ dateRange: { to: '2015-12-31' } })).toEqual(['Market bombing'])
    expect(await titles({ dateRange: { from: '2016-01-01', to: '2016-01-01' } })).toEqual([
      'Hostage taking',
    ])
  })

  it('countries: by ISO code, whatever the level of the event’s place', async () => {
    expect(await titles({ countries: ['AAA'] })).toEqual(['Market bombing', 'Border clash'])
    expect(await titles({ countries: ['BBB', 'ZZZ'] })).toEqual(['Hostage taking', 'Village raid'])
  })

  it('places: a place and everything below it', async () => {
    expect(await titles({ places: [id('Place', world.province)] })).toEqual([
      'Market bombing',
      'Border clash',
    ])
  })

  it('eventTypes: a parent type includes its sub-types', async () => {
    expect(await titles({ eventTypes: [{ scheme: 'ACLED', code: 'battles' }] })).toEqual([
      'Market bombing',
    ])
    expect(await titles({ eventTypes: [{ scheme: 'GTD', code: '3' }] })).toEqual(['Border clash'])
  })

  it('groups, and their affiliates by relations valid at each event’s date', async () => {
    expect(await titles({ groups: [id('ArmedGroup', world.group.affiliate)] })).toEqual([
      'Market bombing',
      'Border clash',
    ])
    expect(await titles({ groups: [id('ArmedGroup', world.group.core)] })).toEqual([
      'Hostage taking',
    ])
    // The allegiance held 2015–2016: the 2015 bombing counts, the 2017 clash does not.
    expect(
      await titles({ groups: [id('ArmedGroup', world.group.core)], includeAffiliates: true }),
    ).toEqual(['Market bombing', 'Hostage taking'])
  })

  it('actorRoles and attributions, on the same actor as the group', async () => {
    expect(await titles({ actorRoles: ['TARGET'] })).toEqual(['Hostage taking'])
    expect(
      await titles({ groups: [id('ArmedGroup', world.group.affiliate)], actorRoles: ['TARGET'] }),
    ).toEqual([])
    expect(await titles({ attributions: ['CLAIMED'] })).toEqual(['Market bombing'])
  })

  it('minKilled and minInjured, on the consolidated best estimates', async () => {
    expect(await titles({ minKilled: 5 })).toEqual(['Market bombing', 'Village raid'])
    expect(await titles({ minInjured: 1 })).toEqual(['Border clash'])
    expect(await titles({ minKilled: 0 })).toHaveLength(4)
  })

  it('search: full text with stemming and web-search syntax', async () => {
    expect(await titles({ search: 'bombs' })).toEqual(['Market bombing'])
    expect(await titles({ search: 'exploded market' })).toEqual(['Market bombing'])
    expect(await titles({ search: 'clash or raid' })).toEqual(['Border clash', 'Village raid'])
    expect(await titles({ search: 'clash -border' })).toEqual([])
    expect(await titles({ search: `'; DROP TABLE event; -- ü∑` })).toEqual([])
  })

  it('boundingBox, including one across the antimeridian', async () => {
    expect(await titles({ boundingBox: { south: 0, west: 0, north: 20, east: 20 } })).toEqual([
      'Market bombing',
    ])
    expect(await titles({ boundingBox: { south: -20, west: 160, north: 60, east: -170 } })).toEqual(
      ['Hostage taking', 'Border clash'],
    )
  })

  it('take coordinates written as integer literals in the query', async () => {
    const { events } = dataOf(
      await api.query(
        '{ events(filter: { boundingBox: { south: 0, west: 0, north: 20, east: 20 } }) { edges { node { title } } } }',
      ),
    )
    expect(events.edges).toEqual([{ node: { title: 'Market bombing' } }])
  })

  it('near: within a radius in kilometres', async () => {
    expect(await titles({ near: { latitude: 10.1, longitude: 10.1, radiusKm: 50 } })).toEqual([
      'Market bombing',
    ])
    expect(await titles({ near: { latitude: 10.1, longitude: 10.1, radiusKm: 5 } })).toEqual([])
  })

  it('sources and reports: events cited by them or with a figure from them', async () => {
    expect(await titles({ sources: [id('Source', world.source.second)] })).toEqual([
      'Border clash',
      'Village raid',
    ])
    expect(await titles({ reports: [id('Report', world.report.first)] })).toEqual([
      'Market bombing',
    ])
  })

  it('updatedSince: events changed at or after a time', async () => {
    const latest = await db()
      .selectFrom('event')
      .select('updated_at')
      .orderBy('updated_at', 'desc')
      .executeTakeFirstOrThrow()
    const since = new Date(latest.updated_at.getTime() + 1).toISOString()
    expect(await titles({ updatedSince: since })).toEqual([])
    await db()
      .updateTable('event')
      .set({ summary: 'Two hostages were taken.' })
      .where('title', '=', 'Hostage taking')
      .execute()
    expect(await titles({ updatedSince: since })).toEqual(['Hostage taking'])
  })

  it('combine: every given filter must match', async () => {
    expect(await titles({ countries: ['AAA'], minKilled: 5 })).toEqual(['Market bombing'])
    expect(
      await titles({ countries: ['BBB'], dateRange: { to: '2017-01-01' }, actorRoles: ['TARGET'] }),
    ).toEqual(['Hostage taking'])
  })
})

describe('a bad filter', () => {
  it.each([
    [{ dateRange: { from: '2019-02-01', to: '2019-01-01' } }, 'filter.dateRange'],
    [{ near: { latitude: 0, longitude: 0, radiusKm: 0 } }, 'filter.near.radiusKm'],
    [{ boundingBox: { south: 10, west: 0, north: 0, east: 10 } }, 'filter.boundingBox'],
    [{ includeAffiliates: true }, 'filter.includeAffiliates'],
    [{ search: 'x'.repeat(501) }, 'filter.search'],
    [{ groups: [toGlobalId('Event', 1)] }, 'filter.groups'],
    [{ places: ['garbage'] }, 'filter.places'],
  ])('%j is BAD_USER_INPUT naming %s', async (filter, argument) => {
    const error = errorOf(
      await api.query('query ($f: EventFilter) { events(filter: $f) { totalCount } }', {
        f: filter,
      }),
    )
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument })
  })

  it.each([
    [{ countries: ['aaa'] }, /CountryCode must be an ISO 3166-1 alpha-3 code/],
    [{ dateRange: { from: '2019-02-30' } }, /Date/],
    [
      { boundingBox: { south: -91, west: 0, north: 0, east: 10 } },
      /invalid value -91 at "f.boundingBox.south"/,
    ],
    [{ minKilled: -1 }, /invalid value -1 at "f.minKilled"/],
    [{ actorRoles: ['KING'] }, /ActorRole/],
  ])('%j is refused by the schema', async (filter, message) => {
    const error = errorOf(
      await api.query('query ($f: EventFilter) { events(filter: $f) { totalCount } }', {
        f: filter,
      }),
    )
    expect(error.extensions?.code).toBe('BAD_USER_INPUT')
    expect(error.message).toMatch(message)
  })
})
