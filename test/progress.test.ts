import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createProgress, type ProgressOptions } from '../src/cli/progress.js'
import { readMigrations } from '../src/db/migrator.js'
import { loadDemoData } from '../src/demo/load-demo.js'
import { ucdpSampleFile } from '../src/paths.js'
import { runCli, runCliAtTerminal } from './support/cli.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './support/postgres-server.js'
import { testDatabaseUrl, testDb } from './support/test-database.js'

// Long commands show their progress on stderr: a bar at a terminal, plain lines otherwise; the
// command's output (stdout) stays clean.

/** A progress in plain lines over a clock the test moves; what it wrote, line by line. */
function linesProgress(options: ProgressOptions = {}) {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text += chunk
  })
  let clock = 0
  const progress = createProgress('work', {
    mode: 'lines',
    stream: stream as unknown as NodeJS.WriteStream,
    now: () => clock,
    ...options,
  })
  return {
    progress,
    at: (ms: number) => {
      clock = ms
    },
    lines: () => text.split('\n').filter(Boolean),
  }
}

describe('progress in plain lines (stderr is not a terminal)', () => {
  it('writes the first update, then one every 5 s, then how much in how long', () => {
    const { progress, at, lines } = linesProgress()
    at(1000)
    progress.update({ done: 100, total: 1000, unit: 'rows' })
    at(3000)
    progress.update({ done: 300, total: 1000, unit: 'rows' }) // under 5 s since the last line
    at(6000)
    progress.update({ done: 600, total: 1000, unit: 'rows' })
    at(10_000)
    progress.finish()
    expect(lines()).toEqual([
      'work: 100 of 1,000 rows (10%), 100 rows/s, about 9.0 s left',
      'work: 600 of 1,000 rows (60%), 100 rows/s, about 4.0 s left',
      'work: done: 600 rows in 10 s, 60 rows/s',
    ])
  })

  it('tells no time left without a share done, and the phase of work that counts nothing', () => {
    const { progress, at, lines } = linesProgress({ intervalMs: 0 })
    at(2000)
    progress.update({ done: 500, unit: 'events' })
    progress.update({ phase: 'waiting for a lock (relation)' })
    at(2500)
    progress.finish()
    expect(lines()).toEqual([
      'work: 500 events, 250 events/s',
      'work: waiting for a lock (relation) for 2.0 s',
      'work: done in 2.5 s',
    ])
  })

  it('restarts the rate with each phase: an index build counts blocks, then tuples', () => {
    const { progress, at, lines } = linesProgress({ intervalMs: 0 })
    at(4000)
    progress.update({ phase: 'building index', done: 400, total: 400, unit: 'blocks' })
    at(5000)
    progress.update({ phase: 'sorting', done: 0, total: 1000, unit: 'tuples' })
    at(7000)
    progress.update({ phase: 'sorting', done: 500, total: 1000, unit: 'tuples' })
    expect(lines().at(-1)).toBe(
      'work: sorting: 500 of 1,000 tuples (50%), 250 tuples/s, about 2.0 s left',
    )
  })

  it('writes nothing when off (--no-progress)', () => {
    const { progress, lines } = linesProgress({ mode: 'off' })
    progress.update({ done: 1, unit: 'rows' })
    progress.finish()
    expect(lines()).toEqual([])
  })
})

describe('the commands show their progress on stderr', () => {
  const adminUrl = inject('postgresAdminUrl')
  const scratch: string[] = []
  let dir = ''
  beforeAll(async () => {
    await loadDemoData(testDb())
    dir = await mkdtemp(path.join(os.tmpdir(), 'attest-progress-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
    for (const name of scratch) await dropDatabase(adminUrl, name)
  })
  const env = () => ({ DATABASE_URL: testDatabaseUrl() })

  it('export: a line per 5 s and a last one on stderr; stdout is the data alone', async () => {
    const { code, stdout, stderr } = await runCli(['export', '--format', 'csv'], env())
    expect(code, stderr).toBe(0)
    const rows = parse(stdout, { columns: true, bom: true }) as unknown[]
    expect(rows).toHaveLength(4)
    expect(stdout).not.toContain('events/s')
    expect(stderr).toMatch(/^export csv: 4 of 4 events \(100%\), [\d,]+ events\/s$/m)
    expect(stderr).toMatch(/^export csv: done: 4 events in [\d.]+ m?s, [\d,]+ events\/s$/m)
  })

  it('--no-progress (before or after the command) leaves stderr to errors and logs', async () => {
    for (const args of [
      ['--no-progress', 'export', '--format', 'geojson'],
      ['export', '--format', 'geojson', '--no-progress'],
    ]) {
      const { code, stdout, stderr } = await runCli(args, env())
      expect(code, stderr).toBe(0)
      expect(JSON.parse(stdout).features).toHaveLength(4)
      expect(stderr).toBe('')
    }
  })

  it('import: rows, share of the file, rate; then how many in how long', async () => {
    const records = parse(await readFile(ucdpSampleFile, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[]
    const file = path.join(dir, 'ged-30.csv')
    await writeFile(file, stringify(records.slice(0, 30), { header: true }))
    const { code, stdout, stderr } = await runCli(
      ['import', 'ucdp', file, '--release', 'progress', '--batch-size', '10'],
      env(),
    )
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/^30 rows: 30 new/)
    expect(stderr).toMatch(/^import ucdp: 10 rows \(\d+%\), [\d,]+ rows\/s, about .+ left$/m)
    expect(stderr).toMatch(/^import ucdp: done: 30 rows in [\d.]+ m?s, [\d,]+ rows\/s$/m)
  })

  it('synth: events of the asked number, then how many in how long', async () => {
    const name = uniqueDatabaseName('attest_progress_synth')
    scratch.push(name)
    const url = await createEmptyDatabase(adminUrl, name, inject('templateDatabase'))
    const { code, stderr } = await runCli(['synth', '--events', '50'], { DATABASE_URL: url })
    expect(code, stderr).toBe(0)
    expect(stderr).toMatch(/^synth: [\d,]+ of 50 events \(\d+%\), [\d,]+ events\/s/m)
    expect(stderr).toMatch(/^synth: done: 50 events in [\d.]+ m?s/m)
  })

  it('migrate: each migration applied, by name, with its duration; none when current', async () => {
    const name = uniqueDatabaseName('attest_progress_migrate')
    scratch.push(name)
    const url = await createEmptyDatabase(adminUrl, name)
    const first = await runCli(['migrate'], { DATABASE_URL: url })
    expect(first.code, first.stderr).toBe(0)
    const told = [...first.stderr.matchAll(/^migration (\S+): done in [\d.]+ m?s$/gm)]
    expect(told.map((match) => match[1])).toEqual(
      (await readMigrations()).map((migration) => migration.name),
    )
    const again = await runCli(['migrate'], { DATABASE_URL: url })
    expect(again).toMatchObject({ code: 0, stderr: '' })
  })

  it('at a terminal: a bar with the rate, then the last line', async () => {
    const { code, output } = await runCliAtTerminal(
      ['export', '--format', 'csv', '--output', path.join(dir, 'out.csv')],
      env(),
    )
    expect(code, output).toBe(0)
    // The import above added events: all of them, whatever their number.
    expect(output).toMatch(/export csv \u2588+ (\d+) of \1 events \(100%\), [\d,]+ events\/s/)
    expect(output).toMatch(/export csv: done: \d+ events in/)
  })
})
