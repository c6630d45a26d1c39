import { casualtyCategories, type StatsBucket, type TimeInterval } from './event-stats.js'

/** The dimensions a bucket is keyed by besides its period. */
export type KeyDimension = 'countryId' | 'groupId' | 'eventTypeId'

/** A chart's shape beyond the buckets: zero buckets for empty periods, the top N of a dimension. */
export interface BucketShape {
  /** Zero buckets for the periods between the range's ends that have no events. */
  readonly fillEmpty?: {
    readonly interval: TimeInterval
    readonly from?: string
    readonly to?: string
  }
  /** Keep the `count` values of `dimension` with the most events; sum the rest into "other". */
  readonly limit?: { readonly dimension: KeyDimension; readonly count: number }
}

/** More periods, or buckets in all, than these would be a chart no one reads, and too large. */
export const maxFilledPeriods = 10_000
const maxFilledBuckets = 100_000

export class TooManyPeriodsError extends Error {}

const keyDimensions: readonly KeyDimension[] = ['countryId', 'groupId', 'eventTypeId']

/** Buckets limited, then filled, in the order eventStats gives them (period, then keys). */
export function shapeBuckets(buckets: readonly StatsBucket[], shape: BucketShape): StatsBucket[] {
  const limited = shape.limit ? limitBuckets(buckets, shape.limit) : [...buckets]
  return shape.fillEmpty ? fillEmptyPeriods(limited, shape.fillEmpty) : limited
}

/**
 * The `count` values of the dimension with the most events over all periods (ties: the lower
 * id) keep their buckets; per period, the rest are summed into one bucket with `other` set and
 * the dimension null.
 */
function limitBuckets(
  buckets: readonly StatsBucket[],
  { dimension, count }: NonNullable<BucketShape['limit']>,
): StatsBucket[] {
  const totals = new Map<number | null, number>()
  for (const bucket of buckets)
    totals.set(bucket[dimension], (totals.get(bucket[dimension]) ?? 0) + bucket.eventCount)
  const kept = new Set(
    [...totals]
      .sort(([idA, a], [idB, b]) => b - a || (idA ?? -1) - (idB ?? -1))
      .slice(0, count)
      .map(([id]) => id),
  )
  const others = new Map<string, StatsBucket>()
  const result: StatsBucket[] = []
  for (const bucket of buckets) {
    if (kept.has(bucket[dimension])) {
      result.push(bucket)
      continue
    }
    const other: StatsBucket = { ...bucket, [dimension]: null, other: true }
    const key = keyOf(other)
    const sum = others.get(key)
    others.set(key, sum ? add(sum, bucket) : other)
  }
  return sorted([...result, ...others.values()])
}

function add(sum: StatsBucket, bucket: StatsBucket): StatsBucket {
  const casualties = new Map(sum.casualties.map((total) => [total.category, { ...total }]))
  for (const total of bucket.casualties) {
    const into = casualties.get(total.category)
    if (!into) casualties.set(total.category, { ...total })
    else {
      into.low += total.low
      into.best += total.best
      into.high += total.high
    }
  }
  return {
    ...sum,
    eventCount: sum.eventCount + bucket.eventCount,
    casualties: [...casualties.values()].sort(
      (a, b) => casualtyCategories.indexOf(a.category) - casualtyCategories.indexOf(b.category),
    ),
  }
}

/**
 * Per series (each combination of the other dimensions that has events; the one series when
 * there are none), a zero bucket for every period from the range's first to its last that has
 * none: the range is the filter's dates, widened to any bucket outside them (an event that
 * started before `from` and reaches into it).
 */
function fillEmptyPeriods(
  buckets: readonly StatsBucket[],
  { interval, from, to }: NonNullable<BucketShape['fillEmpty']>,
): StatsBucket[] {
  const periods = buckets.flatMap((bucket) => (bucket.period ? [bucket.period] : [])).sort()
  const first = [periods[0], from && startOf(from, interval)].filter(Boolean).sort()[0]
  const last = [periods.at(-1), to && startOf(to, interval)].filter(Boolean).sort().at(-1)
  if (!first || !last) return [...buckets]
  const all = periodsBetween(first, last, interval)
  const series = new Map<string, StatsBucket>()
  for (const bucket of buckets) series.set(keyOf({ ...bucket, period: null }), bucket)
  if (series.size === 0)
    series.set('', {
      period: null,
      countryId: null,
      groupId: null,
      eventTypeId: null,
      eventCount: 0,
      casualties: [],
    })
  if (series.size * all.length > maxFilledBuckets)
    throw new TooManyPeriodsError(
      `fillEmpty would give ${series.size.toLocaleString('en')} series of ${all.length.toLocaleString('en')} periods, more than ${maxFilledBuckets.toLocaleString('en')} buckets: use limit, narrow the filter or widen the interval`,
    )
  const present = new Set(buckets.map(keyOf))
  const filled = [...buckets]
  for (const bucket of series.values())
    for (const period of all) {
      const empty: StatsBucket = { ...bucket, period, eventCount: 0, casualties: [] }
      if (!present.has(keyOf(empty))) filled.push(empty)
    }
  return sorted(filled)
}

/** The first day of the period (weeks start on Monday) that holds `day` (YYYY-MM-DD). */
function startOf(day: string, interval: TimeInterval): string {
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`)
  if (interval === 'week') date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7))
  if (interval === 'month' || interval === 'year') date.setUTCDate(1)
  if (interval === 'year') date.setUTCMonth(0)
  return date.toISOString().slice(0, 10)
}

function periodsBetween(first: string, last: string, interval: TimeInterval): string[] {
  const periods: string[] = []
  const date = new Date(`${first}T00:00:00Z`)
  for (let day = first; day <= last; day = date.toISOString().slice(0, 10)) {
    if (periods.length === maxFilledPeriods)
      throw new TooManyPeriodsError(
        `fillEmpty would give more than ${maxFilledPeriods.toLocaleString('en')} periods from ${first} to ${last}: narrow the dateRange or widen the interval`,
      )
    periods.push(day)
    if (interval === 'day') date.setUTCDate(date.getUTCDate() + 1)
    else if (interval === 'week') date.setUTCDate(date.getUTCDate() + 7)
    else if (interval === 'month') date.setUTCMonth(date.getUTCMonth() + 1)
    else date.setUTCFullYear(date.getUTCFullYear() + 1)
  }
  return periods
}

function keyOf(bucket: StatsBucket): string {
  return JSON.stringify([
    bucket.period,
    ...keyDimensions.map((dimension) => bucket[dimension]),
    bucket.other === true,
  ])
}

// eventStats's order: by period, then each dimension, nulls first; "other" after the rest.
function sorted(buckets: StatsBucket[]): StatsBucket[] {
  const nullsFirst = (a: string | number | null, b: string | number | null) =>
    a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1
  return buckets.sort(
    (a, b) =>
      nullsFirst(a.period, b.period) ||
      Number(a.other === true) - Number(b.other === true) ||
      keyDimensions.reduce(
        (order, dimension) => order || nullsFirst(a[dimension], b[dimension]),
        0,
      ),
  )
}
