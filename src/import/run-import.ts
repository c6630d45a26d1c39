import { createReadStream } from 'node:fs'
import { open, readFile, stat, writeFile } from 'node:fs/promises'
import { type CsvError, parse } from 'csv-parse'
import { sql, type Transaction } from 'kysely'
import { recordRevisions, statesOf, versionsSetByWriters } from '../db/aggregate-state.js'
import { type Database, poolCapacity } from '../db/database.js'
import type { DB } from '../db/schema.js'
import { BatchPipeline, type Transact } from './batch-pipeline.js'
import { hasUnfinishedLoad, isFirstLoad, withIndexesDeferred } from './bulk-load.js'
import { checkEncoding, decodingStream, type Encoding, type FileEncoding } from './file-encoding.js'
import type { ImportedEvent, Reject } from './imported-event.js'
import { type BatchResult, type BatchTarget, writeImportBatch } from './write-batch.js'

/** What distinguishes one dataset's import from another's. */
export interface Dataset {
  /** import_record.dataset. */
  readonly name: string
  /** Shown in messages. */
  readonly label: string
  /** group_external_id.scheme of its actor ids. */
  readonly actorScheme: string
  /** Columns a file must have to be read as this dataset. */
  readonly columns: readonly string[]
  /** The dataset as a source, and the reference of one release: they attest its figures. */
  readonly source: { readonly name: string; readonly url: string }
  releaseCitation(release: string): string
  map(raw: Record<string, string>, line: number): ImportedEvent | Reject
}

export interface ImportOptions {
  readonly file: string
  readonly release: string
  /** Any bad row fails the whole import, and nothing is written. */
  readonly strict?: boolean
  readonly batchSize?: number
  /** Where to write the rejected rows (CSV: line, column, reason). */
  readonly rejectsFile?: string
  readonly onProgress?: (progress: ImportProgress) => void
  /** A file of ids the dataset has withdrawn: their events are soft-deleted (see markDeleted). */
  readonly deletedFile?: string
  /** How the file's bytes are read (file-encoding.ts); `auto` by default. */
  readonly encoding?: Encoding
  /** Check every row and write nothing. */
  readonly dryRun?: boolean
  /** Told what the import did that the user should know (a file converted from Windows-1252). */
  readonly onWarning?: (message: string) => void
  /**
   * Load with the filled tables' secondary indexes dropped and built once at the end
   * (bulk-load.ts): `auto` (the default) when the file brings more events than the database
   * holds, or when an interrupted first load is to be carried on.
   */
  readonly firstLoad?: 'auto' | boolean
  /** Told of the first load's steps (indexes dropped, each index built). */
  readonly onStep?: (message: string) => void
  /** How many batches' events are written at once (batch-pipeline.ts); 2 by default. */
  readonly writers?: number
}

export interface ImportProgress {
  readonly rows: number
  readonly elapsedMs: number
  /** Bytes of the file read so far, and its size: the share done, for an ETA. */
  readonly bytes: number
  readonly totalBytes: number
}

export interface ImportSummary {
  readonly rows: number
  readonly inserted: number
  readonly updated: number
  readonly unchanged: number
  readonly rejects: readonly Reject[]
  /** Events soft-deleted from --deleted, and listed ids that were never imported. */
  readonly deleted: { readonly deleted: number; readonly unknown: number } | null
  /** Checked only (--dry-run): nothing was written. */
  readonly dryRun: boolean
}

/** Rolls a --strict import's transaction back; reported as an ImportError listing the rows. */
class StrictFailure extends Error {}

/** With --strict, how many bad rows are listed before the check stops. */
const strictErrorsListed = 100

/** Bad input that stops the whole import (a wrong file, or any bad row with --strict). */
export class ImportError extends Error {
  override name = 'ImportError'
}

/**
 * Streams a dataset's CSV in batches. Each batch is one transaction (with --strict, the whole
 * file is one): an interrupted import leaves whole batches, and running it again completes the
 * file, skipping rows already imported unchanged.
 */
export async function importFile(
  db: Database,
  dataset: Dataset,
  options: ImportOptions,
): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 1000
  const started = Date.now()
  const totals = { rows: 0, inserted: 0, updated: 0, unchanged: 0 }
  const totalBytes = await checkFile(options.file)
  const encoding = await checkEncoding(options.file, options.encoding ?? 'auto')
  if (encoding.convertedFromLine !== undefined)
    options.onWarning?.(
      `${options.file} is not UTF-8 from line ${encoding.convertedFromLine}: read as Windows-1252 (give --encoding to choose)`,
    )
  let bytes = 0
  const rejects: Reject[] = []
  // Once a row is bad with --strict, nothing more is written: the rest is only checked.
  const writes = () => !options.dryRun && !(options.strict && rejects.length > 0)

  const datasetLock = sql`hashtext(${`attest import ${dataset.name}`})`
  let datasetReportId: number | undefined
  // What every transaction of the import runs first.
  const begin = async (trx: Transaction<DB>): Promise<BatchTarget> => {
    // A batch need not wait for its commit to reach the disk: a crash loses at most the last
    // few batches' commits, whole, and running the import again writes them again.
    await sql`SELECT set_config('synchronous_commit', 'off', true)`.execute(trx)
    await versionsSetByWriters(trx)
    // Found or created by the first batch, then reused: it is the same for the whole file.
    datasetReportId ??= await ensureReleaseReport(trx, dataset, options.release)
    return {
      dataset: dataset.name,
      release: options.release,
      actorScheme: dataset.actorScheme,
      datasetReportId,
    }
  }
  const written = (result: BatchResult) => {
    totals.inserted += result.inserted
    totals.updated += result.updated
    totals.unchanged += result.unchanged
  }

  /** Reads the file and hands its batches to `writer`, which writes them in order. */
  const run = async (writer: BatchWriter) => {
    let batch: ImportedEvent[] = []
    const flush = async () => {
      if (!writes()) batch = []
      if (batch.length === 0) return
      const read = { rows: totals.rows, bytes }
      await writer.add(batch)
      batch = []
      options.onProgress?.({ ...read, elapsedMs: Date.now() - started, totalBytes })
    }
    try {
      const rows = readCsv(options.file, dataset, encoding, (malformed) => {
        totals.rows += 1
        rejects.push(malformed)
      })
      for await (const { line, record, read, raw } of rows) {
        totals.rows += 1
        bytes = read
        const mapped = dataset.map(record, line)
        if ('reason' in mapped) rejects.push({ ...mapped, raw })
        else batch.push(mapped)
        if (options.strict && rejects.length >= strictErrorsListed) break
        if (batch.length >= batchSize) await flush()
      }
      await flush()
      if (totals.rows === 0) throw new ImportError(`${options.file} has a header and no rows`)
    } catch (error) {
      // The batches in flight end (commit or fail) before the import reports its error.
      await writer.settle()
      throw error
    }
    await writer.finish()
  }

  /** Batches overlapping (batch-pipeline.ts), `held` connections of the pool already taken. */
  const overlapping = (held: number) =>
    db.connection().execute(async (connection) => {
      // One import of a dataset writes at a time: two would race to create the same groups and
      // could both take a row for new.
      await sql`SELECT pg_advisory_lock(${datasetLock})`.execute(connection)
      try {
        const free = poolCapacity(db) - held - 1
        const serial: Transact = (work) => connection.transaction().execute(work)
        await run(
          new BatchPipeline({
            serial,
            parallel: free > 0 ? (work) => db.transaction().execute(work) : serial,
            writers: Math.max(1, Math.min(options.writers ?? 2, free)),
            begin,
            written,
          }),
        )
      } finally {
        await sql`SELECT pg_advisory_unlock(${datasetLock})`.execute(connection)
      }
    })

  // With --strict the file is one transaction, rolled back when any row is bad.
  const strictCheck = () => {
    if (rejects.length > 0) throw new StrictFailure()
  }
  try {
    if (options.dryRun) {
      await run(inOneTransaction(() => Promise.reject(new Error('a dry run writes nothing'))))
    } else if (options.strict) {
      await db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${datasetLock})`.execute(trx)
        await run(
          inOneTransaction(async (events) =>
            written(await writeImportBatch(trx, await begin(trx), events)),
          ),
        )
        strictCheck()
      })
    } else if (await loadsFirst(db, options, totalBytes)) {
      // The first load holds a connection of its own (bulk-load.ts).
      await withIndexesDeferred(db, () => overlapping(1), options.onStep)
    } else {
      await overlapping(0)
    }
  } catch (error) {
    if (!(error instanceof StrictFailure)) throw error
  } finally {
    // Rows the CSV reader skipped come in beside the others: in line order for the report.
    rejects.sort((a, b) => a.line - b.line)
    if (options.rejectsFile) await writeRejects(options.rejectsFile, rejects)
  }
  if (options.strict && rejects.length > 0) {
    const listed = rejects.map((reject) => `  ${describeReject(reject)}`).join('\n')
    const more = rejects.length >= strictErrorsListed ? `\n  (the check stopped there)` : ''
    throw new ImportError(
      `${rejects.length} bad rows (--strict: nothing was imported):\n${listed}${more}`,
    )
  }
  const deleted =
    options.deletedFile && !options.dryRun
      ? await markDeleted(db, dataset, options.release, options.deletedFile)
      : null
  return { ...totals, rejects, deleted, dryRun: options.dryRun ?? false }
}

/** Whether this import runs as a first load (bulk-load.ts). */
async function loadsFirst(db: Database, options: ImportOptions, totalBytes: number) {
  const chosen = options.firstLoad ?? 'auto'
  if (chosen !== 'auto') return chosen
  if (await hasUnfinishedLoad(db)) return true
  return isFirstLoad(db, await estimateRows(options.file, totalBytes))
}

/** Rows in the file, from the length of the lines in its first 64 KiB. */
async function estimateRows(file: string, totalBytes: number): Promise<number> {
  const handle = await open(file)
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0)
    let lines = 0
    for (let index = 0; index < bytesRead; index++) if (buffer[index] === 10) lines++
    return lines === 0 ? 1 : Math.round((totalBytes * lines) / bytesRead)
  } finally {
    await handle.close()
  }
}

/** Takes the batches of an import in file order (batch-pipeline.ts, or inOneTransaction). */
type BatchWriter = Pick<BatchPipeline, 'add' | 'finish' | 'settle'>

/** Batches written one after the other, as `write` does them (--strict's single transaction). */
const inOneTransaction = (
  write: (events: readonly ImportedEvent[]) => Promise<void>,
): BatchWriter => ({ add: write, finish: async () => {}, settle: async () => {} })

export const describeReject = (reject: Reject) =>
  `line ${reject.line}${reject.column ? `, column ${reject.column}` : ''}: ${reject.reason}`

/** A path that is not a readable, non-empty file: one clear line, before anything is read. */
async function checkFile(file: string): Promise<number> {
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new ImportError(`${file} does not exist`)
    throw new ImportError(`${file} cannot be read: ${error.message}`)
  })
  if (found.isDirectory()) throw new ImportError(`${file} is a directory, not a CSV file`)
  if (found.size === 0) throw new ImportError(`${file} is empty`)
  return found.size
}

/**
 * The file's rows, decoded as the encoding check chose. A row the CSV itself breaks (a field
 * count other than the header's, a quote never closed: a truncated file) is skipped by the
 * reader and reported through `malformed`, with its line and raw text; the rest go on.
 */
async function* readCsv(
  file: string,
  dataset: Dataset,
  encoding: FileEncoding,
  malformed: (reject: Reject) => void,
): AsyncGenerator<{ line: number; record: Record<string, string>; read: number; raw: string }> {
  const parser = createReadStream(file)
    .pipe(decodingStream(encoding))
    .pipe(
      parse({
        columns: true,
        bom: true,
        info: true,
        raw: true,
        skip_records_with_error: true,
        skip_empty_lines: true,
      }),
    )
  parser.on('skip', (error: CsvError & { lines: number; raw?: string }) =>
    malformed({
      line: error.lines,
      column: '',
      reason: malformedReason(error),
      ...(error.raw && { raw: error.raw.replace(/\r?\n$/, '') }),
    }),
  )
  let checked = false
  for await (const { record, info, raw } of parser as AsyncIterable<{
    record: Record<string, string>
    info: { lines: number; bytes: number }
    raw: string
  }>) {
    if (!checked) {
      const missing = dataset.columns.filter((column) => !(column in record))
      if (missing.length > 0) {
        parser.destroy()
        throw new ImportError(
          `${file} is not a ${dataset.label} CSV file: it lacks the columns ${missing.join(', ')}`,
        )
      }
      checked = true
    }
    // info.lines is the line the record ends on; quoted fields may span lines.
    yield { line: info.lines, record, read: info.bytes, raw: raw.replace(/\r?\n$/, '') }
  }
}

function malformedReason(error: CsvError): string {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `malformed CSV: ${error.message.replace(/ on line \d+$/, '')}`
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'malformed CSV: a quoted field is never closed (is the file cut short?)'
    default:
      return `malformed CSV: ${error.message}`
  }
}

/** The dataset's source and the report for this release, found or created. */
async function ensureReleaseReport(
  trx: Transaction<DB>,
  dataset: Dataset,
  release: string,
): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    WITH source AS (
      INSERT INTO source (name, kind, url) VALUES (${dataset.source.name}, 'dataset', ${dataset.source.url})
      ON CONFLICT (kind, lower(name)) DO UPDATE SET url = excluded.url
      RETURNING id
    ),
    report AS (
      INSERT INTO report (source_id, citation) SELECT id, ${dataset.releaseCitation(release)} FROM source
      ON CONFLICT (citation) WHERE url IS NULL AND citation IS NOT NULL DO UPDATE SET source_id = excluded.source_id
      RETURNING id
    )
    SELECT id FROM report`.execute(trx)
  return Number(rows[0]?.id)
}

/** The rejected rows: line, column and reason, and the row as the file has it. */
async function writeRejects(file: string, rejects: readonly Reject[]): Promise<void> {
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`
  const lines = rejects.map((reject) =>
    [String(reject.line), quote(reject.column), quote(reject.reason), quote(reject.raw ?? '')].join(
      ',',
    ),
  )
  await writeFile(file, `line,column,reason,raw\n${lines.map((line) => `${line}\n`).join('')}`)
}

/**
 * Soft-deletes the events of rows the dataset has withdrawn: the file lists their ids, one per
 * line (a CSV's first column; a header line is skipped). Each deletion steps the event's version
 * and is recorded as the release's revision, in the shape every writer records (the event and
 * its parts before and after); ids never imported are counted, not errors.
 */
export async function markDeleted(
  db: Database,
  dataset: Dataset,
  release: string,
  file: string,
): Promise<{ deleted: number; unknown: number }> {
  const ids = [
    ...new Set(
      (await readFile(file, 'utf8'))
        .split(/\r?\n/)
        .map((line) => (line.split(',')[0] ?? '').trim().replace(/^"|"$/g, ''))
        .filter((id) => id !== '' && !dataset.columns.includes(id as never)),
    ),
  ]
  return db.transaction().execute(async (trx) => {
    await versionsSetByWriters(trx)
    const { rows: known } = await sql<{ event_id: number; live: boolean }>`
      SELECT record.event_id, event.deleted_at IS NULL AS live
      FROM import_record record JOIN event ON event.id = record.event_id
      WHERE record.dataset = ${dataset.name} AND record.external_id = ANY(${ids}::text[])
      ORDER BY record.event_id
      FOR UPDATE OF event`.execute(trx)
    const live = known.filter((row) => row.live).map((row) => Number(row.event_id))
    const before = await statesOf(trx, 'event', live)
    await sql`UPDATE event SET deleted_at = now(), version = version + 1
      WHERE id = ANY(${live}::bigint[])`.execute(trx)
    await recordRevisions(
      trx,
      'delete',
      'event',
      { dataset: dataset.name, release },
      [...before].map(([id, state]) => ({ id, before: state })),
    )
    return { deleted: live.length, unknown: ids.length - known.length }
  })
}
