import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { createDatabase, type Database } from '../src/db/database.js'
import type { MigrationObserver, MigrationProgress } from '../src/db/migration-progress.js'
import { migrateToLatest, migrationStatus } from '../src/db/migrator.js'
import { splitStatements } from '../src/db/sql-statements.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './support/postgres-server.js'

// The migrator on migrations of its own (a folder per test) over an empty database each.
const adminUrl = inject('postgresAdminUrl')
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

async function emptyDatabase(): Promise<Database> {
  return (await emptyDatabaseWithUrl()).db
}

async function emptyDatabaseWithUrl(): Promise<{ db: Database; url: string }> {
  const name = uniqueDatabaseName('attest_migrator')
  const url = await createEmptyDatabase(adminUrl, name)
  const db = createDatabase(url, { maxConnections: 2 })
  cleanups.push(
    () => dropDatabase(adminUrl, name),
    () => db.destroy(),
  )
  return { db, url }
}

/** A folder of migration files: name → SQL; written again by each call (files may be added). */
async function migrations(files: Record<string, string>, directory?: string): Promise<string> {
  const folder = directory ?? (await mkdtemp(path.join(os.tmpdir(), 'attest-migrations-')))
  if (!directory) cleanups.push(() => rm(folder, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files))
    await writeFile(path.join(folder, `${name}.sql`), text)
  return folder
}

async function indexValid(db: Database, name: string): Promise<boolean | undefined> {
  const { rows } = await sql<{ valid: boolean }>`
    SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relname = ${name}`.execute(db)
  return rows[0]?.valid
}

const table = {
  '0001_table': 'CREATE TABLE item (id int PRIMARY KEY, code text);',
}

describe('the migrator', () => {
  it('applies what is pending and leaves alone the migrations a newer release applied', async () => {
    const db = await emptyDatabase()
    const folder = await migrations(table)
    expect(await migrateToLatest(db, folder)).toEqual(['0001_table'])
    // A newer release applied 0002 (it has the file, this release does not).
    await migrations({ '0002_newer': 'ALTER TABLE item ADD COLUMN note text;' }, folder)
    expect(await migrateToLatest(db, folder)).toEqual(['0002_newer'])
    await rm(path.join(folder, '0002_newer.sql'))
    await migrations({ '0003_mine': 'CREATE INDEX item_code_idx ON item (code);' }, folder)

    expect(await migrationStatus(db, folder)).toEqual({
      pending: ['0003_mine'],
      unknown: ['0002_newer'],
    })
    expect(await migrateToLatest(db, folder)).toEqual(['0003_mine'])
    expect(await migrateToLatest(db, folder)).toEqual([])
    expect(await migrationStatus(db, folder)).toEqual({ pending: [], unknown: ['0002_newer'] })
  })

  it('runs each file in a transaction of its own: a failing one leaves nothing, those before it stay', async () => {
    const db = await emptyDatabase()
    const folder = await migrations({
      ...table,
      '0002_fails': 'CREATE TABLE half (id int);\nSELECT 1 / 0;',
    })
    await expect(migrateToLatest(db, folder)).rejects.toThrow(
      'migration 0002_fails failed: division by zero',
    )
    expect(await migrationStatus(db, folder)).toEqual({ pending: ['0002_fails'], unknown: [] })
    const { rows } = await sql<{ half: string | null }>`
      SELECT to_regclass('half')::text AS half`.execute(db)
    expect(rows[0]?.half).toBeNull()
  })

  it('applies each file once when several instances migrate at the same time', async () => {
    const db = await emptyDatabase()
    const folder = await migrations({ ...table, '0002_slow': 'SELECT pg_sleep(0.3);' })
    const runs = await Promise.all([1, 2, 3].map(() => migrateToLatest(db, folder)))
    expect(runs.flat().sort()).toEqual(['0001_table', '0002_slow'])
  })

  it('builds an index CONCURRENTLY while another instance waits to migrate', async () => {
    // The build waits for every transaction older than it; an instance that waited for the
    // migration lock inside one would deadlock with it.
    const db = await emptyDatabase()
    const folder = await migrations({
      ...table,
      '0002_index': `-- attest:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS item_code_idx ON item (code);`,
    })
    const runs = await Promise.all([1, 2].map(() => migrateToLatest(db, folder)))
    expect(runs.flat().sort()).toEqual(['0001_table', '0002_index'])
    expect(await indexValid(db, 'item_code_idx')).toBe(true)
  })

  describe('a file marked -- attest:no-transaction', () => {
    const concurrently = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS item_code_idx ON item (code);'

    it('builds an index CONCURRENTLY, which Postgres refuses in a transaction', async () => {
      const unmarked = await emptyDatabase()
      await expect(
        migrateToLatest(unmarked, await migrations({ ...table, '0002_index': concurrently })),
      ).rejects.toThrow(
        /0002_index failed: CREATE INDEX CONCURRENTLY cannot run inside a transaction block/,
      )

      const db = await emptyDatabase()
      const folder = await migrations({
        ...table,
        '0002_index': `-- attest:no-transaction\n-- Two statements; they run one by one.\n${concurrently}\nANALYZE item;\n`,
      })
      expect(await migrateToLatest(db, folder)).toEqual(['0001_table', '0002_index'])
      expect(await indexValid(db, 'item_code_idx')).toBe(true)
    })

    it('drops the INVALID index a failed build left, and builds it again', async () => {
      const db = await emptyDatabase()
      const folder = await migrations(table)
      await migrateToLatest(db, folder)
      await sql`INSERT INTO item VALUES (1, 'a'), (2, 'a')`.execute(db)
      await migrations(
        {
          '0002_unique': `-- attest:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS item_code_key ON item (code);`,
        },
        folder,
      )
      await expect(migrateToLatest(db, folder)).rejects.toThrow(
        /0002_unique failed: could not create unique index/,
      )
      expect(await indexValid(db, 'item_code_key')).toBe(false) // what the failed build leaves

      await sql`UPDATE item SET code = 'b' WHERE id = 2`.execute(db)
      expect(await migrateToLatest(db, folder)).toEqual(['0002_unique'])
      expect(await indexValid(db, 'item_code_key')).toBe(true)
    })
  })
})

/** A promise to await, and the function that settles it. */
function gate() {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { open, opened }
}

/** An observer that keeps what it is told, and waits until it is told something. */
function recordingObserver() {
  const told: [string, string, MigrationProgress?][] = []
  const waiting: (() => void)[] = []
  const keep = (entry: [string, string, MigrationProgress?]) => {
    told.push(entry)
    for (const wake of waiting.splice(0)) wake()
  }
  const observer: MigrationObserver = {
    started: (name) => keep(['started', name]),
    progress: (name, progress) => keep(['progress', name, progress]),
    finished: (name) => keep(['finished', name]),
    failed: (name) => keep(['failed', name]),
  }
  const progressOf = (name: string) =>
    told.flatMap(([what, of, progress]) => (what === 'progress' && of === name ? [progress] : []))
  /** Resolves once a progress of `name` matches. */
  const seen = async (name: string, matches: (progress: MigrationProgress) => boolean) => {
    while (!progressOf(name).some((progress) => progress && matches(progress)))
      await new Promise<void>((wake) => waiting.push(wake))
  }
  return { observer, told, progressOf, seen }
}

describe('a migration watched', () => {
  it('tells its start, the progress a batched migration raises as notices, and its end', async () => {
    const db = await emptyDatabase()
    const folder = await migrations({
      ...table,
      '0002_batched': `DO $$ BEGIN
        FOR batch IN 1..3 LOOP RAISE NOTICE 'attest:progress % of 3 batches', batch; END LOOP;
        RAISE NOTICE 'something else';
      END $$;`,
    })
    const { observer, told, progressOf } = recordingObserver()
    expect(await migrateToLatest(db, folder, { observer })).toEqual(['0001_table', '0002_batched'])
    expect(told.filter(([what]) => what !== 'progress')).toEqual([
      ['started', '0001_table'],
      ['finished', '0001_table'],
      ['started', '0002_batched'],
      ['finished', '0002_batched'],
    ])
    expect(progressOf('0002_batched')).toEqual(
      [1, 2, 3].map((done) => ({ done, total: 3, unit: 'batches' })),
    )
  })

  it('tells, from the database, that a migration waits for a lock', async () => {
    const { db, url } = await emptyDatabaseWithUrl()
    const folder = await migrations(table)
    await migrateToLatest(db, folder)
    await migrations({ '0002_column': 'ALTER TABLE item ADD COLUMN note text;' }, folder)
    const other = createDatabase(url, { maxConnections: 2 })
    cleanups.push(() => other.destroy())
    const { observer, told, seen } = recordingObserver()
    const [locked, released] = [gate(), gate()]
    const holder = other.transaction().execute(async (trx) => {
      await sql`LOCK TABLE item IN ACCESS SHARE MODE`.execute(trx)
      locked.open()
      await released.opened
    })
    await locked.opened
    const migrating = migrateToLatest(db, folder, { observer, monitor: other, pollMs: 20 })
    await seen('0002_column', (progress) => progress.phase === 'waiting for a lock (relation)')
    released.open()
    await holder
    expect(await migrating).toEqual(['0002_column'])
    expect(told.at(-1)).toEqual(['finished', '0002_column'])
  })

  it("tells an index build's phase from pg_stat_progress_create_index", async () => {
    const { db, url } = await emptyDatabaseWithUrl()
    const folder = await migrations(table)
    await migrateToLatest(db, folder)
    await migrations(
      {
        '0002_index': `-- attest:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS item_code_idx ON item (code);`,
      },
      folder,
    )
    const other = createDatabase(url, { maxConnections: 2 })
    cleanups.push(() => other.destroy())
    const { observer, seen } = recordingObserver()
    // A transaction with a snapshot older than the build: the build waits for it to end.
    const [reading, released] = [gate(), gate()]
    const reader = other
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`SELECT count(*) FROM item`.execute(trx)
        reading.open()
        await released.opened
      })
    await reading.opened
    const migrating = migrateToLatest(db, folder, { observer, monitor: other, pollMs: 20 })
    await seen('0002_index', (progress) => progress.phase === 'waiting for old snapshots')
    released.open()
    await reader
    expect(await migrating).toEqual(['0002_index'])
    expect(await indexValid(db, 'item_code_idx')).toBe(true)
  })
})

describe('splitStatements', () => {
  it('splits at semicolons outside quotes, dollar quotes and comments, and drops the comments', () => {
    expect(
      splitStatements(`-- a comment; not a statement
CREATE INDEX CONCURRENTLY a ON t (x); /* block; comment */
SELECT 'it''s; quoted', "odd;name" FROM t;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
`),
    ).toEqual([
      'CREATE INDEX CONCURRENTLY a ON t (x)',
      `SELECT 'it''s; quoted', "odd;name" FROM t`,
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$',
    ])
  })
})
