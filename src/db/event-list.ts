import { sql } from 'kysely'
import type { Database } from './database.js'
import { type EventFilter, eventFilterCondition } from './event-filter.js'
import { countFromRollup } from './event-stats.js'
import { type EventBranches, type EventTree, eventTreeColumns } from './event-tree.js'
import { type EventColumn, eventColumns, type ListedEventRow } from './events.js'
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

export type EventPageRow = ListedEventRow & EventBranches & { readonly sort_value: string }

/** The tree's JSON columns after the event's own, for a select list. */
function withTree(db: Database, tree: EventTree) {
  return sql.join([sql``, ...eventTreeColumns(db, tree)], sql`, `)
}

/**
 * One page of live events matching the filter, in the order asked, with the tree's relations.
 * Given columns, the rows hold only those (and the id): the caller reads no other.
 */
export async function listEventPage(
  db: Database,
  filter: EventFilter,
  order: EventOrder,
  page: PageRequest,
  tree: EventTree = {},
  columns?: readonly EventColumn[],
) {
  const parts = keyset(eventSortKeys[order], sql`event.id`, page)
  const { rows } = await sql<EventPageRow>`
    SELECT ${eventColumns(columns)}, ${parts.sortValue} AS sort_value ${withTree(db, tree)}
    FROM event
    WHERE ${eventFilterCondition(filter)} AND ${parts.condition}
    ORDER BY ${parts.orderBy}
    LIMIT ${parts.limit}`.execute(db)
  return pageRows(rows, page)
}

/**
 * How many live events match the filter, counting no further than `upTo`. A filter on dates and
 * countries only (or none) is counted from the monthly rollup (sql/0040), at a cost that does
 * not grow with the events; any other filter counts its matching rows through its indexes and
 * stops at `upTo`, so it costs what the filter selects, up to that bound.
 */
export async function countEvents(
  db: Database,
  filter: EventFilter,
  upTo: number,
): Promise<number> {
  const fromRollup = await countFromRollup(db, filter)
  if (fromRollup !== undefined) return Math.min(fromRollup, upTo)
  const { rows } = await sql<{ count: number }>`
    SELECT count(*)::int AS count
    FROM (SELECT FROM event WHERE ${eventFilterCondition(filter)} LIMIT ${upTo}) matching`.execute(
    db,
  )
  return rows[0]?.count ?? 0
}

export interface GroupEventPageRow extends EventPageRow {
  readonly group_id: number
}

// A group's events by the copy of their date on event_actor (sql/0041), in the events' order.
const actorDateDesc: SortKey = {
  expression: sql`actor.event_date_start`,
  direction: 'desc',
  type: 'date',
}

/**
 * A page of each group's live events (newest first), in one statement for all the groups. Each
 * page is a range of event_actor_group_date_idx: it reads the page's rows (and any deleted
 * events among them), however many events the group or the table holds.
 */
export async function groupEventPages(
  db: Database,
  groupIds: readonly number[],
  role: ActorRole | undefined,
  page: PageRequest,
): Promise<Map<number, { rows: EventPageRow[]; hasMore: boolean }>> {
  const parts = keyset(actorDateDesc, sql`actor.event_id`, page)
  // DISTINCT ON: without a role, a group that took part in one event in two roles has two actors.
  const { rows } = await sql<GroupEventPageRow>`
    SELECT asked.group_id, page.*
    FROM unnest(${[...groupIds]}::bigint[]) AS asked (group_id)
    CROSS JOIN LATERAL (
      SELECT DISTINCT ON (actor.event_date_start, actor.event_id) ${eventColumns()}, ${parts.sortValue} AS sort_value
      FROM event_actor actor JOIN event ON event.id = actor.event_id
      WHERE actor.group_id = asked.group_id AND event.deleted_at IS NULL AND ${parts.condition}
        ${role ? sql`AND actor.role = ${role}::actor_role` : sql``}
      ORDER BY ${parts.orderBy}
      LIMIT ${parts.limit}
    ) page`.execute(db)
  return new Map(
    groupIds.map((id) => [
      id,
      pageRows(
        rows.filter((row) => row.group_id === id),
        page,
      ),
    ]),
  )
}

/** How many live events each group took part in (in a role, when given), counting to `upTo`. */
export async function groupEventCounts(
  db: Database,
  groupIds: readonly number[],
  upTo: number,
  role?: ActorRole,
) {
  const { rows } = await sql<{ group_id: number; count: number }>`
    SELECT asked.id AS group_id, (
      -- Along the (group, event) index in event order, so DISTINCT streams and stops at the
      -- limit; the liveness check as a subquery keeps the planner from a join over all events.
      SELECT count(*)::int FROM (
        SELECT DISTINCT actor.event_id
        FROM event_actor actor
        WHERE actor.group_id = asked.id ${role ? sql`AND actor.role = ${role}::actor_role` : sql``}
          AND (SELECT event.deleted_at IS NULL FROM event WHERE event.id = actor.event_id)
        LIMIT ${upTo}) matching
    ) AS count
    FROM unnest(${[...groupIds]}::bigint[]) AS asked (id)`.execute(db)
  return new Map(rows.map((row) => [row.group_id, row.count]))
}
