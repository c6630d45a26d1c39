import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database } from '../src/db/database.js'
import { statementsPerConnection } from '../src/db/prepared-statements.js'
import type { DB } from '../src/db/schema.js'
import { testDatabaseUrl } from './support/test-database.js'

// One connection, so every statement below runs in the session whose statements it inspects.
let db: Database
beforeAll(() => {
  db = createDatabase(testDatabaseUrl(), { maxConnections: 1 })
})
afterAll(() => db.destroy())

/** The session's prepared statements (this inspection is prepared too: left out). */
async function prepared() {
  const { rows } = await sql<{ statement: string; generic_plans: number; custom_plans: number }>`
    SELECT statement, generic_plans::int, custom_plans::int FROM pg_prepared_statements
    WHERE statement NOT LIKE '%pg_prepared_statements%' ORDER BY prepare_time`.execute(db)
  return rows
}

describe('queries as prepared statements', () => {
  it('prepares a query once per connection and runs it on a generic plan after five runs', async () => {
    for (let run = 0; run < 8; run++) {
      const { rows } = await sql<{ n: number }>`SELECT ${run}::int + 1 AS n`.execute(db)
      expect(rows).toEqual([{ n: run + 1 }])
    }
    const statements = (await prepared()).filter((row) => row.statement.includes('+ 1 AS n'))
    expect(statements).toHaveLength(1)
    expect(statements[0]?.generic_plans).toBeGreaterThan(0)
  })

  it('keeps at most its limit per connection, the least recently used deallocated first', async () => {
    for (let index = 0; index <= statementsPerConnection; index++) {
      await sql`SELECT ${sql.lit(index)} AS distinct_statement`.execute(db)
    }
    // DEALLOCATE runs on the connection ahead of the next query.
    const statements = await prepared()
    expect(statements.length).toBeLessThanOrEqual(statementsPerConnection)
    expect(statements.some((row) => row.statement.includes('SELECT 0 AS distinct_statement'))).toBe(
      false,
    )
    // An evicted query prepares again under a new name.
    const { rows } = await sql<{ distinct_statement: number }>`
      SELECT ${sql.lit(0)} AS distinct_statement`.execute(db)
    expect(rows).toEqual([{ distinct_statement: 0 }])
  })

  it('sends writes, transaction control and scripts of several statements as before', async () => {
    await sql`CREATE TEMPORARY TABLE scratch (n int)`.execute(db)
    await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO scratch VALUES (${1})`.execute(trx)
    })
    await sql.raw('INSERT INTO scratch VALUES (2); INSERT INTO scratch VALUES (3)').execute(db)
    const { rows } = await sql<{ n: number }>`SELECT n FROM scratch ORDER BY n`.execute(db)
    expect(rows.map((row) => row.n)).toEqual([1, 2, 3])
    expect(
      (await prepared()).filter((row) => /^\s*(insert|create|begin|commit)/i.test(row.statement)),
    ).toEqual([])
  })

  it('prepares a query again when a migration changed the table it reads with *', async () => {
    await sql`CREATE TABLE reshaped (id int)`.execute(db)
    try {
      await sql`INSERT INTO reshaped VALUES (1)`.execute(db)
      const read = (on: Kysely<DB> = db) => sql`SELECT * FROM reshaped WHERE id = ${1}`.execute(on)
      expect((await read()).rows).toEqual([{ id: 1 }])
      await sql`ALTER TABLE reshaped ADD COLUMN note text DEFAULT 'added'`.execute(db)
      expect((await read()).rows).toEqual([{ id: 1, note: 'added' }])
      // Inside a transaction the stale statement fails it; the next one runs.
      await sql`ALTER TABLE reshaped ADD COLUMN flag boolean DEFAULT true`.execute(db)
      await expect(db.transaction().execute((trx) => read(trx))).rejects.toThrow(/cached plan/)
      expect((await read()).rows).toEqual([{ id: 1, note: 'added', flag: true }])
    } finally {
      await sql`DROP TABLE reshaped`.execute(db)
    }
  })

  it('prepares nothing when turned off (PREPARED_STATEMENTS=false, for a pooler that drops them)', async () => {
    const unprepared = createDatabase(testDatabaseUrl(), {
      maxConnections: 1,
      preparedStatements: false,
    })
    try {
      await sql`SELECT ${1}::int AS n`.execute(unprepared)
      const { rows } = await sql<{ count: number }>`
        SELECT count(*)::int AS count FROM pg_prepared_statements`.execute(unprepared)
      expect(rows).toEqual([{ count: 0 }])
    } finally {
      await unprepared.destroy()
    }
  })

  it('recovers from a query that fails in an aborted transaction', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`SELECT 1 / ${0}::int`.execute(trx)
      }),
    ).rejects.toThrow(/division by zero/)
    const { rows } = await sql<{ n: number }>`SELECT 1 / ${1}::int AS n`.execute(db)
    expect(rows).toEqual([{ n: 1 }])
  })
})
