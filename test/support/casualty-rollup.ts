import { sql } from 'kysely'
import type { Database } from '../../src/db/database.js'

/**
 * Events rewritten after their insert (version > 1), and events whose kept figures (best, low,
 * high of killed and injured) differ from the casualty_summary view: both 0 when an import writes each event once with its
 * rollup already right.
 */
export async function rollupAudit(db: Database): Promise<{ rewritten: number; wrong: number }> {
  const { rows } = await sql<{ rewritten: number; wrong: number }>`
    SELECT count(*) FILTER (WHERE event.version > 1)::int AS rewritten,
      count(*) FILTER (WHERE ROW(event.killed_best, event.injured_best, event.killed_low,
          event.killed_high, event.injured_low, event.injured_high) IS DISTINCT FROM (
        SELECT ROW(min(best) FILTER (WHERE category = 'killed'), min(best) FILTER (WHERE category = 'injured'),
          min(low) FILTER (WHERE category = 'killed'), min(high) FILTER (WHERE category = 'killed'),
          min(low) FILTER (WHERE category = 'injured'), min(high) FILTER (WHERE category = 'injured'))
        FROM casualty_summary s WHERE s.event_id = event.id
      ))::int AS wrong
    FROM event`.execute(db)
  return rows[0] ?? { rewritten: 0, wrong: 0 }
}
