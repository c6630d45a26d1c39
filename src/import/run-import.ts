import { createReadStream } from 'node:fs'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { parse } from 'csv-parse'
import { sql, type Transaction } from 'kysely'
import { versionsSetByWriters } from '../db/aggregate-state.js'
import type { Database } from '../db/database.js'
import type { DB } from '../db/schema.js'
import type { ImportedEvent, Reject } from './imported-event.js'
import { writeImportBatch } from './write-batch.js'

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
}

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
  const totalBytes = (await stat(options.file)).size
  let bytes = 0
  const rejects: Reject[] = []

  const run = async (
    transaction: <T>(work: (trx: Transaction<DB>) => Promise<T>) => Promise<T>,
  ) => {
    let datasetReportId: number | undefined
    const write = async (
      events: readonly ImportedEvent[],
      read: { rows: number; bytes: number },
    ) => {
      const result = await transaction(async (trx) => {
        // One import of a dataset writes at a time: two would race to create the same groups.
        // A batch need not wait for its commit to reach the disk: a crash loses at most the last
        // few batches' commits, whole, and running the import again writes them again.
        await sql`SELECT pg_advisory_xact_lock(hashtext(${`attest import ${dataset.name}`})),
          set_config('synchronous_commit', 'off', true)`.execute(trx)
        await versionsSetByWriters(trx)
        // Found or created by the first batch, then reused: it is the same for the whole file.
        datasetReportId ??= await ensureReleaseReport(trx, dataset, options.release)
        return writeImportBatch(
          trx,
          {
            dataset: dataset.name,
            release: options.release,
            actorScheme: dataset.actorScheme,
            datasetReportId,
          },
          events,
        )
      })
      totals.inserted += result.inserted
      totals.updated += result.updated
      totals.unchanged += result.unchanged
      options.onProgress?.({ ...read, elapsedMs: Date.now() - started, totalBytes })
    }

    // The next batch is read and mapped while the database writes this one: the file and the
    // database work side by side. Batches still commit one at a time, in file order.
    let batch: ImportedEvent[] = []
    let writing: Promise<void> = Promise.resolve()
    const flush = async () => {
      if (batch.length === 0) return
      await writing
      writing = write(batch, { rows: totals.rows, bytes })
      // Its failure is raised by the next flush or at the end, not as an unhandled rejection.
      writing.catch(() => {})
      batch = []
    }
    try {
      for await (const { line, record, read } of readCsv(options.file, dataset)) {
        totals.rows += 1
        bytes = read
        const mapped = dataset.map(record, line)
        if ('reason' in mapped) {
          rejects.push(mapped)
          if (options.strict)
            throw new ImportError(
              `line ${mapped.line}, column ${mapped.column}: ${mapped.reason} (--strict: nothing was imported)`,
            )
          continue
        }
        batch.push(mapped)
        if (batch.length >= batchSize) await flush()
      }
      await flush()
    } catch (error) {
      // The batch in flight ends (commits or fails) before the import reports its error.
      await writing.catch(() => {})
      throw error
    }
    await writing
  }

  if (options.strict) {
    await db.transaction().execute((trx) => run((work) => work(trx)))
  } else {
    await run((work) => db.transaction().execute(work))
  }
  if (options.rejectsFile) await writeRejects(options.rejectsFile, rejects)
  const deleted = options.deletedFile ? await markDeleted(db, dataset, options.deletedFile) : null
  return { ...totals, rejects, deleted }
}

async function* readCsv(
  file: string,
  dataset: Dataset,
): AsyncGenerator<{ line: number; record: Record<string, string>; read: number }> {
  const parser = createReadStream(file).pipe(
    parse({
      columns: true,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }),
  )
  let checked = false
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>
    info: { lines: number; bytes: number }
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
    yield { line: info.lines, record, read: info.bytes }
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

async function writeRejects(file: string, rejects: readonly Reject[]): Promise<void> {
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`
  const lines = rejects.map((reject) =>
    [String(reject.line), quote(reject.column), quote(reject.reason)].join(','),
  )
  await writeFile(file, `line,column,reason\n${lines.map((line) => `${line}\n`).join('')}`)
}

/**
 * Soft-deletes the events of rows the dataset has withdrawn: the file lists their ids, one per
 * line (a CSV's first column; a header line is skipped). Each deletion is recorded as a
 * revision; ids never imported are counted, not errors.
 */
export async function markDeleted(
  db: Database,
  dataset: Dataset,
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
    const { rows } = await sql<{ deleted: number; known: number }>`
      WITH known AS (
        SELECT event_id FROM import_record WHERE dataset = ${dataset.name} AND external_id = ANY(${ids}::text[])
      ),
      deleted AS (
        UPDATE event SET deleted_at = now() FROM known
        WHERE event.id = known.event_id AND event.deleted_at IS NULL
        RETURNING event.*
      ),
      revisions AS (
        INSERT INTO revision (operation, entity_type, entity_id, after)
        SELECT 'delete', 'event', deleted.id, to_jsonb(deleted) - 'search_vector' FROM deleted
      )
      SELECT (SELECT count(*)::int FROM deleted) AS deleted, (SELECT count(*)::int FROM known) AS known`.execute(
      trx,
    )
    const { deleted = 0, known = 0 } = rows[0] ?? {}
    return { deleted, unknown: ids.length - known }
  })
}
