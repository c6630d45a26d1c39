import type { Selectable } from 'kysely'
import type { Database } from './database.js'
import type { Event } from './schema.js'

export type EventRow = Selectable<Event>

export interface EventFilter {
  /** ISO 3166 alpha-3 codes of the countries the events took place in. */
  readonly countries?: readonly string[]
  /** Events whose date range overlaps [from, to] (ISO dates, inclusive). */
  readonly from?: string
  readonly to?: string
}

/** Whether the database holds any event at all, deleted ones included. */
export async function hasAnyEvent(db: Database): Promise<boolean> {
  return (await db.selectFrom('event').select('id').limit(1).executeTakeFirst()) !== undefined
}

/** A live (not soft-deleted) event. */
export async function findEventById(db: Database, id: number): Promise<EventRow | undefined> {
  return db
    .selectFrom('event')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
}

/** Live events for the given ids, in the order of the ids (undefined where none). */
export async function eventsByIds(
  db: Database,
  ids: readonly number[],
): Promise<(EventRow | undefined)[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('event')
    .selectAll()
    .where('id', '=', (eb) => eb.fn.any(eb.val([...ids])))
    .where('deleted_at', 'is', null)
    .execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.map((id) => byId.get(id))
}

/** Newest first, id as the tie-breaker; soft-deleted events are never listed. */
export async function listEvents(
  db: Database,
  filter: EventFilter,
  limit: number,
): Promise<EventRow[]> {
  let query = db.selectFrom('event').selectAll('event').where('event.deleted_at', 'is', null)
  if (filter.countries?.length) {
    const countries = [...filter.countries]
    query = query.where('event.country_id', 'in', (eb) =>
      eb.selectFrom('place').select('place.id').where('place.iso_alpha3', 'in', countries),
    )
  }
  if (filter.from) query = query.where('event.date_end', '>=', filter.from)
  if (filter.to) query = query.where('event.date_start', '<=', filter.to)
  return query
    .orderBy('event.date_start', 'desc')
    .orderBy('event.id', 'desc')
    .limit(limit)
    .execute()
}

/** Links from each event to related live events. */
export async function eventLinksByEventIds(db: Database, ids: readonly number[]) {
  if (ids.length === 0) return []
  return db
    .selectFrom('event_link')
    .innerJoin('event as related', 'related.id', 'event_link.related_event_id')
    .select([
      'event_link.event_id',
      'event_link.related_event_id',
      'event_link.kind',
      'event_link.note',
    ])
    .where('event_link.event_id', '=', (eb) => eb.fn.any(eb.val([...ids])))
    .where('related.deleted_at', 'is', null)
    .orderBy('event_link.event_id')
    .orderBy('related.date_start', 'desc')
    .execute()
}
