import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApi, type TestApi } from '../support/api.js'
import { aCasualtyFigure, aCountry, aGroup, anEvent } from '../support/factories.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// eventStats(fillEmpty:, limit:): a chart's axis without gaps, and the top N with the rest summed.

let api: TestApi
beforeAll(async () => {
  const db = testDb()
  const countries = {
    TUN: await aCountry(db, { name: 'Tunisia', iso_alpha3: 'TUN' }),
    DZA: await aCountry(db, { name: 'Algeria', iso_alpha3: 'DZA' }),
    LBY: await aCountry(db, { name: 'Libya', iso_alpha3: 'LBY' }),
    MAR: await aCountry(db, { name: 'Morocco', iso_alpha3: 'MAR' }),
  }
  const groups = {
    aqim: await aGroup(db, { name: 'AQIM' }),
    okba: await aGroup(db, { name: 'Okba ibn Nafaa Brigade' }),
    jund: await aGroup(db, { name: 'Jund al-Khilafa' }),
  }
  // Tunisia 3 events, Algeria 2, Libya 1, Morocco 1; 2015 and 2018 have events, 2016–2017 none.
  const events: [string, keyof typeof countries, (keyof typeof groups)[], number][] = [
    ['2015-03-18', 'TUN', ['okba'], 22],
    ['2015-06-26', 'TUN', ['okba', 'jund'], 38],
    ['2018-07-08', 'TUN', ['okba'], 6],
    ['2015-08-01', 'DZA', ['aqim'], 3],
    ['2018-02-01', 'DZA', ['aqim', 'jund'], 2],
    ['2018-05-01', 'LBY', ['jund'], 4],
    ['2018-09-01', 'MAR', [], 0],
  ]
  for (const [date, country, actors, killed] of events) {
    const id = await anEvent(db, {
      date_start: date,
      date_end: date,
      place_id: countries[country],
    })
    for (const group of actors)
      await db
        .insertInto('event_actor')
        .values({ event_id: id, group_id: groups[group], role: 'perpetrator' })
        .execute()
    if (killed) await aCasualtyFigure(db, { event_id: id, best: killed, low: killed, high: killed })
  }
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

const stats = async (args: string, selection = 'period eventCount') => {
  const response = await api.query(`{ eventStats(${args}) { ${selection} } }`)
  return response as { data?: { eventStats: Record<string, any>[] }; errors?: any[] }
}
const buckets = async (args: string, selection?: string) => {
  const { data, errors } = await stats(args, selection)
  expect(errors).toBeUndefined()
  return data?.eventStats ?? []
}

describe('fillEmpty', () => {
  it('gives a zero bucket for every empty year between the first event and the last', async () => {
    const without = await buckets('groupBy: [TIME], interval: YEAR')
    expect(without.map((bucket) => bucket.period)).toEqual(['2015-01-01', '2018-01-01'])
    const filled = await buckets('groupBy: [TIME], interval: YEAR, fillEmpty: true')
    expect(filled).toEqual([
      { period: '2015-01-01', eventCount: 3 },
      { period: '2016-01-01', eventCount: 0 },
      { period: '2017-01-01', eventCount: 0 },
      { period: '2018-01-01', eventCount: 4 },
    ])
  })

  it('runs from the dateRange’s first period to its last, months and weeks alike', async () => {
    const months = await buckets(
      'filter: { dateRange: { from: "2018-01-15", to: "2018-06-30" } }, groupBy: [TIME], interval: MONTH, fillEmpty: true',
      'period eventCount casualties { category best }',
    )
    expect(months).toEqual([
      { period: '2018-01-01', eventCount: 0, casualties: [] },
      {
        period: '2018-02-01',
        eventCount: 1,
        casualties: [{ category: 'KILLED', best: 2 }],
      },
      { period: '2018-03-01', eventCount: 0, casualties: [] },
      { period: '2018-04-01', eventCount: 0, casualties: [] },
      { period: '2018-05-01', eventCount: 1, casualties: [{ category: 'KILLED', best: 4 }] },
      { period: '2018-06-01', eventCount: 0, casualties: [] },
    ])
    const weeks = await buckets(
      'filter: { dateRange: { from: "2018-04-25", to: "2018-05-10" } }, groupBy: [TIME], interval: WEEK, fillEmpty: true',
    )
    // Weeks start on Monday: 2018-04-23, 04-30 (holds May 1st), 05-07.
    expect(weeks).toEqual([
      { period: '2018-04-23', eventCount: 0 },
      { period: '2018-04-30', eventCount: 1 },
      { period: '2018-05-07', eventCount: 0 },
    ])
    const days = await buckets(
      'filter: { dateRange: { from: "2015-06-25", to: "2015-06-27" } }, groupBy: [TIME], interval: DAY, fillEmpty: true',
    )
    expect(days.map((bucket) => bucket.eventCount)).toEqual([0, 1, 0])
  })

  it('fills each series of another dimension', async () => {
    const byCountry = await buckets(
      'filter: { countries: ["TUN", "LBY"] }, groupBy: [TIME, COUNTRY], interval: YEAR, fillEmpty: true',
      'period country { isoCode } eventCount',
    )
    expect(byCountry.map((b) => `${b.period} ${b.country.isoCode} ${b.eventCount}`)).toEqual([
      '2015-01-01 TUN 2',
      '2015-01-01 LBY 0',
      '2016-01-01 TUN 0',
      '2016-01-01 LBY 0',
      '2017-01-01 TUN 0',
      '2017-01-01 LBY 0',
      '2018-01-01 TUN 1',
      '2018-01-01 LBY 1',
    ])
  })

  it('refuses without TIME, and past 10,000 periods', async () => {
    const noTime = await stats('groupBy: [COUNTRY], fillEmpty: true')
    expect(noTime.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'fillEmpty',
      rule: 'needs_time',
    })
    const tooMany = await stats(
      'filter: { dateRange: { from: "1950-01-01", to: "2020-01-01" } }, groupBy: [TIME], interval: DAY, fillEmpty: true',
    )
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      rule: 'too_many_periods',
    })
  })
})

describe('limit', () => {
  it('keeps the top countries and sums the rest into one "other" bucket', async () => {
    const top = await buckets(
      'groupBy: [COUNTRY], limit: 2',
      'country { isoCode } other eventCount casualties { category best }',
    )
    expect(top).toEqual([
      {
        country: { isoCode: 'TUN' },
        other: false,
        eventCount: 3,
        casualties: [{ category: 'KILLED', best: 66 }],
      },
      {
        country: { isoCode: 'DZA' },
        other: false,
        eventCount: 2,
        casualties: [{ category: 'KILLED', best: 5 }],
      },
      {
        country: null,
        other: true,
        eventCount: 2,
        casualties: [{ category: 'KILLED', best: 4 }],
      },
    ])
  })

  it('ranks groups over the whole range and sums the others per period', async () => {
    const perYear = await buckets(
      'groupBy: [TIME, GROUP], interval: YEAR, limit: 1, fillEmpty: true',
      'period group { name } other eventCount',
    )
    // Okba took part in 3 events, Jund in 3 but recorded later, AQIM in 2: Okba stays.
    expect(
      perYear.map((b) => `${b.period} ${b.other ? 'other' : b.group.name} ${b.eventCount}`),
    ).toEqual([
      '2015-01-01 Okba ibn Nafaa Brigade 2',
      '2015-01-01 other 2',
      '2016-01-01 Okba ibn Nafaa Brigade 0',
      '2016-01-01 other 0',
      '2017-01-01 Okba ibn Nafaa Brigade 0',
      '2017-01-01 other 0',
      '2018-01-01 Okba ibn Nafaa Brigade 1',
      '2018-01-01 other 3',
    ])
  })

  it('refuses a limit below 1 and one without a single dimension to cut', async () => {
    for (const [args, rule] of [
      ['groupBy: [COUNTRY], limit: 0', 'min_value'],
      ['groupBy: [TIME], limit: 3', 'needs_one_dimension'],
      ['groupBy: [COUNTRY, GROUP], limit: 3', 'needs_one_dimension'],
    ]) {
      const { errors } = await stats(args as string)
      expect(errors?.[0]?.extensions, args).toMatchObject({
        code: 'BAD_USER_INPUT',
        argument: 'limit',
        rule,
      })
    }
  })
})
