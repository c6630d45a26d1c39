import cliProgress from 'cli-progress'
import type { MigrationObserver } from '../db/migration-progress.js'

/**
 * Where a long piece of work stands: `done` units, and how far along when that is known. Work
 * that counts nothing (one long UPDATE) tells its phase only, and the time it has run.
 */
export interface ProgressStatus {
  readonly done?: number
  /** What `done` counts: rows, events, blocks… */
  readonly unit?: string
  /** The units to do, when known: the share done is done / total. */
  readonly total?: number
  /** The share done when it is not done / total (an import: the bytes of the file read). */
  readonly share?: number
  /** What the work is doing now (a migration's phase); a new phase or unit restarts the rate. */
  readonly phase?: string
}

export interface Progress {
  update(status: ProgressStatus): void
  /** The last word: how much in how long. */
  finish(): void
  /** Ends the bar without a last word: the work failed, and its error says so. */
  abandon(): void
}

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'off'

export interface ProgressOptions {
  /** `off`: nothing (--no-progress); `auto`: a bar at a terminal, plain lines otherwise. */
  readonly mode?: ProgressMode
  readonly stream?: NodeJS.WriteStream
  /** Plain lines: at most one per this many ms (the first update and the finish always print). */
  readonly intervalMs?: number
  readonly now?: () => number
}

/** Plain lines' default cadence: enough for a log to show the work moving, not to flood it. */
const lineIntervalMs = 5000

/**
 * A long command's progress on stderr (stdout is the command's output). At a terminal a bar
 * (cli-progress) with the rate and the time left; otherwise a plain line every few seconds, for
 * logs. The same text in both: the time left is told only when the share done is known.
 */
export function createProgress(label: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr
  const mode =
    options.mode === undefined || options.mode === 'auto'
      ? stream.isTTY
        ? 'bar'
        : 'lines'
      : options.mode
  if (mode === 'off') return { update() {}, finish() {}, abandon() {} }
  const now = options.now ?? Date.now
  const rate = rateOf(now)
  const started = now()
  let last: ProgressStatus | undefined
  const finishLine = () => `${label}: ${describeDone(last, now() - started)}`
  const describe = (status: ProgressStatus) => describeStatus(status, rate(status), now() - started)

  if (mode === 'lines') {
    const interval = options.intervalMs ?? lineIntervalMs
    let printedAt: number | undefined
    return {
      update(status) {
        last = status
        const at = now()
        if (printedAt !== undefined && at - printedAt < interval) return
        printedAt = at
        stream.write(`${label}: ${describe(status)}\n`)
      },
      finish() {
        stream.write(`${finishLine()}\n`)
      },
      abandon() {},
    }
  }

  // The bar is started on the first update: with a share, drawn as a bar; without, text only.
  let bar: cliProgress.SingleBar | undefined
  return {
    update(status) {
      last = status
      const share = shareOf(status)
      const payload = { label, status: describe(status) }
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: share === undefined ? '{label} {status}' : '{label} {bar} {status}',
            barsize: 24,
            // A command that fails exits at once: a hidden cursor would stay hidden.
            hideCursor: false,
            // The final line replaces the bar, so that the terminal keeps one line per command.
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        )
        bar.start(1, share ?? 0, payload)
      } else bar.update(share ?? 0, payload)
    },
    finish() {
      bar?.stop()
      stream.write(`${finishLine()}\n`)
    },
    abandon() {
      bar?.stop()
    },
  }
}

function shareOf({ done, total, share }: ProgressStatus): number | undefined {
  if (share !== undefined) return Math.min(Math.max(share, 0), 1)
  if (done === undefined || total === undefined) return undefined
  return total > 0 ? Math.min(done / total, 1) : 1
}

/**
 * Units per second since the phase (or unit) began: a migration's index build counts blocks,
 * then tuples, and neither rate says anything of the other.
 */
function rateOf(now: () => number) {
  let phase: string | undefined
  let since = { at: now(), done: 0 }
  return ({ done, unit, phase: statusPhase }: ProgressStatus): number | undefined => {
    if (done === undefined) return undefined
    const key = `${unit}\u0000${statusPhase ?? ''}`
    if (key !== phase) {
      // The first sight of a phase other than the first: its rate starts here.
      if (phase !== undefined) since = { at: now(), done }
      phase = key
    }
    const seconds = (now() - since.at) / 1000
    return seconds > 0 ? (done - since.done) / seconds : undefined
  }
}

const count = (value: number) => Math.round(value).toLocaleString('en-US')

/** "1,200 of 5,000 rows (24%), 300 rows/s, about 13 s left", or "running for 12 s". */
export function describeStatus(
  status: ProgressStatus,
  rate: number | undefined,
  elapsedMs: number,
): string {
  const { done, unit = '', total, phase } = status
  const prefix = phase ? `${phase}` : ''
  if (done === undefined) return `${prefix || 'running'} for ${formatSeconds(elapsedMs / 1000)}`
  const share = shareOf(status)
  const parts = [
    `${prefix ? `${prefix}: ` : ''}${count(done)}${total !== undefined ? ` of ${count(total)}` : ''} ${unit}${share !== undefined ? ` (${Math.floor(share * 100)}%)` : ''}`,
  ]
  if (rate !== undefined) parts.push(`${count(rate)} ${unit}/s`)
  const left = timeLeft(done, share, rate)
  if (left !== undefined) parts.push(`about ${formatSeconds(left)} left`)
  return parts.join(', ')
}

/** Seconds left at the current rate; unknown without a share done or a rate. */
function timeLeft(
  done: number,
  share: number | undefined,
  rate: number | undefined,
): number | undefined {
  if (share === undefined || share <= 0 || share >= 1 || !rate || done <= 0) return undefined
  return (done / share - done) / rate
}

/** "done: 5,000 rows in 12 s, 417 rows/s"; "done in 3.2 s" when nothing was counted. */
function describeDone(status: ProgressStatus | undefined, elapsedMs: number): string {
  const seconds = elapsedMs / 1000
  const { done, unit = '' } = status ?? {}
  // A phase's count (an index's blocks) is not the work's: only a count without phases is told.
  if (done === undefined || status?.phase) return `done in ${formatSeconds(seconds)}`
  const rate = seconds > 0 ? `, ${count(done / seconds)} ${unit}/s` : ''
  return `done: ${count(done)} ${unit} in ${formatSeconds(seconds)}${rate}`
}

export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** Each migration under its own label: its progress while it runs, then its name and duration. */
export function migrationProgress(options: ProgressOptions = {}): MigrationObserver {
  const running = new Map<string, Progress>()
  return {
    started: (name) => running.set(name, createProgress(`migration ${name}`, options)),
    progress: (name, progress) => running.get(name)?.update(progress),
    finished(name) {
      running.get(name)?.finish()
      running.delete(name)
    },
    failed(name) {
      running.get(name)?.abandon()
      running.delete(name)
    },
  }
}
