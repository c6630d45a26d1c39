import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Config } from './config.js'
import { createDatabase, type Database } from './db/database.js'
import { type ExportField, type ExportRow, exportEventPages } from './db/event-export.js'
import type { EventFilter } from './db/event-filter.js'
import { countEvents } from './db/event-list.js'
import { hasAnyEvent } from './db/events.js'
import type { MigrationObserver } from './db/migration-progress.js'
import { connectDatabase, type OpenDatabase, openDatabase } from './db/open-database.js'
import { isDatabaseUnavailable } from './db/unavailable.js'
import {
  type DemoSet,
  type DemoSetResult,
  describeDemoLoad,
  loadDemoSet,
} from './demo/demo-sets.js'
import { type ExportFormat, exportFormats } from './export/formats.js'
import { closeHttpServer, startHttpServer, whenSubscriptionsServe } from './http/server.js'
import { finishInterruptedLoad } from './import/bulk-load.js'
import {
  type Dataset,
  type ImportOptions,
  type ImportSummary,
  importFile,
} from './import/run-import.js'
import type { Logger } from './logger.js'
import { retryWithBackoff } from './retry.js'

// The composition root: config → database → server. Only this module wires pieces together.

export interface RunningService {
  readonly url: string
  /** Settles once the database is migrated and serving; rejects when it never can be. */
  readonly ready: Promise<void>
  /** Stops accepting, lets in-flight requests finish (up to the deadline), closes the database. */
  stop(): Promise<void>
}

/**
 * Serves HTTP at once, and prepares the database behind it: while Postgres cannot be reached,
 * /readyz says so, GraphQL answers SERVICE_UNAVAILABLE, and preparing is retried with backoff.
 * Any other failure (a bad password, a failing migration, a database that lacks a migration this
 * release needs) rejects `ready`.
 */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const database = await connectDatabase(config, logger, {
    statementTimeoutMs: config.limits.statementTimeoutMs,
  })
  // The replica is neither migrated nor filled: it follows the primary.
  const readDb =
    config.databaseReadUrl === undefined
      ? undefined
      : createDatabase(config.databaseReadUrl, {
          statementTimeoutMs: config.limits.statementTimeoutMs,
          preparedStatements: config.preparedStatements,
          onConnectionError: (error) =>
            logger.warn({ err: error }, 'a pooled read-replica connection failed'),
        })
  const closeDatabases = async () => {
    await readDb?.destroy()
    await database.close()
  }
  const stopping = new AbortController()
  let isReady = false
  const ready = retryWithBackoff(() => prepareDatabase(database, config, logger), {
    retryable: isDatabaseUnavailable,
    signal: stopping.signal,
    onRetry: (error, delayMs) =>
      logger.warn(
        { database: database.location, reason: (error as Error).message, retryInMs: delayMs },
        'the database cannot be reached yet',
      ),
  }).then(() => {
    isReady = true
    logger.info({ database: database.location }, 'the database is ready')
  })
  ready.catch(() => {}) // the caller handles it; stopping early is no failure to report here
  try {
    const server = await startHttpServer({
      db: database.db,
      ...(readDb && { readDb }),
      logger,
      config,
      isReady: () => isReady,
    })
    const { port } = server.server.address() as AddressInfo
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/`
    logger.info({ url, database: database.location }, 'attest is serving')
    // Ready as /readyz says: the database prepared and subscriptions served.
    const served = ready.then(() => whenSubscriptionsServe(server))
    served.catch(() => {}) // as `ready` above: the caller handles it
    return {
      url,
      ready: served,
      stop: async () => {
        stopping.abort()
        await closeHttpServer(server, config.shutdownTimeoutMs)
        await ready.catch(() => {}) // a migration under way finishes before its pool closes
        await closeDatabases()
      },
    }
  } catch (error) {
    stopping.abort()
    await closeDatabases()
    throw error
  }
}

/**
 * Migrates when MIGRATE_ON_START says so (by default, the embedded Postgres only); otherwise
 * refuses a database that lacks a migration. A new embedded database also gets the demo data
 * (DEMO_DATA; also when an earlier first start died before loading it). A database given by
 * DATABASE_URL is never filled unasked.
 */
async function prepareDatabase(
  database: OpenDatabase,
  config: Config,
  logger: Logger,
): Promise<void> {
  await (config.migrateOnStart ? database.migrate() : database.requireMigrated())
  // An import killed during a first load left indexes to build: built meanwhile, not awaited
  // (readers are served, slowly, until they are there).
  finishInterruptedLoad(database.db, (message) => logger.info(message)).catch((error: unknown) =>
    logger.warn({ err: error }, 'the indexes an interrupted import dropped could not be rebuilt'),
  )
  if (database.embedded && !(await hasAnyEvent(database.db))) {
    const result = await loadDemoSet(database.db, config.demoData)
    logger.info(
      { demoData: config.demoData },
      `${describeDemoLoad(result)} into the new embedded database`,
    )
  }
}

/**
 * Runs until SIGINT or SIGTERM (or until the database can never be prepared), then stops the
 * server and the embedded Postgres.
 */
export async function serve(config: Config, logger: Logger): Promise<void> {
  const service = await startService(config, logger)
  await new Promise<void>((resolve) => {
    const shutdown = (reason: Record<string, unknown>) => {
      logger.info(reason, 'stopping')
      service.stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'error while stopping')
        process.exitCode = 1
        resolve()
      })
    }
    const onSignal = (signal: NodeJS.Signals) => {
      // A second signal while stopping exits at once.
      process.once(signal, () => process.exit(130))
      shutdown({ signal })
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    service.ready.catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'AbortError')) {
        logger.fatal({ err: error }, `the database cannot be prepared: ${(error as Error).message}`)
        process.exitCode = 1
        shutdown({ reason: 'the database cannot be prepared' })
      }
    })
  })
  logger.info('stopped')
}

export async function migrate(
  config: Config,
  logger: Logger,
  migrations?: MigrationObserver,
): Promise<void> {
  const database = await openDatabase(config, logger, migrations)
  try {
    await finishInterruptedLoad(database.db, (message) => logger.info(message))
  } finally {
    await database.close()
  }
}

/**
 * Opens (and migrates, telling `migrations` of each) the database, runs `work` on it, and closes
 * it whatever happens.
 */
export async function withDatabase<T>(
  config: Config,
  logger: Logger,
  work: (db: Database) => Promise<T>,
  migrations?: MigrationObserver,
): Promise<T> {
  const database = await openDatabase(config, logger, migrations)
  try {
    return await work(database.db)
  } finally {
    await database.close()
  }
}

export function loadDemo(
  config: Config,
  logger: Logger,
  set: DemoSet,
  migrations?: MigrationObserver,
): Promise<DemoSetResult> {
  return withDatabase(config, logger, (db) => loadDemoSet(db, set), migrations)
}

export async function importDataset(
  config: Config,
  logger: Logger,
  dataset: Dataset,
  options: ImportOptions,
  migrations?: MigrationObserver,
): Promise<ImportSummary> {
  const database = await openDatabase(config, logger, migrations)
  try {
    return await importFile(database.db, dataset, options)
  } finally {
    await database.close()
  }
}

export interface ExportToOptions {
  readonly fields: readonly ExportField[]
  readonly bom: boolean
  /**
   * Told after each page with the events written and the events the filter matched, counted
   * first (no count when not asked). The count costs a fraction of the export: from the
   * monthly rollup for dates and countries, else one pass over the filter's index.
   */
  readonly onProgress?: (written: number, total: number) => void
  readonly migrations?: MigrationObserver
}

/** Writes every event matching the filter to `output`, a page at a time as it drains. */
export async function exportEventsTo(
  config: Config,
  logger: Logger,
  format: ExportFormat,
  filter: EventFilter,
  options: ExportToOptions,
  output: NodeJS.WritableStream,
): Promise<void> {
  const database = await openDatabase(config, logger, options.migrations)
  try {
    const read = exportEventPages(database.db, filter, {
      fields: options.fields,
      pageSize: config.limits.exportPageRows,
    })
    const onProgress = options.onProgress
    const pages = onProgress
      ? countedPages(read, await countEvents(database.db, filter, 2 ** 31 - 1), onProgress)
      : read
    await pipeline(
      Readable.from(exportFormats[format].chunks(pages, options), { highWaterMark: 1 }),
      output,
    )
  } finally {
    await database.close()
  }
}

/** The pages, telling `onProgress` of each once the writer has taken it. */
async function* countedPages(
  pages: AsyncIterable<ExportRow[]>,
  total: number,
  onProgress: (written: number, total: number) => void,
): AsyncGenerator<ExportRow[]> {
  let written = 0
  for await (const page of pages) {
    yield page
    written += page.length
    // Events added since the count would take the share past the whole.
    onProgress(written, Math.max(total, written))
  }
}
