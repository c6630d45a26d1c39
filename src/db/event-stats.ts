import { type RawBuilder, sql } from 'kysely'
import type { Database } from './database.js'
import { type EventFilter, eventFilterCondition } from './event-filter.js'
import type { CasualtyCategory } from './schema.js'

export type StatsDimension = 'time' | 'country' | 'group' | 'event_type'
export type TimeInterval = 'day' | 'week' | 'month' | 'year'

export interface StatsBucket {
  readonly period: string | null
  readonly countryId: number | null
  readonly groupId: number | null
  readonly eventTypeId: number | null
  readonly eventCount: number
  /** The bucket that sums the groups or countries past the limit (stats-buckets.ts). */
  readonly other?: boolean
  readonly casualties: readonly {
    category: CasualtyCategory
    low: number
    best: number
    high: number
  }[]
}

export const casualtyCategories: readonly CasualtyCategory[] = [
  'killed',
  'injured',
  'hostage',
  'missing',
  'arrested',
]

/**
 * Event counts and sums of consolidated casualties per bucket, over the list's filter. An event
 * lands in one bucket per group (GROUP) and per type (EVENT_TYPE) it has; otherwise in one.
 */
export async function eventStats(
  db: Database,
  filter: EventFilter,
  dimensions: readonly StatsDimension[],
  interval: TimeInterval,
): Promise<StatsBucket[]> {
  const months = answeredByRollup(filter, dimensions, interval) && wholeMonths(filter)
  if (months) return statsWithRollup(db, filter, dimensions, interval, months)
  const has = (dimension: StatsDimension) => dimensions.includes(dimension)
  const sums = casualtyCategories.map(
    (category) => sql`
      coalesce(sum(s.low) FILTER (WHERE s.category = ${category}), 0)::int,
      coalesce(sum(s.best) FILTER (WHERE s.category = ${category}), 0)::int,
      coalesce(sum(s.high) FILTER (WHERE s.category = ${category}), 0)::int,
      count(s.category) FILTER (WHERE s.category = ${category})::int`,
  )
  const { rows } = await sql<Record<string, unknown>>`
    WITH bucketed AS (
      SELECT DISTINCT event.id,
        ${has('time') ? sql`date_trunc(${interval}, event.date_start)::date::text` : sql`NULL::text`} AS period,
        ${has('country') ? sql`event.country_id` : sql`NULL::bigint`} AS country_id,
        ${has('group') ? sql`actor.group_id` : sql`NULL::bigint`} AS group_id,
        ${has('event_type') ? sql`classification.event_type_id` : sql`NULL::bigint`} AS event_type_id
      FROM event
      ${has('group') ? sql`JOIN event_actor actor ON actor.event_id = event.id` : sql``}
      ${has('event_type') ? sql`JOIN event_classification classification ON classification.event_id = event.id` : sql``}
      WHERE ${eventFilterCondition(filter)}
    )
    SELECT period, country_id, group_id, event_type_id, count(DISTINCT bucketed.id)::int AS event_count,
      json_build_array(${sql.join(sums)}) AS sums
    FROM bucketed
    LEFT JOIN casualty_summary s ON s.event_id = bucketed.id
    GROUP BY period, country_id, group_id, event_type_id
    ORDER BY period NULLS FIRST, country_id NULLS FIRST, group_id NULLS FIRST, event_type_id NULLS FIRST`.execute(
    db,
  )
  return toBuckets(rows)
}

/**
 * The number of events matching the filter as a scalar subquery, when the rollup can tell it;
 * else undefined.
 */
export function rollupCountQuery(filter: EventFilter): RawBuilder<number> | undefined {
  const months = answeredByRollup(filter, [], 'month') && wholeMonths(filter)
  if (!months) return undefined
  return sql<number>`(SELECT coalesce((stats.buckets->0->>'eventCount')::int, 0)
    FROM (${rollupStatsQuery(filter, [], 'month', months)}) stats)`
}

/**
 * The rollup (sql/0040) holds months of date_start by country: it answers a filter on dates
 * and countries only, bucketed by month or year (or not by time).
 */
function answeredByRollup(
  filter: EventFilter,
  dimensions: readonly StatsDimension[],
  interval: TimeInterval,
): boolean {
  const { from, to, countries, includeAffiliates, ...others } = filter
  // includeAffiliates alone filters nothing; `disputed: false` does.
  const otherFilters = Object.values(others).some(
    (value) => value !== undefined && !(Array.isArray(value) && value.length === 0),
  )
  return (
    !otherFilters &&
    dimensions.every((dimension) => dimension === 'time' || dimension === 'country') &&
    (interval === 'month' || interval === 'year')
  )
}

/**
 * The same buckets as eventStats computes, from the rollup's whole months inside the range plus
 * the events outside them computed directly: those starting in a partial month at either end,
 * and those that start before the range and reach into it (the filter is an overlap).
 */
async function statsWithRollup(
  db: Database,
  filter: EventFilter,
  dimensions: readonly StatsDimension[],
  interval: TimeInterval,
  months: WholeMonths,
): Promise<StatsBucket[]> {
  const query = rollupStatsQuery(filter, dimensions, interval, months)
  const { rows } = await sql<{ buckets: StatsBucket[] }>`${query}`.execute(db)
  return rows[0]?.buckets ?? []
}

function rollupStatsQuery(
  filter: EventFilter,
  dimensions: readonly StatsDimension[],
  interval: TimeInterval,
  months: WholeMonths,
): RawBuilder<unknown> {
  const from = sql`${filter.from ?? null}::date`
  const to = sql`${filter.to ?? null}::date`
  const wholeFrom = sql`coalesce(${months.first}::date, '-infinity'::date)`
  const wholeTo = sql`coalesce(${months.end}::date, 'infinity'::date)`
  const period = (day: RawBuilder<unknown>) =>
    dimensions.includes('time') ? sql`date_trunc(${interval}, ${day})::date` : sql`NULL::date`
  const country = (column: RawBuilder<unknown>) =>
    dimensions.includes('country') ? column : sql`NULL::bigint`
  const inCountries = (column: RawBuilder<unknown>) =>
    filter.countries?.length
      ? sql`${column} IN (SELECT id FROM place WHERE iso_alpha3 = ANY(${[...filter.countries]}::text[]))`
      : sql`true`
  // Exactly: matching events not starting in a whole month. The three ranges (partial months at
  // either end, events under way on the first day) let indexes find them.
  const outsideWholeMonths = sql`${eventFilterCondition(filter)}
    AND NOT (event.date_start >= ${wholeFrom} AND event.date_start < ${wholeTo})
    AND ((event.date_start >= ${from} AND event.date_start < ${wholeFrom})
      OR (event.date_start >= ${wholeTo} AND event.date_start <= ${to})
      OR (event.date_start < ${from} AND daterange(event.date_start, event.date_end, '[]') && daterange(${from}, ${from}, '[]')))`
  // Summed per category first (4 sums a row instead of 20 filtered ones), then all the buckets
  // as one JSON value keyed as StatsBucket: the driver parses it in one native pass instead of
  // converting thousands of rows column by column (the two were a chart's largest costs in the
  // server after execution).
  return sql`
    WITH parts (period, country_id, category, events, low, best, high) AS (
      SELECT ${period(sql`month`)}, ${country(sql`country_id`)}, category, events, low, best, high
      FROM event_stats_rollup
      WHERE month >= ${wholeFrom} AND month < ${wholeTo} AND ${inCountries(sql`country_id`)}
      UNION ALL
      SELECT ${period(sql`event.date_start`)}, ${country(sql`event.country_id`)}, s.category, 1, s.low, s.best, s.high
      FROM event
      CROSS JOIN LATERAL (
        SELECT NULL::casualty_category, NULL::integer, NULL::integer, NULL::integer
        UNION ALL
        SELECT summary.category, summary.low, summary.best, summary.high
        FROM casualty_summary summary WHERE summary.event_id = event.id
      ) AS s (category, low, best, high)
      WHERE ${outsideWholeMonths}
    ), by_category AS (
      SELECT period, country_id, category, sum(events) AS events, coalesce(sum(low), 0)::int AS low,
        coalesce(sum(best), 0)::int AS best, coalesce(sum(high), 0)::int AS high
      FROM parts
      GROUP BY period, country_id, category
    ), bucket AS (
      SELECT period, country_id,
        coalesce(sum(events) FILTER (WHERE category IS NULL), 0)::int AS event_count,
        coalesce(json_agg(json_build_object('category', category, 'low', low, 'best', best, 'high', high)
          ORDER BY category) FILTER (WHERE category IS NOT NULL AND events > 0), '[]') AS casualties
      FROM by_category
      GROUP BY period, country_id
      HAVING sum(events) FILTER (WHERE category IS NULL) > 0
    )
    SELECT coalesce(json_agg(json_build_object('period', period::text, 'countryId', country_id,
        'groupId', NULL, 'eventTypeId', NULL, 'eventCount', event_count, 'casualties', casualties)
      ORDER BY period NULLS FIRST, country_id NULLS FIRST), '[]') AS buckets
    FROM bucket`
}

interface WholeMonths {
  /** The first day of the first whole month in the range; null: no lower bound. */
  readonly first: string | null
  /** The first day after the last whole month; null: no upper bound. */
  readonly end: string | null
}

// A day as YYYY-MM-DD; undefined past 9999-12-31, the last day a date can hold (toISOString
// would write "+010000-01-01").
const isoDay = (date: Date) =>
  date.getUTCFullYear() > 9999 ? undefined : date.toISOString().slice(0, 10)

/** The whole months within the filter's date range; undefined when it holds none. */
function wholeMonths({ from, to }: EventFilter): WholeMonths | undefined {
  const monthStart = (day: string, monthsLater: number) => {
    const date = new Date(`${day.slice(0, 7)}-01T00:00:00Z`)
    date.setUTCMonth(date.getUTCMonth() + monthsLater)
    return isoDay(date)
  }
  const first = from ? monthStart(from, from.endsWith('-01') ? 0 : 1) : null
  // From December 9999 on, no whole month begins.
  if (first === undefined) return undefined
  const nextDay = to && isoDay(new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000))
  // A range to 9999-12-31 has no upper bound: no date comes after it.
  const end = nextDay ? (monthStart(nextDay, 0) ?? null) : null
  return first && end && first >= end ? undefined : { first, end }
}

// The sums come as a JSON array: parsed natively, where an int[] is parsed by a JS text parser
// (about 5 % of a 2,000-bucket chart's server time).
function toBuckets(rows: Record<string, unknown>[]): StatsBucket[] {
  return rows.map((row) => {
    const values = row.sums as number[]
    return {
      period: row.period as string | null,
      countryId: row.country_id as number | null,
      groupId: row.group_id as number | null,
      eventTypeId: row.event_type_id as number | null,
      eventCount: row.event_count as number,
      casualties: casualtyCategories.flatMap((category, index) => {
        const [low, best, high, figures] = values.slice(index * 4, index * 4 + 4) as [
          number,
          number,
          number,
          number,
        ]
        return figures > 0 ? [{ category, low, best, high }] : []
      }),
    }
  })
}
