import { sql } from 'kysely'
import type { Database } from '../../src/db/database.js'

/**
 * Rows of the monthly stats rollup (sql/0040) that differ from a recomputation from scratch,
 * either way: 0 when every writer kept it right.
 */
export async function statsRollupDifferences(db: Database): Promise<number> {
  const { rows } = await sql<{ differences: number }>`
    WITH fresh AS (
      SELECT date_trunc('month', e.date_start)::date AS month, e.country_id, s.category,
        count(*)::int AS events, sum(s.low) AS low, sum(s.best) AS best, sum(s.high) AS high
      FROM event e
      CROSS JOIN LATERAL (SELECT NULL::casualty_category, NULL::int, NULL::int, NULL::int
        UNION ALL SELECT category, low, best, high FROM casualty_summary WHERE event_id = e.id) s (category, low, best, high)
      WHERE e.deleted_at IS NULL GROUP BY 1, 2, 3)
    SELECT count(*)::int AS differences FROM (
      (SELECT * FROM fresh EXCEPT SELECT * FROM event_stats_rollup)
      UNION ALL (SELECT * FROM event_stats_rollup EXCEPT SELECT * FROM fresh)) d`.execute(db)
  return rows[0]?.differences ?? -1
}
