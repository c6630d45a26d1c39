import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import { redactUrl } from '../logger.js'
import { createDatabase, type Database } from './database.js'
import { startEmbeddedPostgres } from './embedded-postgres.js'
import type { MigrationObserver } from './migration-progress.js'
import { type MigrationStatus, migrateToLatest, migrationStatus } from './migrator.js'

export interface OpenDatabase {
  readonly db: Database
  /** Where the database is, password redacted: for logs and messages. */
  readonly location: string
  /** True when this is the embedded Postgres (not DATABASE_URL). */
  readonly embedded: boolean
  /**
   * Applies the pending migrations, on a connection of their own (no statement timeout); the
   * observer (by default the log) is told of each one.
   */
  migrate(observer?: MigrationObserver): Promise<void>
  /** Throws SchemaBehindError when a migration this release needs is not applied yet. */
  requireMigrated(): Promise<void>
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
    async migrate(observer = loggedMigrations(logger)) {
      // A migration may rightly run longer than any request.
      const migrator = createDatabase(url, {
        maxConnections: 1,
        preparedStatements: config.preparedStatements,
      })
      try {
        // The pool, idle meanwhile, asks the database how each migration is getting on.
        const applied = await migrateToLatest(migrator, undefined, { observer, monitor: db })
        logger.info(
          { database: location, applied },
          applied.length ? 'database migrated' : 'database schema is current',
        )
        warnOfUnknown(await migrationStatus(migrator), logger)
      } finally {
        await migrator.destroy()
      }
    },
    async requireMigrated() {
      const status = await migrationStatus(db)
      if (status.pending.length) throw new SchemaBehindError(status.pending)
      warnOfUnknown(status, logger)
    },
    async close() {
      await db.destroy()
      await embedded?.stop()
    },
  }
}

/** The database lacks migrations this release needs: serving would fail on missing columns. */
export class SchemaBehindError extends Error {
  override name = 'SchemaBehindError'
  constructor(readonly pending: readonly string[]) {
    super(
      `the database lacks ${pending.length} migration(s) this release needs (${pending.join(', ')}): run \`attest migrate\` first, once per deploy (or set MIGRATE_ON_START=true)`,
    )
  }
}

/** Each migration's name and time in the log; long ones say how they are getting on, every 10 s. */
function loggedMigrations(logger: Logger): MigrationObserver {
  const loggedAt = new Map<string, number>()
  return {
    started: (name) => loggedAt.set(name, Date.now()),
    progress(name, progress) {
      const last = loggedAt.get(name) ?? 0
      if (Date.now() - last < 10_000) return
      loggedAt.set(name, Date.now())
      logger.info({ migration: name, ...progress }, 'migration under way')
    },
    finished(name, elapsedMs) {
      loggedAt.delete(name)
      logger.info({ migration: name, elapsedMs }, 'migration applied')
    },
    failed: (name) => loggedAt.delete(name),
  }
}

/** A newer release applied them: this one starts all the same (expand, then contract). */
function warnOfUnknown({ unknown }: MigrationStatus, logger: Logger): void {
  if (unknown.length)
    logger.warn(
      { unknown },
      'the database holds migrations this release does not know (a newer release applied them); starting all the same',
    )
}

/**
 * For commands: connects and migrates, so every entry point sees the same tables; fails at once
 * when the database cannot be reached.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  migrations?: MigrationObserver,
): Promise<OpenDatabase> {
  const database = await connectDatabase(config, logger)
  try {
    await database.migrate(migrations)
  } catch (error) {
    await database.close()
    throw error
  }
  return database
}
