import type { Selectable } from 'kysely'
import type { Database } from './database.js'
import type { Event } from './schema.js'

export type EventRow = Selectable<Event>

/** Whether the database holds any event at all, deleted ones included. */
export async function hasAnyEvent(db: Database): Promise<boolean> {
  return (await db.selectFrom('event').select('id').limit(1).executeTakeFirst()) !== undefined
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
