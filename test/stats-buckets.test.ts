import { describe, expect, it } from 'vitest'
import type { StatsBucket } from '../src/db/event-stats.js'
import { shapeBuckets, TooManyPeriodsError } from '../src/db/stats-buckets.js'

const bucket = (values: Partial<StatsBucket>): StatsBucket => ({
  period: null,
  countryId: null,
  groupId: null,
  eventTypeId: null,
  eventCount: 1,
  casualties: [],
  ...values,
})

describe('shapeBuckets', () => {
  it('sums the casualties of the buckets past the limit, category by category', () => {
    const shaped = shapeBuckets(
      [
        bucket({ groupId: 1, eventCount: 5 }),
        bucket({
          groupId: 2,
          casualties: [{ category: 'injured', low: 1, best: 2, high: 3 }],
        }),
        bucket({
          groupId: 3,
          casualties: [
            { category: 'killed', low: 1, best: 1, high: 1 },
            { category: 'injured', low: 10, best: 20, high: 30 },
          ],
        }),
      ],
      { limit: { dimension: 'groupId', count: 1 } },
    )
    expect(shaped).toEqual([
      bucket({ groupId: 1, eventCount: 5 }),
      bucket({
        other: true,
        eventCount: 2,
        casualties: [
          { category: 'killed', low: 1, best: 1, high: 1 },
          { category: 'injured', low: 11, best: 22, high: 33 },
        ],
      }),
    ])
  })

  it('refuses to fill more than 100,000 buckets: 11 series of 10,000 days', () => {
    const series = Array.from({ length: 11 }, (_, index) =>
      bucket({ period: '2000-01-01', groupId: index + 1 }),
    )
    const fill = (to: string) =>
      shapeBuckets(series, { fillEmpty: { interval: 'day', from: '2000-01-01', to } })
    expect(fill('2000-12-31')).toHaveLength(11 * 366)
    expect(() => fill('2027-01-01')).toThrow(TooManyPeriodsError)
  })
})
