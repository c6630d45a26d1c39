#!/usr/bin/env node
import { createWriteStream } from 'node:fs'
import { Command, InvalidArgumentError } from 'commander'
import { CsvError } from 'csv-parse'
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/api-keys.js'
import { type Config, ConfigError, loadConfig } from '../config.js'
import { exportFields } from '../db/event-export.js'
import { groupCandidates } from '../db/group-candidates.js'
import type { ApiRole } from '../db/schema.js'
import { describeDemoLoad } from '../demo/demo-sets.js'
import {
  ExportArgumentError,
  parseExportFields,
  parseExportFilter,
} from '../export/export-arguments.js'
import { type ExportFormat, exportFormats } from '../export/formats.js'
import { toGlobalId } from '../graphql/ids.js'
import { acled } from '../import/acled.js'
import { type Encoding, EncodingError, encodings } from '../import/file-encoding.js'
import { gtd } from '../import/gtd.js'
import { describeReject, ImportError, type ImportSummary } from '../import/run-import.js'
import { ucdpGed, ucdpReleaseFromFileName } from '../import/ucdp.js'
import { createLogger, type Logger } from '../logger.js'
import { exportEventsTo, importDataset, loadDemo, migrate, serve, withDatabase } from '../main.js'
import { SynthError, synthesize } from '../synth/synth.js'
import { ImportMetricsFile } from './import-metrics.js'
import { createProgress, migrationProgress, type ProgressOptions } from './progress.js'

const apiRoles = ['reader', 'editor', 'admin'] as const

const environment = `
Environment:
  DATABASE_URL  Postgres connection string; unset = an embedded Postgres under DATA_DIR
  DATABASE_READ_URL  a read replica of DATABASE_URL for queries (serve only)
  DATA_DIR      where the embedded Postgres keeps its data (default: .data/ in the project)
  DEMO_DATA     what a new embedded database gets: all (default) or article (its 4 events only)
  HOST, PORT    where to listen (default: 127.0.0.1, 4000)
  LOG_LEVEL     fatal, error, warn, info (default), debug, trace or silent
  LOG_FORMAT    logs (on stderr) as json, or pretty lines; default: pretty at a terminal
  READ_REQUIRES_KEY  true = reading needs an API key too (default: false, anyone may read)
  MIGRATE_ON_START  true = serve applies pending migrations (default: only to the embedded Postgres)
  MAX_DEPTH, MAX_COST, RATE_LIMIT_REQUESTS, …  request limits: see the README's Configuration`

const program = new Command('attest')
  .description('A GraphQL service over a database of political-violence and terrorism events.')
  .addHelpText('after', environment)
  .option(
    '--no-progress',
    'no progress on stderr (by default a bar at a terminal, else a line every 5 s)',
  )
  .showHelpAfterError()

/** How the long commands show their progress: --no-progress silences it. */
function progressOptions(): ProgressOptions {
  return { mode: program.opts<{ progress: boolean }>().progress ? 'auto' : 'off' }
}

/** Each pending migration on stderr, with its progress and duration. */
const migrations = () => migrationProgress(progressOptions())

program
  .command('serve')
  .description(
    'serve the API until Ctrl-C (what `npm start` runs); migrates the embedded Postgres first, and refuses a DATABASE_URL that lacks a migration (run `attest migrate`)',
  )
  .addHelpText('after', environment)
  .action(() => withConfig((config, logger) => serve(config, logger)))

program
  .command('migrate')
  .description(
    'apply the pending migrations in sql/ to the database: once per deploy, before the new release serves',
  )
  .addHelpText('after', environment)
  .action(() => withConfig((config, logger) => migrate(config, logger, migrations())))

program
  .command('demo')
  .description(
    'the demo data: the 3 January 2019 Sidi Bouzid raid and what its article mentions, and 1,848 real UCDP GED events (Central African Republic)',
  )
  .command('load')
  .description('load the demo data into the database; a second load changes nothing')
  .option('--article-only', "only the article's events, not the UCDP events")
  .addHelpText('after', environment)
  .action((options: { articleOnly?: boolean }) =>
    withConfig(async (config, logger) => {
      const result = await loadDemo(
        config,
        logger,
        options.articleOnly ? 'article' : 'all',
        migrations(),
      )
      console.log(describeDemoLoad(result))
    }),
  )

program
  .command('synth')
  .description(
    'fill an empty database with a synthetic data set shaped like UCDP GED (for benchmarks); the same seed gives the same data',
  )
  .requiredOption('--events <n>', 'how many events', parsePositiveInteger)
  .option('--seed <n>', 'the seed of the pseudo-random draws', parseSeed, 1)
  .addHelpText('after', environment)
  .action((options: { events: number; seed: number }) =>
    withConfig(async (config, logger) => {
      const started = Date.now()
      const progress = createProgress('synth', progressOptions())
      const sizes = await withDatabase(
        config,
        logger,
        (db) =>
          synthesize(db, {
            ...options,
            onProgress: (events) =>
              progress.update({ done: events, total: options.events, unit: 'events' }),
          }),
        migrations(),
      )
      progress.finish()
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      console.log(
        `synthesized ${sizes.events} events, ${sizes.groups} groups, ${sizes.persons} persons, ${sizes.reports} reports from ${sizes.sources} sources, ${sizes.places} places in ${seconds} s`,
      )
    }),
  )

/** The exit status of an import that left rows out (bad input is 1, a bad setting 2). */
const importedWithRejects = 3
const importExitStatus = `
Exit status: 0 when every row was imported (or, with --dry-run, would be); ${importedWithRejects} when some
rows were rejected (the others were imported; --rejects lists them); 1 when nothing was
imported (a missing, empty or malformed file, or a bad row with --strict); 2 for a bad setting.`

function parseEncoding(value: string): Encoding {
  if ((encodings as readonly string[]).includes(value)) return value as Encoding
  throw new InvalidArgumentError(`expected ${encodings.join(', ')}`)
}

const importCommand = program
  .command('import')
  .description('import a dataset file; importing it again changes nothing')

const importers = [
  {
    command: 'ucdp',
    dataset: ucdpGed,
    what: 'a UCDP GED CSV download (such as GEDEvent_v23_1.csv)',
    release: ucdpReleaseFromFileName,
  },
  { command: 'acled', dataset: acled, what: 'an ACLED export CSV', release: undefined },
  { command: 'gtd', dataset: gtd, what: 'a Global Terrorism Database CSV', release: undefined },
] as const

for (const importer of importers) {
  importCommand
    .command(importer.command)
    .description(`import ${importer.what}`)
    .argument('<file>', 'the CSV file')
    .option(
      '--release <name>',
      'the release, such as 23.1 (UCDP: read from the file name when not given)',
    )
    .option('--strict', 'refuse the whole file if any row is bad (nothing is written)')
    .option('--rejects <file>', 'write the rejected rows (line, column, reason) to this CSV file')
    .option('--batch-size <rows>', 'rows per transaction', parsePositiveInteger, 1000)
    .option(
      '--metrics-file <file>',
      "keep the progress in this Prometheus text file (node_exporter's textfile collector)",
    )
    .option(
      '--deleted <file>',
      'then soft-delete the events of the ids it lists (withdrawn upstream)',
    )
    .option(
      '--encoding <encoding>',
      'auto (UTF-8, else Windows-1252 with a warning), utf-8 (strictly) or windows-1252',
      parseEncoding,
      'auto',
    )
    .option('--dry-run', 'check every row and write nothing')
    .option(
      '--first-load <when>',
      'auto (when the file brings more events than the database holds), on or off: drop the indexes for the load and build them once at its end',
      parseFirstLoad,
      'auto',
    )
    .addHelpText('after', importExitStatus)
    .addHelpText('after', environment)
    .action((file: string, options: ImportCommandOptions) =>
      withConfig(async (config, logger) => {
        const release = options.release ?? importer.release?.(file)
        if (!release) throw new ImportError(`cannot tell the release of "${file}": give --release`)
        const metrics =
          options.metricsFile &&
          new ImportMetricsFile(options.metricsFile, importer.dataset.name, release)
        const progress = createProgress(`import ${importer.command}`, progressOptions())
        const summary = await importDataset(
          config,
          logger,
          importer.dataset,
          {
            file,
            release,
            strict: options.strict ?? false,
            batchSize: options.batchSize,
            ...(options.rejects && { rejectsFile: options.rejects }),
            ...(options.deleted && { deletedFile: options.deleted }),
            encoding: options.encoding,
            dryRun: options.dryRun ?? false,
            firstLoad: options.firstLoad,
            onStep: (message) => {
              logger.info(message)
              console.error(`attest: ${message}`)
            },
            onWarning: (message) => {
              logger.warn(message)
              console.error(`attest: warning: ${message}`)
            },
            onProgress: (read) => {
              progress.update({
                done: read.rows,
                unit: 'rows',
                share: read.totalBytes > 0 ? read.bytes / read.totalBytes : 1,
              })
              if (metrics) metrics.update(read)
            },
          },
          migrations(),
        )
        progress.finish()
        if (metrics) await metrics.finish(summary)
        printSummary(summary, options.rejects)
        // Not every row is in: a script must not mistake this for a complete import.
        if (summary.rejects.length > 0) process.exitCode = importedWithRejects
      }),
    )
}

interface ImportCommandOptions {
  readonly encoding: Encoding
  readonly firstLoad: 'auto' | boolean
  readonly dryRun?: boolean
  readonly release?: string
  readonly strict?: boolean
  readonly rejects?: string
  readonly batchSize: number
  readonly deleted?: string
  readonly metricsFile?: string
}

function parseFirstLoad(value: string): 'auto' | boolean {
  const choices = { auto: 'auto', on: true, off: false } as const
  if (!(value in choices)) throw new InvalidArgumentError('expected auto, on or off')
  return choices[value as keyof typeof choices]
}

function printSummary(summary: ImportSummary, rejectsFile: string | undefined): void {
  const { rows, inserted, updated, unchanged, rejects, deleted } = summary
  console.log(
    `${rows} rows: ${inserted} new, ${updated} updated, ${unchanged} unchanged, ${rejects.length} rejected`,
  )
  if (summary.dryRun) console.log('a dry run: nothing was written')
  for (const reject of rejects.slice(0, 20)) console.log(`  ${describeReject(reject)}`)
  if (rejects.length > 20)
    console.log(`  … ${rejects.length - 20} more${rejectsFile ? ` in ${rejectsFile}` : ''}`)
  if (deleted)
    console.log(
      `${deleted.deleted} withdrawn events marked deleted; ${deleted.unknown} listed ids never imported`,
    )
}

program
  .command('groups')
  .description('armed groups')
  .command('candidates')
  .description(
    'pairs of groups that may be one recorded twice, most likely first (names alike, shared events); join them with mergeGroups',
  )
  .option('--min-score <score>', 'only pairs scoring at least this, from 0 to 1', parseScore, 0.3)
  .option('--first <n>', 'at most this many pairs', parsePositiveInteger, 20)
  .action((options: { minScore: number; first: number }) =>
    withConfig(async (config, logger) => {
      const candidates = await withDatabase(config, logger, (db) =>
        groupCandidates(db, options.minScore, options.first),
      )
      for (const pair of candidates)
        console.log(
          `${pair.score.toFixed(3)}  ${pair.groupName} (${toGlobalId('ArmedGroup', pair.groupId)})  ~  ${pair.otherName} (${toGlobalId('ArmedGroup', pair.otherId)})  ${pair.reasons.join('; ')}`,
        )
    }),
  )

function parseScore(value: string): number {
  const score = Number(value)
  if (!(score >= 0 && score <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1')
  return score
}

const apikeyCommand = program
  .command('apikey')
  .description('API keys: editors and admins send one as "Authorization: Bearer <key>"')

apikeyCommand
  .command('create')
  .description('create a key and print it once (only its hash is stored)')
  .requiredOption('--name <name>', 'who or what uses the key')
  .requiredOption('--role <role>', 'reader, editor or admin', parseRole)
  .action((options: { name: string; role: ApiRole }) =>
    withConfig(async (config, logger) => {
      const { key, row } = await withDatabase(config, logger, (db) =>
        createApiKey(db, options.name, options.role),
      )
      console.log(key)
      console.error(
        `created ${row.role} key "${row.name}" (prefix ${row.prefix}); it is not shown again`,
      )
    }),
  )

apikeyCommand
  .command('list')
  .description('list the keys: prefix, role, name, created, revoked (never the keys)')
  .action(() =>
    withConfig(async (config, logger) => {
      const keys = await withDatabase(config, logger, listApiKeys)
      for (const key of keys)
        console.log(
          [key.prefix, key.role, key.name, key.createdAt, key.revokedAt ?? 'active'].join('\t'),
        )
    }),
  )

apikeyCommand
  .command('revoke')
  .description('revoke a key by its prefix; it stops working at once')
  .argument('<prefix>', 'the prefix `apikey list` shows')
  .action((prefix: string) =>
    withConfig(async (config, logger) => {
      if (!(await withDatabase(config, logger, (db) => revokeApiKey(db, prefix))))
        throw new InvalidArgumentError(`no active key has the prefix ${prefix}`)
      console.log(`revoked ${prefix}`)
    }),
  )

function parseRole(value: string): ApiRole {
  if (!(apiRoles as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected ${apiRoles.join(', ')}`)
  return value as ApiRole
}

program
  .command('export')
  .description(
    'write the events that match a filter as CSV or GeoJSON, with sources and casualty summaries',
  )
  .requiredOption('--format <format>', 'csv or geojson', parseFormat)
  .option('--filter <json>', 'the API’s EventFilter as JSON, such as \'{"countries":["TUN"]}\'')
  .option(
    '--fields <list>',
    `the columns, comma-separated, in order (default: all): ${exportFields.join(',')}`,
  )
  .option('--no-bom', 'CSV: leave out the UTF-8 byte order mark that tells Excel the encoding')
  .option('--output <file>', 'write to this file instead of standard output')
  .addHelpText('after', environment)
  .action((options: ExportCommandOptions) =>
    withConfig(async (config, logger) => {
      const filter = parseExportFilter(options.filter)
      const fields = parseExportFields(options.fields)
      const output = options.output ? createWriteStream(options.output) : process.stdout
      const progress = createProgress(`export ${options.format}`, progressOptions())
      await exportEventsTo(
        config,
        logger,
        options.format,
        filter,
        {
          fields,
          bom: options.bom,
          // No progress asked, no count: the export starts at once.
          ...(progressOptions().mode !== 'off' && {
            onProgress: (written: number, total: number) =>
              progress.update({ done: written, total, unit: 'events' }),
          }),
          migrations: migrations(),
        },
        output,
      )
      progress.finish()
    }),
  )

interface ExportCommandOptions {
  readonly format: ExportFormat
  readonly filter?: string
  readonly fields?: string
  readonly bom: boolean
  readonly output?: string
}

function parseFormat(value: string): ExportFormat {
  if (!(value in exportFormats))
    throw new InvalidArgumentError(`expected ${Object.keys(exportFormats).join(' or ')}`)
  return value as ExportFormat
}

function parseSeed(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 0)
    throw new InvalidArgumentError('expected a whole number')
  return number
}

function parsePositiveInteger(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError('expected a whole number, 1 or more')
  return number
}

/** Loads the configuration (a bad value exits 2 naming the variable) and runs the command. */
async function withConfig(action: (config: Config, logger: Logger) => Promise<void>) {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`attest: ${error.message}`)
    process.exit(2)
  }
  const logger = createLogger(config.logLevel, config.logFormat)
  try {
    await action(config, logger)
  } catch (error) {
    // Bad input (a wrong or missing file) is the user's to fix: the message says what. Anything
    // else is logged whole, for whoever has to debug it.
    if (!isBadInput(error)) logger.fatal({ err: error }, (error as Error).message)
    console.error(`attest: ${(error as Error).message}`)
    process.exit(1)
  }
}

function isBadInput(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return (
    error instanceof ImportError ||
    error instanceof EncodingError ||
    error instanceof SynthError ||
    error instanceof ExportArgumentError ||
    error instanceof CsvError ||
    error instanceof InvalidArgumentError ||
    code === 'ENOENT' ||
    code === 'EACCES' ||
    code === 'EISDIR'
  )
}

await program.parseAsync()
