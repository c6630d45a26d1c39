import { type RawBuilder, sql } from 'kysely'
import type { Database } from './database.js'
import { type EventFilter, eventFilterCondition } from './event-filter.js'
import { rollupCountQuery } from './event-stats.js'
import {
  type EventColumn,
  eventColumnNames,
  eventColumns,
  type ListedEventRow,
  listedEventColumns,
} from './events.js'
import { keyset, type PageRequest, pageRows, type SortKey } from './keyset.js'
import type { ActorRole } from './schema.js'

export type EventOrder = 'date_desc' | 'date_asc' | 'killed_desc' | 'updated_desc'

// The expression of event_killed_order_idx: events without a killed figure sort last.
const killedBest = sql`coalesce(event.killed_best, -1)`

export const eventSortKeys: Record<EventOrder, SortKey> = {
  date_desc: { expression: sql`event.date_start`, direction: 'desc', type: 'date' },
  date_asc: { expression: sql`event.date_start`, direction: 'asc', type: 'date' },
  killed_desc: { expression: killedBest, direction: 'desc', type: 'int' },
  updated_desc: { expression: sql`event.updated_at`, direction: 'desc', type: 'timestamptz' },
}

/** How a page's node is built from its row (aliased `event`), and the columns it reads. */
export interface PageNode {
  readonly node: (row: string) => RawBuilder<unknown>
  readonly columns: ReadonlySet<string>
}

/** A node of just the event's id and the given columns, for callers that want rows. */
export function columnsNode(columns: readonly EventColumn[] = listedEventColumns): PageNode {
  const names = eventColumnNames(columns)
  return {
    node: (row) =>
      sql`json_build_object(${sql.join(names.map((name) => sql`${sql.lit(name)}, ${sql.ref(`${row}.${name}`)}`))})`,
    columns: new Set(names),
  }
}

/**
 * One page of live events matching the filter, in the order asked, as a subquery of rows
 * (n: the node's JSON, sort_value, id), one more than the page holds.
 */
export function eventPageQuery(
  filter: EventFilter,
  order: EventOrder,
  page: PageRequest,
  { node, columns }: PageNode,
): RawBuilder<unknown> {
  if ((order === 'date_desc' || order === 'date_asc') && filter.boundingBox) {
    return mapPageQuery(filter, order, page, node, columns)
  }
  const parts = keyset(eventSortKeys[order], sql`event.id`, page)
  return sql`(SELECT ${node('event')} AS n, ${parts.sortValue} AS sort_value, event.id
    FROM event
    WHERE ${eventFilterCondition(filter)} AND ${parts.condition}
    ORDER BY ${parts.orderBy}
    LIMIT ${parts.limit})`
}

/** A page of events as rows of the given columns (tests and tools; the API compiles its own). */
export async function listEventPage(
  db: Database,
  filter: EventFilter,
  order: EventOrder,
  page: PageRequest,
  columns?: readonly EventColumn[],
) {
  const query = eventPageQuery(filter, order, page, columnsNode(columns))
  const { rows } = await sql<{
    n: ListedEventRow
    sort_value: string
  }>`SELECT * FROM ${query} page`.execute(db)
  return pageRows(
    rows.map((row) => ({ ...row.n, sort_value: row.sort_value })),
    page,
  )
}

/**
 * A page in date order of the events in a box, walked in the page's direction through slices
 * of dates that double in length (a month, two, four…) and stopping at the slice that fills
 * it. All the events in a box and a date range, sorted for the newest 500, cost what the box
 * and range hold (17,000 events for three years of western Syria at a million); the walk costs
 * about the page where the box is dense, and a few probes of the index where it is sparse
 * (bench/RESULTS.md). Postgres estimates any box at a fixed share of the rows, so it would not
 * choose such a walk itself.
 *
 * The slices partition the events by date_start, so the slice, then the order within it, is
 * the order asked. Each slice is one probe of event_map_idx (sql/0044): the box and the slice's
 * dates; when the client selects only columns the index holds (the map page: id, coordinates,
 * dates, killedBest), the probe reads no table page. The events that started before the date
 * range and are under way on its first day come last (first when walking up), through a probe
 * of that day.
 *
 * Each slice begins with a fence row (filtered out before the limit): the incremental sort
 * learns that a slice has ended from the next slice's first row, and the fence gives it that
 * row without running the next slice's probe and sort. Without it, the page that the second
 * slice fills read and sorted the whole third slice too (as many rows as the first two).
 * OFFSET 0 keeps Postgres from pushing `NOT fence` down, which would remove the fences.
 */
function mapPageQuery(
  filter: EventFilter,
  order: 'date_desc' | 'date_asc',
  page: PageRequest,
  node: PageNode['node'],
  columns: ReadonlySet<string>,
) {
  const parts = keyset(eventSortKeys[order], sql`event.id`, page)
  const upward = (order === 'date_asc') !== page.backward
  const direction = sql.raw(upward ? 'ASC' : 'DESC')
  const from = sql`${filter.from ?? null}::date`
  const cursor = page.position ? sql`${page.position[0]}::date` : sql`NULL::date`
  // The months of the first and last dates the page can reach (least and greatest skip NULLs).
  const live = sql`FROM event WHERE deleted_at IS NULL`
  const first = sql`greatest(${from}, (SELECT min(date_start) ${live}), ${upward ? cursor : sql`NULL`})`
  const last = sql`least(${filter.to ?? null}::date, (SELECT max(date_start) ${live}), ${upward ? sql`NULL` : cursor})`
  const monthOf = (day: RawBuilder<unknown>) => sql`date_trunc('month', ${day}::timestamp)::date`
  // Slice k covers the months 2^k - 1 to 2^(k+1) - 1 (excluded) away from the walk's start, as
  // months after first_month: 0 to span.
  const after = (count: RawBuilder<unknown>) =>
    sql`(first_month + make_interval(months => ${count}))::date`
  const [low, high] = upward
    ? [after(sql`(1 << k) - 1`), after(sql`least((1 << (k + 1)) - 1, span + 1)`)]
    : [after(sql`greatest(span - (1 << (k + 1)) + 2, 0)`), after(sql`span - (1 << k) + 2`)]
  // The ORDER BY reads the sort key from the slice's rows.
  const walked = eventColumnNames([...columns, 'date_start'] as EventColumn[])
  const nulls = sql.join(walked.map((column) => sql`NULL AS ${sql.id(column)}`))
  // MATERIALIZED: each computed once, not copied into every expression that uses it.
  return sql`(
    WITH reach AS MATERIALIZED (
      SELECT ${monthOf(first)} AS first_month, ${monthOf(last)} AS last_month
    ), slice AS MATERIALIZED (
      SELECT greatest(low, ${from}) AS starts, high AS ends, daterange(low, high) AS probe
      FROM (
        SELECT ${low} AS low, ${high} AS high
        FROM (
          SELECT first_month, ((extract(year FROM last_month) - extract(year FROM first_month)) * 12
            + extract(month FROM last_month) - extract(month FROM first_month))::int AS span
          FROM reach
        ) months CROSS JOIN generate_series(0, 30) k
        WHERE (1 << k) - 1 <= span
      ) doubling
      UNION ALL
      SELECT '-infinity', ${from}, daterange(${from}, ${from}, '[]') WHERE ${from} IS NOT NULL
    )
    SELECT ${node('event')} AS n, event.sort_value, event.id
    FROM (
      SELECT slice.starts AS slice_starts, event.*
      FROM (SELECT * FROM slice ORDER BY starts ${direction}) slice
      CROSS JOIN LATERAL (
        SELECT ${nulls}, NULL AS sort_value, true AS fence
        UNION ALL
        (SELECT ${eventColumns(walked)}, ${parts.sortValue}, false
        FROM event
        WHERE ${eventFilterCondition(filter)} AND ${parts.condition}
          AND event.date_start >= slice.starts AND event.date_start < slice.ends
          AND daterange(event.date_start, event.date_end, '[]') && slice.probe
        ORDER BY ${parts.orderBy}
        LIMIT ${parts.limit})
      ) event
      ORDER BY slice.starts ${direction}, ${parts.orderBy}
      OFFSET 0
    ) event
    WHERE NOT event.fence
    ORDER BY event.slice_starts ${direction}, ${parts.orderBy}
    LIMIT ${parts.limit})`
}

/**
 * How many live events match the filter, counting no further than `upTo`, as a scalar
 * subquery. A filter on dates and countries only (or none) is counted from the monthly rollup
 * (sql/0040), at a cost that does not grow with the events; any other filter counts its
 * matching rows through its indexes and stops at `upTo`, so it costs what the filter selects,
 * up to that bound.
 */
export function eventCountQuery(filter: EventFilter, upTo: number): RawBuilder<number> {
  const fromRollup = rollupCountQuery(filter)
  if (fromRollup) return sql<number>`least(${fromRollup}, ${sql.lit(upTo)})`
  return sql<number>`(SELECT count(*)::int
    FROM (SELECT FROM event WHERE ${eventFilterCondition(filter)} LIMIT ${sql.lit(upTo)}) matching)`
}

export async function countEvents(db: Database, filter: EventFilter, upTo: number) {
  const { rows } = await sql<{
    count: number
  }>`SELECT ${eventCountQuery(filter, upTo)} AS count`.execute(db)
  return rows[0]?.count ?? 0
}

export type EventPageRow = ListedEventRow & { readonly sort_value: string }

// A group's events by the copy of their date on event_actor (sql/0041), in the events' order.
const actorDateDesc = (row: string): SortKey => ({
  expression: sql.ref(`${row}.event_date_start`),
  direction: 'desc',
  type: 'date',
})

/**
 * A page of a group's live events (newest first), as a subquery of rows (n, sort_value, id).
 * The page is a range of event_actor_group_date_idx: it reads the page's rows (and any deleted
 * events among them), however many events the group or the table holds; the nodes are built
 * for the page's rows only.
 */
export function groupEventsQuery(
  groupId: RawBuilder<unknown>,
  role: ActorRole | undefined,
  page: PageRequest,
  node: PageNode['node'],
): RawBuilder<unknown> {
  const parts = keyset(actorDateDesc('actor'), sql`actor.event_id`, page)
  const outer = keyset(actorDateDesc('page'), sql`page.event_id`, page)
  // DISTINCT ON: without a role, a group that took part in one event in two roles has two actors.
  return sql`(SELECT ${node('event')} AS n, page.sort_value, event.id
    FROM (
      SELECT DISTINCT ON (actor.event_date_start, actor.event_id) actor.event_id,
        actor.event_date_start, ${parts.sortValue} AS sort_value
      FROM event_actor actor JOIN event ON event.id = actor.event_id
      WHERE actor.group_id = ${groupId} AND event.deleted_at IS NULL AND ${parts.condition}
        ${role ? sql`AND actor.role = ${role}::actor_role` : sql``}
      ORDER BY ${parts.orderBy}
      LIMIT ${parts.limit}
    ) page JOIN event ON event.id = page.event_id
    ORDER BY ${outer.orderBy})`
}

/** Each group's page of events, in one statement (tests; the API compiles its own). */
export async function groupEventPages(
  db: Database,
  groupIds: readonly number[],
  role: ActorRole | undefined,
  page: PageRequest,
): Promise<Map<number, { rows: EventPageRow[]; hasMore: boolean }>> {
  const query = groupEventsQuery(sql`asked.group_id`, role, page, columnsNode().node)
  const { rows } = await sql<{ group_id: number; n: ListedEventRow; sort_value: string }>`
    SELECT asked.group_id, page.n, page.sort_value
    FROM unnest(${[...groupIds]}::bigint[]) AS asked (group_id)
    CROSS JOIN LATERAL ${query} page`.execute(db)
  return new Map(
    groupIds.map((id) => [
      id,
      pageRows(
        rows
          .filter((row) => row.group_id === id)
          .map((row) => ({ ...row.n, sort_value: row.sort_value })),
        page,
      ),
    ]),
  )
}

/** How many live events a group took part in (in a role, when given), counting to `upTo`. */
export function groupEventCountQuery(
  groupId: RawBuilder<unknown>,
  upTo: number,
  role?: ActorRole,
): RawBuilder<number> {
  // Along the (group, event) index in event order, so DISTINCT streams and stops at the limit;
  // the liveness check as a subquery keeps the planner from a join over all events.
  return sql<number>`(SELECT count(*)::int FROM (
      SELECT DISTINCT actor.event_id
      FROM event_actor actor
      WHERE actor.group_id = ${groupId} ${role ? sql`AND actor.role = ${role}::actor_role` : sql``}
        AND (SELECT event.deleted_at IS NULL FROM event WHERE event.id = actor.event_id)
      LIMIT ${sql.lit(upTo)}) matching)`
}
