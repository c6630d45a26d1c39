import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import { redactUrl } from '../logger.js'
import { createDatabase, type Database } from './database.js'
import { startEmbeddedPostgres } from './embedded-postgres.js'
import { migrateToLatest } from './migrator.js'

export interface OpenDatabase {
  readonly db: Database
  /** Where the database is, password redacted: for logs and messages. */
  readonly location: string
  /** True when this is the embedded Postgres (not DATABASE_URL). */
  readonly embedded: boolean
  close(): Promise<void>
}

/**
 * DATABASE_URL when configured; otherwise the embedded Postgres under DATA_DIR. Migrates it
 * to the latest schema either way, so every entry point sees the same tables.
 * `statementTimeoutMs` applies to the returned pool, not to the migrations.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  { statementTimeoutMs }: { statementTimeoutMs?: number } = {},
): Promise<OpenDatabase> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: config.dataDir,
        log: (message) => logger.info(message),
      })
  const url = config.databaseUrl ?? (embedded?.url as string)
  const location = redactUrl(url)
  const db = createDatabase(url, {
    ...(statementTimeoutMs && { statementTimeoutMs }),
    onConnectionError: (error) =>
      logger.warn({ err: error }, 'a pooled database connection failed'),
  })
  const close = async () => {
    await db.destroy()
    await embedded?.stop()
  }
  try {
    if (embedded)
      logger.info(
        { database: location, clusterDir: embedded.clusterDir },
        'embedded Postgres is running',
      )
    // A migration may rightly run longer than any request: on a connection of its own.
    const migrator = createDatabase(url, { maxConnections: 1 })
    const applied = await migrateToLatest(migrator).finally(() => migrator.destroy())
    logger.info(
      { database: location, applied },
      applied.length ? 'database migrated' : 'database schema is current',
    )
  } catch (error) {
    await close()
    throw error
  }
  return { db, location, embedded: embedded !== undefined, close }
}
