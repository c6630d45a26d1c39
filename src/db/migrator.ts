import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { sql } from 'kysely'
import { migrationsDir } from '../paths.js'
import { type Database, listenToNotices } from './database.js'
import { type MigrationObserver, watchMigration } from './migration-progress.js'
import { splitStatements } from './sql-statements.js'

// Forward-only migrations from sql/NNNN_name.sql, recorded in kysely_migration as Kysely's
// Migrator records them (earlier releases used it, and still read that table). Not
// Kysely's Migrator itself: it refuses to run beside a migration it does not know (so no
// release could be rolled back to), and it runs every pending file in one transaction (so no
// index could be built CONCURRENTLY).

const migrationFileName = /^(\d{4})_[a-z0-9_]+\.sql$/
/** A file whose first lines hold this comment runs outside a transaction, statement by statement. */
export const outsideTransactionMarker = '-- attest:no-transaction'
const migrationTable = 'kysely_migration'
// The key Kysely's Postgres adapter locks, so that an older release migrating at the same time
// waits too.
const migrationLockKey = 3853314791062309107n

export interface MigrationFile {
  /** The file name without .sql: what kysely_migration records. */
  readonly name: string
  readonly text: string
  readonly outsideTransaction: boolean
}

export async function readMigrations(directory: string = migrationsDir): Promise<MigrationFile[]> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort()
  return Promise.all(
    files.map(async (file) => {
      if (!migrationFileName.test(file))
        throw new Error(`migration file ${file} must be named NNNN_lowercase_name.sql`)
      const text = await readFile(path.join(directory, file), 'utf8')
      return {
        name: file.replace(/\.sql$/, ''),
        text,
        outsideTransaction: runsOutsideTransaction(text),
      }
    }),
  )
}

/** Whether the file's leading comments hold the marker. */
export function runsOutsideTransaction(text: string): boolean {
  const lines = text.split('\n').map((line) => line.trim())
  const end = lines.findIndex((line) => line !== '' && !line.startsWith('--'))
  return lines.slice(0, end === -1 ? undefined : end).includes(outsideTransactionMarker)
}

export interface MigrationStatus {
  /** On disk, not applied yet: this release needs them. */
  readonly pending: string[]
  /** Applied, but not on disk: a newer release applied them (this one predates them). */
  readonly unknown: string[]
}

/** What the database lacks, and holds beyond, the migrations in `directory`. */
export async function migrationStatus(
  db: Database,
  directory: string = migrationsDir,
): Promise<MigrationStatus> {
  const [files, applied] = await Promise.all([readMigrations(directory), appliedMigrations(db)])
  const known = new Set(files.map((file) => file.name))
  return {
    pending: files.map((file) => file.name).filter((name) => !applied.has(name)),
    unknown: [...applied].filter((name) => !known.has(name)).sort(),
  }
}

async function appliedMigrations(db: Database): Promise<Set<string>> {
  const { rows } = await sql<{ exists: boolean }>`
    SELECT to_regclass(${migrationTable}) IS NOT NULL AS exists`.execute(db)
  if (!rows[0]?.exists) return new Set()
  const recorded = await sql<{ name: string }>`
    SELECT name FROM ${sql.table(migrationTable)}`.execute(db)
  return new Set(recorded.rows.map((row) => row.name))
}

/**
 * Applies the pending migrations in name order, each in a transaction of its own (or, when
 * marked, outside any); migrations it does not know are left alone. Holds an advisory lock, so
 * instances migrating at once apply each file once. Returns the names applied; throws naming
 * the migration that failed (those before it stay applied).
 */
export async function migrateToLatest(
  db: Database,
  directory: string = migrationsDir,
  watching: MigrationWatching = {},
): Promise<string[]> {
  const files = await readMigrations(directory)
  return db.connection().execute(async (connection) => {
    await lockMigrations(connection)
    try {
      const watch = watching.observer && (await migrationWatcher(connection, db, watching))
      await sql`
        CREATE TABLE IF NOT EXISTS ${sql.table(migrationTable)} (
          name varchar(255) NOT NULL PRIMARY KEY,
          timestamp varchar(255) NOT NULL
        )`.execute(connection)
      const applied = await appliedMigrations(connection)
      const done: string[] = []
      for (const file of files.filter((file) => !applied.has(file.name))) {
        const watched = watch?.(file.name)
        try {
          await (file.outsideTransaction
            ? applyOutsideTransaction(connection, file)
            : connection.transaction().execute((trx) => applyInTransaction(trx, file)))
          watched?.finished()
        } catch (error) {
          watched?.failed()
          throw new Error(`migration ${file.name} failed: ${(error as Error).message}`, {
            cause: error,
          })
        }
        done.push(file.name)
      }
      return done
    } finally {
      await sql`SELECT pg_advisory_unlock(${sql.lit(migrationLockKey)})`.execute(connection)
    }
  })
}

export interface MigrationWatching {
  /** Told of each migration as it starts, goes on (what the database says of it) and ends. */
  readonly observer?: MigrationObserver
  /**
   * Another connection to the same database, to ask it how a migration is getting on
   * (pg_stat_activity, pg_stat_progress_create_index); without it, only the migrations'
   * own notices are told.
   */
  readonly monitor?: Database
  /** How often the monitor asks (default: every second). */
  readonly pollMs?: number
}

/** Watches each migration run on `connection` (its backend, its notices) for the observer. */
async function migrationWatcher(connection: Database, db: Database, watching: MigrationWatching) {
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(connection)
  const pid = Number(rows[0]?.pid)
  return (name: string) =>
    watchMigration(name, pid, {
      observer: watching.observer as MigrationObserver,
      listenToNotices: (listener) => listenToNotices(db, listener),
      ...(watching.monitor && { monitor: watching.monitor }),
      ...(watching.pollMs && { pollMs: watching.pollMs }),
    })
}

/**
 * Tries the lock until it is free rather than waiting in one statement: a statement that waits
 * holds a snapshot, and CREATE INDEX CONCURRENTLY, run by the holder, waits for every snapshot
 * older than its own (a deadlock).
 */
async function lockMigrations(connection: Database): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ locked: boolean }>`
      SELECT pg_try_advisory_lock(${sql.lit(migrationLockKey)}) AS locked`.execute(connection)
    if (rows[0]?.locked) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function applyInTransaction(trx: Database, file: MigrationFile): Promise<void> {
  // A raw query with no parameters goes through the simple protocol, which accepts a whole
  // file of statements at once.
  await sql.raw(file.text).execute(trx)
  await record(trx, file.name)
}

/**
 * For CREATE INDEX CONCURRENTLY, which Postgres refuses inside a transaction (a file sent as
 * one query is one). A build that failed leaves its index behind, INVALID: `IF NOT EXISTS`
 * would keep it, so such a leftover of this file's indexes is dropped before the file runs
 * again. The statements must bear running twice (IF NOT EXISTS, IF EXISTS).
 */
async function applyOutsideTransaction(db: Database, file: MigrationFile): Promise<void> {
  const statements = splitStatements(file.text)
  const indexes = statements.flatMap((statement) => concurrentIndexName(statement) ?? [])
  if (indexes.length) {
    const { rows } = await sql<{ name: string }>`
      SELECT c.relname AS name
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE NOT i.indisvalid AND c.relnamespace = to_regnamespace(current_schema())
        AND c.relname = ANY(${indexes})`.execute(db)
    for (const { name } of rows)
      await sql`DROP INDEX CONCURRENTLY IF EXISTS ${sql.id(name)}`.execute(db)
  }
  for (const statement of statements) await sql.raw(statement).execute(db)
  await record(db, file.name)
}

const concurrentIndex =
  /^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?("?)([A-Za-z_][A-Za-z0-9_$]*)\1/i

function concurrentIndexName(statement: string): string | undefined {
  return concurrentIndex.exec(statement)?.[2]
}

async function record(db: Database, name: string): Promise<void> {
  await sql`
    INSERT INTO ${sql.table(migrationTable)} (name, timestamp)
    VALUES (${name}, ${new Date().toISOString()})`.execute(db)
}
