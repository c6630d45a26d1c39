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
  /** Applies the pending migrations, on a connection of their own (no statement timeout). */
  migrate(): Promise<void>
  close(): Promise<void>
}

/**
 * The pool for DATABASE_URL when configured; otherwise the embedded Postgres under DATA_DIR,
 * started here. Nothing is sent to the database yet: the server starts before it answers.
 * `statementTimeoutMs` applies to the pool, not to the migrations.
 */
export async function connectDatabase(
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
  if (embedded)
    logger.info(
      { database: location, clusterDir: embedded.clusterDir },
      'embedded Postgres is running',
    )
  const db = createDatabase(url, {
    ...(statementTimeoutMs && { statementTimeoutMs }),
    preparedStatements: config.preparedStatements,
    onConnectionError: (error) =>
      logger.warn({ err: error }, 'a pooled database connection failed'),
  })
  return {
    db,
    location,
    embedded: embedded !== undefined,
    async migrate() {
      // A migration may rightly run longer than any request.
      const migrator = createDatabase(url, {
        maxConnections: 1,
        preparedStatements: config.preparedStatements,
      })
      const applied = await migrateToLatest(migrator).finally(() => migrator.destroy())
      logger.info(
        { database: location, applied },
        applied.length ? 'database migrated' : 'database schema is current',
      )
    },
    async close() {
      await db.destroy()
      await embedded?.stop()
    },
  }
}

/**
 * For commands: connects and migrates, so every entry point sees the same tables; fails at once
 * when the database cannot be reached.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<OpenDatabase> {
  const database = await connectDatabase(config, logger)
  try {
    await database.migrate()
  } catch (error) {
    await database.close()
    throw error
  }
  return database
}
