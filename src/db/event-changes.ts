import { sql } from 'kysely'
import type { Database } from './database.js'
import { keyset, type PageRequest, pageRows, type SortKey } from './keyset.js'

export interface EventChangeRow {
  readonly id: number
  readonly created_at: Date
  readonly updated_at: Date
  readonly deleted_at: Date | null
  readonly sort_value: string
}

const changeOrder: SortKey = {
  expression: sql`event.updated_at`,
  direction: 'asc',
  type: 'timestamptz',
}

/**
 * Events created, updated or soft-deleted at or after `since`, oldest change first. Every write
 * bumps updated_at (a trigger), deletes included, so one ordered index serves the feed.
 */
export async function listEventChanges(
  db: Database,
  since: string,
  page: Omit<PageRequest, 'backward'>,
) {
  const request = { ...page, backward: false }
  const parts = keyset(changeOrder, sql`event.id`, request)
  const { rows } = await sql<EventChangeRow>`
    SELECT event.id, event.created_at, event.updated_at, event.deleted_at, ${parts.sortValue} AS sort_value
    FROM event
    WHERE event.updated_at >= ${since}::timestamptz AND ${parts.condition}
    ORDER BY ${parts.orderBy}
    LIMIT ${parts.limit}`.execute(db)
  return pageRows(rows, request)
}
