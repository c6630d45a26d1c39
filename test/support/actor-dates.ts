import { sql } from 'kysely'
import type { Database } from '../../src/db/database.js'

/** event_actor rows whose copy of their event's date (sql/0041) is not the event's date. */
export async function actorDatesOutOfSync(db: Database): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM event_actor actor JOIN event ON event.id = actor.event_id
    WHERE actor.event_date_start IS DISTINCT FROM event.date_start`.execute(db)
  return rows[0]?.n ?? -1
}
