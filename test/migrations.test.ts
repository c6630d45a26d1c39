import { readdir } from 'node:fs/promises'
import { sql } from 'kysely'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { createDatabase } from '../src/db/database.js'
import { migrateToLatest, migrationStatus, readMigrations } from '../src/db/migrator.js'
import { migrationsDir } from '../src/paths.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './support/postgres-server.js'
import { testDb } from './support/test-database.js'

describe('migrations', () => {
  const adminUrl = inject('postgresAdminUrl')
  const name = uniqueDatabaseName('attest_empty')
  let emptyDb: ReturnType<typeof createDatabase> | undefined

  afterAll(async () => {
    await emptyDb?.destroy()
    await dropDatabase(adminUrl, name)
  })

  it('apply in order to an empty database, are recorded in kysely_migration, and apply once', async () => {
    emptyDb = createDatabase(await createEmptyDatabase(adminUrl, name), { maxConnections: 1 })
    const expected = (await readMigrations()).map((file) => file.name)
    expect(expected.length).toBeGreaterThan(0)

    expect(await migrateToLatest(emptyDb)).toEqual(expected)
    const { rows } = await sql<{ name: string }>`
      SELECT name FROM kysely_migration ORDER BY timestamp, name`.execute(emptyDb)
    expect(rows.map((row) => row.name)).toEqual(expected)
    expect(await migrateToLatest(emptyDb)).toEqual([])
    expect(await migrationStatus(emptyDb)).toEqual({ pending: [], unknown: [] })
  })

  it('name files NNNN_name.sql with unique, increasing numbers', async () => {
    const files = (await readdir(migrationsDir)).filter((file) => file.endsWith('.sql')).sort()
    // Branches worked on side by side take numbers from their own ranges (0040 on for the
    // performance work), so the numbers may skip but never repeat.
    files.forEach((file, index) => {
      expect(file).toMatch(/^\d{4}_[a-z0-9_]+\.sql$/)
      expect(Number(file.slice(0, 4))).toBeGreaterThan(Number(files[index - 1]?.slice(0, 4) ?? 0))
    })
  })

  it('index every foreign key by its leading columns', async () => {
    const { rows } = await sql<{ constraint: string }>`
      SELECT c.conname AS constraint
      FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
        AND NOT EXISTS (
          SELECT 1 FROM pg_index i
          WHERE i.indrelid = c.conrelid
            AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
            AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
        )
      ORDER BY 1`.execute(testDb())
    expect(rows.map((row) => row.constraint)).toEqual([])
  })

  it('use only extensions that ship with stock Postgres', async () => {
    const { rows } = await sql<{
      extname: string
    }>`SELECT extname FROM pg_extension ORDER BY 1`.execute(testDb())
    expect(rows.map((row) => row.extname)).toEqual([
      'btree_gist',
      'cube',
      'earthdistance',
      'pg_trgm',
      'plpgsql',
    ])
  })
})
