import { type RawBuilder, sql } from 'kysely'
import type { Database } from './database.js'

/**
 * Pairs of live groups that may be one group recorded twice, with a score from 0 to 1 and the
 * reasons for it: how alike their names and aliases are (trigram similarity over every name
 * of each), and how many events they share — two events on the same day at the same place,
 * one with each group in the same role, which is how one attack shows in two datasets. Rows:
 * group_id (the older), other_id, score, reasons.
 */
export function groupCandidatesQuery(minScore: number): RawBuilder<unknown> {
  return sql`
    WITH live AS (SELECT id, name FROM armed_group WHERE merged_into_id IS NULL),
    names AS (
      SELECT id AS group_id, name FROM live
      UNION SELECT a.group_id, a.alias FROM group_alias a JOIN live ON live.id = a.group_id
    ),
    by_name AS (
      SELECT x.group_id AS a, y.group_id AS b, max(similarity(x.name, y.name)) AS similarity
      FROM names x JOIN names y ON y.group_id > x.group_id AND x.name % y.name
      GROUP BY 1, 2
    ),
    by_events AS (
      SELECT least(x.group_id, y.group_id) AS a, greatest(x.group_id, y.group_id) AS b,
        count(DISTINCT least(ex.id, ey.id)) AS shared
      FROM event_actor x
      JOIN event ex ON ex.id = x.event_id AND ex.deleted_at IS NULL AND ex.place_id IS NOT NULL
      JOIN event ey ON ey.date_start = ex.date_start AND ey.place_id = ex.place_id
        AND ey.id <> ex.id AND ey.deleted_at IS NULL
      JOIN event_actor y ON y.event_id = ey.id AND y.role = x.role AND y.group_id <> x.group_id
      WHERE x.group_id IN (SELECT id FROM live) AND y.group_id IN (SELECT id FROM live)
        -- Not two actors of one event: opponents meet every day.
        AND NOT EXISTS (SELECT 1 FROM event_actor both_in_x
          WHERE both_in_x.event_id = ex.id AND both_in_x.group_id = y.group_id)
      GROUP BY 1, 2
    ),
    pairs AS (
      SELECT coalesce(n.a, e.a) AS a, coalesce(n.b, e.b) AS b,
        coalesce(n.similarity, 0) AS similarity, coalesce(e.shared, 0) AS shared
      FROM by_name n FULL JOIN by_events e ON e.a = n.a AND e.b = n.b
    )
    SELECT a AS group_id, b AS other_id,
      round((0.6 * similarity + 0.4 * least(shared, 5) / 5.0)::numeric, 3)::float8 AS score,
      array_remove(ARRAY[
        CASE WHEN similarity > 0 THEN format('names %s%% alike', round(similarity * 100)) END,
        CASE WHEN shared > 0 THEN format('%s events on the same day at the same place', shared) END
      ], NULL) AS reasons
    FROM pairs
    WHERE 0.6 * similarity + 0.4 * least(shared, 5) / 5.0 >= ${minScore}`
}

export interface GroupCandidate {
  readonly groupId: number
  readonly groupName: string
  readonly otherId: number
  readonly otherName: string
  readonly score: number
  readonly reasons: string[]
}

/** The candidates, most likely first: what `attest groups candidates` prints. */
export async function groupCandidates(
  db: Database,
  minScore: number,
  first: number,
): Promise<GroupCandidate[]> {
  const { rows } = await sql<GroupCandidate>`
    SELECT c.group_id AS "groupId", g.name AS "groupName", c.other_id AS "otherId",
      o.name AS "otherName", c.score, c.reasons
    FROM (${groupCandidatesQuery(minScore)}) c
    JOIN armed_group g ON g.id = c.group_id JOIN armed_group o ON o.id = c.other_id
    ORDER BY c.score DESC, c.group_id, c.other_id LIMIT ${first}`.execute(db)
  return rows.map((row) => ({ ...row, groupId: Number(row.groupId), otherId: Number(row.otherId) }))
}
