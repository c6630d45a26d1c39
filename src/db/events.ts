import { type Selectable, sql } from 'kysely'
import type { Database } from './database.js'
import type { Event } from './schema.js'

export type EventRow = Selectable<Event>

/** An event as the API reads it: every column but the full-text index's search_vector. */
export type ListedEventRow = Omit<EventRow, 'search_vector'>

/** Every column of event but the full-text index's search_vector. */
export const listedEventColumns = [
  'id',
  'title',
  'summary',
  'date_start',
  'date_end',
  'date_precision',
  'place_id',
  'country_id',
  'location_text',
  'latitude',
  'longitude',
  'geo_precision',
  'tags',
  'is_suicide',
  'civilian_targeting',
  'version',
  'created_at',
  'updated_at',
  'deleted_at',
  'killed_best',
  'injured_best',
  'casualties_disputed',
  'killed_low',
  'killed_high',
  'injured_low',
  'injured_high',
] as const satisfies readonly (keyof ListedEventRow)[]
// A column added to the table and not listed above fails to compile here.
export const everyColumnListed: Exclude<keyof ListedEventRow, EventColumn> extends never
  ? true
  : never = true

export type EventColumn = (typeof listedEventColumns)[number]

/**
 * Columns of the row `event` for a select list: the ones given (and the id), else every listed
 * one. search_vector is never read (the largest part of a row, shown by no response), and a
 * page reads only the columns its client selected: parsing unused columns (timestamps above
 * all) was most of the cost of a 500-event map page.
 */
export function eventColumns(columns?: readonly EventColumn[]) {
  return sql.join(eventColumnNames(columns).map((column) => sql.ref(`event.${column}`)))
}

/** The names of the columns eventColumns selects, in its order. */
export function eventColumnNames(columns: readonly EventColumn[] = listedEventColumns) {
  return [...new Set<EventColumn>(['id', ...columns])]
}

/** Whether the database holds any event at all, deleted ones included. */
export async function hasAnyEvent(db: Database): Promise<boolean> {
  return (await db.selectFrom('event').select('id').limit(1).executeTakeFirst()) !== undefined
}
