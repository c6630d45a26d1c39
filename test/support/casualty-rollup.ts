import { sql } from 'kysely'
import type { Database } from '../../src/db/database.js'

/**
 * Events rewritten after their insert (version > 1), and events whose killed_best/injured_best
 * differ from the casualty_summary view: both 0 when an import writes each event once with its
 * rollup already right.
 */
export async function rollupAudit(db: Database): Promise<{ rewritten: number; wrong: number }> {
  const { rows } = await sql<{ rewritten: number; wrong: number }>`
    SELECT count(*) FILTER (WHERE event.version > 1)::int AS rewritten,
      count(*) FILTER (WHERE (event.killed_best, event.injured_best) IS DISTINCT FROM (
        (SELECT best FROM casualty_summary s WHERE s.event_id = event.id AND s.category = 'killed'),
        (SELECT best FROM casualty_summary s WHERE s.event_id = event.id AND s.category = 'injured')
      ))::int AS wrong
    FROM event`.execute(db)
  return rows[0] ?? { rewritten: 0, wrong: 0 }
}
