import { sql } from 'kysely'
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
  readonly casualties: readonly {
    category: CasualtyCategory
    low: number
    best: number
    high: number
  }[]
}

const categories: readonly CasualtyCategory[] = [
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
  const has = (dimension: StatsDimension) => dimensions.includes(dimension)
  const sums = categories.map(
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
      ARRAY[${sql.join(sums)}] AS sums
    FROM bucketed
    LEFT JOIN casualty_summary s ON s.event_id = bucketed.id
    GROUP BY period, country_id, group_id, event_type_id
    ORDER BY period NULLS FIRST, country_id NULLS FIRST, group_id NULLS FIRST, event_type_id NULLS FIRST`.execute(
    db,
  )
  return rows.map((row) => {
    const values = row.sums as number[]
    return {
      period: row.period as string | null,
      countryId: row.country_id as number | null,
      groupId: row.group_id as number | null,
      eventTypeId: row.event_type_id as number | null,
      eventCount: row.event_count as number,
      casualties: categories.flatMap((category, index) => {
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
