import { sql } from 'kysely'
import type { Database } from './database.js'

/**
 * How a migration is getting on, as far as anyone knows: the database's own report (an index
 * build's phase and blocks, a wait for a lock) or the migration's, never a guess. A migration
 * that is one UPDATE tells nothing but that it runs.
 */
export interface MigrationProgress {
  readonly phase?: string
  readonly done?: number
  readonly total?: number
  readonly unit?: string
}

export interface MigrationObserver {
  started(name: string): void
  progress(name: string, progress: MigrationProgress): void
  finished(name: string, elapsedMs: number): void
  failed(name: string): void
}

/**
 * A batched migration tells its progress by a notice in this form, after each batch:
 * `RAISE NOTICE 'attest:progress % of % rows', done, total;` (or without `of %` when it does not
 * know the total). A notice is sent as it is raised, inside the migration's transaction.
 */
const progressNotice = /^attest:progress (\d+)(?: of (\d+))? (\S+)$/

export function progressFromNotice(message: string): MigrationProgress | undefined {
  const match = progressNotice.exec(message)
  if (!match) return undefined
  const [, done, total, unit] = match
  return { done: Number(done), ...(total !== undefined && { total: Number(total) }), unit }
}

interface WatchOptions {
  readonly observer: MigrationObserver
  readonly listenToNotices: (listener: (message: string) => void) => () => void
  readonly monitor?: Database
  readonly pollMs?: number
}

/** Tells the observer of one migration, run by backend `pid`, until it is finished or failed. */
export function watchMigration(name: string, pid: number, options: WatchOptions) {
  const { observer, monitor } = options
  const started = Date.now()
  let stopped = false
  let told: MigrationProgress | undefined
  observer.started(name)
  const stopListening = options.listenToNotices((message) => {
    const progress = progressFromNotice(message)
    if (!progress || stopped) return
    told = progress
    observer.progress(name, progress)
  })
  let polling = false
  const timer =
    monitor &&
    setInterval(() => {
      if (polling) return
      polling = true
      askDatabase(monitor, pid)
        .then((seen) => {
          // What the database sees beyond "running" comes first; otherwise the migration's own word.
          if (!stopped) observer.progress(name, seen ?? told ?? { phase: 'running' })
        })
        // The monitor is a help, not a part of the migration: its failure is no migration's.
        .catch(() => {})
        .finally(() => {
          polling = false
        })
    }, options.pollMs ?? 1000)
  timer?.unref()
  const stop = () => {
    stopped = true
    if (timer) clearInterval(timer)
    stopListening()
  }
  return {
    finished() {
      stop()
      observer.finished(name, Date.now() - started)
    },
    failed() {
      stop()
      observer.failed(name)
    },
  }
}

/** What Postgres reports of the backend: an index build's phase and counts, or a wait for a lock. */
async function askDatabase(monitor: Database, pid: number): Promise<MigrationProgress | undefined> {
  const { rows } = await sql<{
    wait_event_type: string | null
    wait_event: string | null
    phase: string | null
    blocks_done: number | null
    blocks_total: number | null
    tuples_done: number | null
    tuples_total: number | null
    lockers_done: number | null
    lockers_total: number | null
  }>`SELECT a.wait_event_type, a.wait_event, p.phase, p.blocks_done, p.blocks_total,
      p.tuples_done, p.tuples_total, p.lockers_done, p.lockers_total
    FROM pg_stat_activity a LEFT JOIN pg_stat_progress_create_index p ON p.pid = a.pid
    WHERE a.pid = ${pid}`.execute(monitor)
  const row = rows[0]
  if (!row) return undefined
  if (row.phase !== null) {
    const phase = row.phase
    // Each phase counts what it walks through: the table's blocks, then the sorted tuples, or
    // the transactions a concurrent build waits for.
    for (const [done, total, unit] of [
      [row.blocks_done, row.blocks_total, 'blocks'],
      [row.tuples_done, row.tuples_total, 'tuples'],
      [row.lockers_done, row.lockers_total, 'transactions'],
    ] as const)
      if (Number(total) > 0) return { phase, done: Number(done), total: Number(total), unit }
    return { phase }
  }
  if (row.wait_event_type === 'Lock') return { phase: `waiting for a lock (${row.wait_event})` }
  return undefined
}
