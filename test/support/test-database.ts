import { inject } from 'vitest'
import { createDatabase, type Database } from '../../src/db/database.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './postgres-server.js'

interface TestDatabase {
  readonly name: string
  readonly url: string
  readonly db: Database
}

// One per test file: vitest isolates each file's modules, so this is per-file state.
let current: TestDatabase | undefined

export async function openTestDatabase(): Promise<void> {
  const name = uniqueDatabaseName('attest_test')
  const url = await createEmptyDatabase(
    inject('postgresAdminUrl'),
    name,
    inject('templateDatabase'),
  )
  current = { name, url, db: createDatabase(url, { maxConnections: 4 }) }
}

export async function closeTestDatabase(): Promise<void> {
  if (!current) return
  const { name, db } = current
  current = undefined
  await db.destroy()
  await dropDatabase(inject('postgresAdminUrl'), name)
}

function opened(): TestDatabase {
  if (!current) throw new Error('the test database is opened in beforeAll (test/setup-database.ts)')
  return current
}

/** This test file's own migrated database. */
export function testDb(): Database {
  return opened().db
}

/** Connection string of this test file's database (for a server or CLI under test). */
export function testDatabaseUrl(): string {
  return opened().url
}
