import { sql } from 'kysely'
import type { Database } from '../db/database.js'

// The bulk path's first-load mode (sql/0059): an import into an empty or near-empty database
// drops the secondary indexes of the tables it fills, writes its batches without maintaining
// them, and builds each index once at the end. Unique indexes and primary keys stay: the import's
// idempotency and every lookup it makes rely on them alone.
//
// The trade, for readers: while a first load runs they see the events committed so far, with
// filters and orders that scan instead of using an index (slow at a million rows). A load that is
// killed leaves its indexes recorded in bulk_load_index; the next import carries on in this mode
// and rebuilds them at its end, and `attest migrate` or the server's start rebuilds them at once.

/** The tables an import fills, whose non-unique indexes a first load drops. */
const filledTables = [
  'event',
  'casualty_figure',
  'event_actor',
  'event_citation',
  'event_classification',
  'import_record',
  'import_record_release',
  'revision',
] as const

/** Held (a session lock) by the connection that runs a load, so no one rebuilds under it. */
const loadLock = sql`hashtext('attest bulk load')`

/**
 * A first load is worth its rebuild when the file brings more events than the database holds:
 * the indexes are then built over at most twice the rows they would have had to absorb anyway.
 */
export async function isFirstLoad(db: Database, expectedRows: number): Promise<boolean> {
  const { rows } = await sql<{ events: number }>`
    SELECT greatest(reltuples, 0)::bigint AS events FROM pg_class WHERE oid = 'event'::regclass`.execute(
    db,
  )
  const stored = Number(rows[0]?.events ?? 0)
  // reltuples is an estimate (-1 before the first ANALYZE): count a small table exactly.
  const events =
    stored < 100_000
      ? Number(
          (await sql<{ n: string }>`SELECT count(*) AS n FROM event`.execute(db)).rows[0]?.n ?? 0,
        )
      : stored
  return expectedRows >= 10_000 && events < expectedRows
}

/** Whether an earlier load's indexes are still to be rebuilt. */
export async function hasUnfinishedLoad(db: Database): Promise<boolean> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM bulk_load_index`.execute(db)
  return Number(rows[0]?.n) > 0
}

/**
 * Runs `load` with the filled tables' secondary indexes dropped (recorded first, in the same
 * transaction), then rebuilds them. The connection that drops and rebuilds holds the load's
 * lock for the whole run.
 */
export async function withIndexesDeferred<T>(
  db: Database,
  load: () => Promise<T>,
  onStep?: (message: string) => void,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${loadLock})`.execute(connection)
    try {
      await connection.transaction().execute(async (trx) => {
        const { rows } = await sql<{ name: string; table: string; definition: string }>`
          INSERT INTO bulk_load_index (name, table_name, definition)
          SELECT index.relname, tab.relname, pg_get_indexdef(x.indexrelid)
          FROM pg_index x
          JOIN pg_class index ON index.oid = x.indexrelid
          JOIN pg_class tab ON tab.oid = x.indrelid
          WHERE tab.relnamespace = 'public'::regnamespace
            AND tab.relname = ANY(${filledTables as unknown as string[]}::text[])
            AND NOT x.indisunique AND NOT x.indisprimary
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
          ON CONFLICT (name) DO NOTHING
          RETURNING name, table_name AS "table", definition`.execute(trx)
        for (const index of rows) await sql`DROP INDEX ${sql.id(index.name)}`.execute(trx)
        if (rows.length > 0)
          onStep?.(`first load: ${rows.length} indexes dropped, to be built once at the end`)
      })
      const result = await load()
      await rebuildIndexes(connection, onStep)
      return result
    } finally {
      await sql`SELECT pg_advisory_unlock(${loadLock})`.execute(connection)
    }
  })
}

/**
 * Rebuilds what an interrupted load left dropped, unless a load is running (it will). Returns
 * how many indexes it built.
 */
export async function finishInterruptedLoad(
  db: Database,
  onStep?: (message: string) => void,
): Promise<number> {
  if (!(await hasUnfinishedLoad(db))) return 0
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ locked: boolean }>`
      SELECT pg_try_advisory_lock(${loadLock}) AS locked`.execute(connection)
    if (!rows[0]?.locked) return 0
    try {
      return await rebuildIndexes(connection, onStep)
    } finally {
      await sql`SELECT pg_advisory_unlock(${loadLock})`.execute(connection)
    }
  })
}

/** Builds each recorded index (skipping one already there) and forgets it; then ANALYZE. */
async function rebuildIndexes(
  connection: Database,
  onStep?: (message: string) => void,
): Promise<number> {
  const { rows } = await sql<{ name: string; table: string; definition: string }>`
    SELECT name, table_name AS "table", definition FROM bulk_load_index ORDER BY table_name, name`.execute(
    connection,
  )
  if (rows.length === 0) return 0
  // Sorting for a btree, or building a GIN index, in memory instead of in temporary files; and
  // no pool's statement timeout (the server's start may be what rebuilds).
  await sql`SET maintenance_work_mem = '256MB'`.execute(connection)
  await sql`SET statement_timeout = 0`.execute(connection)
  try {
    await buildEach(connection, rows, onStep)
  } finally {
    await sql`RESET maintenance_work_mem`.execute(connection)
    await sql`RESET statement_timeout`.execute(connection)
  }
  const tables = [...new Set(rows.map((row) => row.table))]
  await sql`ANALYZE ${sql.join(tables.map((table) => sql.id(table)))}`.execute(connection)
  return rows.length
}

async function buildEach(
  connection: Database,
  rows: readonly { name: string; definition: string }[],
  onStep?: (message: string) => void,
): Promise<void> {
  for (const [index, { name, definition }] of rows.entries()) {
    const started = Date.now()
    await connection.transaction().execute(async (trx) => {
      // An index of that name may be there: built by a run killed before it forgot it.
      const { rows: present } = await sql<{ valid: boolean }>`
        SELECT x.indisvalid AS valid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
        WHERE c.relname = ${name} AND c.relnamespace = 'public'::regnamespace`.execute(trx)
      if (present[0] && !present[0].valid) await sql`DROP INDEX ${sql.id(name)}`.execute(trx)
      if (!present[0]?.valid) await sql.raw(definition).execute(trx)
      await sql`DELETE FROM bulk_load_index WHERE name = ${name}`.execute(trx)
    })
    onStep?.(`index ${index + 1} of ${rows.length} built: ${name} (${Date.now() - started} ms)`)
  }
}
