import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import {
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  sql,
} from 'kysely'
import { migrationsDir } from '../paths.js'
import type { Database } from './database.js'

const migrationFileName = /^(\d{4})_[a-z0-9_]+\.sql$/

/**
 * Reads forward-only migrations from sql/NNNN_name.sql. Kysely's Migrator applies each one in
 * its own transaction, in name order, and records it in kysely_migration.
 */
export class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly directory: string = migrationsDir) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.directory)).filter((name) => name.endsWith('.sql')).sort()
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      if (!migrationFileName.test(file)) {
        throw new Error(`migration file ${file} must be named NNNN_lowercase_name.sql`)
      }
      const text = await readFile(path.join(this.directory, file), 'utf8')
      migrations[file.replace(/\.sql$/, '')] = {
        // A raw query with no parameters goes through the simple protocol, which accepts a
        // whole file of statements at once.
        up: async (db) => {
          await sql.raw(text).execute(db)
        },
      }
    }
    return migrations
  }
}

export function createMigrator(db: Database, directory?: string): Migrator {
  return new Migrator({ db, provider: new SqlFileMigrationProvider(directory) })
}

/** Applies every pending migration; throws with the failing migration's name and cause. */
export async function migrateToLatest(db: Database): Promise<string[]> {
  return applied(await createMigrator(db).migrateToLatest())
}

function applied({ error, results = [] }: MigrationResultSet): string[] {
  const failed = results.find((result) => result.status === 'Error')
  if (error) {
    const where = failed ? `migration ${failed.migrationName} failed` : 'migrating failed'
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error })
  }
  return results
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName)
}
