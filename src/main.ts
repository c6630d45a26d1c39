import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Config } from './config.js'
import type { Database } from './db/database.js'
import { exportEvents } from './db/event-export.js'
import type { EventFilter } from './db/event-filter.js'
import { hasAnyEvent } from './db/events.js'
import { openDatabase } from './db/open-database.js'
import { type DemoLoadResult, loadDemoData } from './demo/load-demo.js'
import { type ExportFormat, exportFormats } from './export/formats.js'
import { startHttpServer } from './http/server.js'
import {
  type Dataset,
  type ImportOptions,
  type ImportSummary,
  importFile,
} from './import/run-import.js'
import type { Logger } from './logger.js'

// The composition root: config → database → server. Only this module wires pieces together.

export interface RunningService {
  readonly url: string
  stop(): Promise<void>
}

/** Opens (and migrates) the database, loads the demo into an empty embedded one, serves HTTP. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const database = await openDatabase(config, logger, {
    statementTimeoutMs: config.limits.statementTimeoutMs,
  })
  try {
    // A new embedded database gets the demo data, also when an earlier first start died
    // before loading it; a database given by DATABASE_URL is never filled unasked.
    if (database.embedded && !(await hasAnyEvent(database.db))) {
      const result = await loadDemoData(database.db)
      logger.info(result, 'demo data loaded into the new embedded database')
    }
    const server = await startHttpServer({ db: database.db, logger, config })
    const { port } = server.server.address() as AddressInfo
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/`
    logger.info({ url, database: database.location }, 'attest is serving')
    return {
      url,
      stop: async () => {
        await server.close()
        await database.close()
      },
    }
  } catch (error) {
    await database.close()
    throw error
  }
}

/** Runs until SIGINT or SIGTERM, then stops the server and the embedded Postgres. */
export async function serve(config: Config, logger: Logger): Promise<void> {
  const service = await startService(config, logger)
  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping')
      // A second signal while stopping exits at once.
      process.once(signal, () => process.exit(130))
      service.stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'error while stopping')
        process.exitCode = 1
        resolve()
      })
    }
    process.once('SIGINT', shutdown)
    process.once('SIGTERM', shutdown)
  })
  logger.info('stopped')
}

export async function migrate(config: Config, logger: Logger): Promise<void> {
  const database = await openDatabase(config, logger)
  await database.close()
}

/** Opens (and migrates) the database, runs `work` on it, and closes it whatever happens. */
export async function withDatabase<T>(
  config: Config,
  logger: Logger,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(config, logger)
  try {
    return await work(database.db)
  } finally {
    await database.close()
  }
}

export function loadDemo(config: Config, logger: Logger): Promise<DemoLoadResult> {
  return withDatabase(config, logger, loadDemoData)
}

export async function importDataset(
  config: Config,
  logger: Logger,
  dataset: Dataset,
  options: ImportOptions,
): Promise<ImportSummary> {
  const database = await openDatabase(config, logger)
  try {
    return await importFile(database.db, dataset, options)
  } finally {
    await database.close()
  }
}

/** Writes every event matching the filter to `output` (stdout when undefined). */
export async function exportEventsTo(
  config: Config,
  logger: Logger,
  format: ExportFormat,
  filter: EventFilter,
  output: NodeJS.WritableStream,
): Promise<void> {
  const database = await openDatabase(config, logger)
  try {
    await pipeline(
      Readable.from(exportFormats[format].chunks(exportEvents(database.db, filter))),
      output,
    )
  } finally {
    await database.close()
  }
}
