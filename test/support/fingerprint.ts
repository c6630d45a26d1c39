import { sql } from 'kysely'
import type { Database } from '../../src/db/database.js'

/**
 * A digest of every row of every table: equal before and after a request exactly when the
 * request changed nothing.
 */
export async function databaseFingerprint(db: Database): Promise<string> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables
    WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%' ORDER BY tablename`.execute(db)
  const digests = tables.map(
    ({ name }) =>
      sql`SELECT ${name} || ':' || coalesce(md5(string_agg(row::text, '|' ORDER BY row::text)), '')
        FROM ${sql.table(name)} row`,
  )
  const { rows } = await sql<{ digest: string }>`
    SELECT string_agg(digest, ',' ORDER BY digest) AS digest FROM (${sql.join(digests, sql` UNION ALL `)}) AS t (digest)`.execute(
    db,
  )
  return rows[0]?.digest ?? ''
}
