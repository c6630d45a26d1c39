// The export benchmark: every event of the synthesized database downloaded from the built
// server (`attest serve`, default limits but the rate limit) as CSV, then as GeoJSON, then four
// downloads at once (two of each, EXPORT_CONCURRENCY's default), each read to its end and its
// rows counted; the server's RSS read every 200 ms. Targets: 20,000 events/s, RSS under 300 MB.
// Run: npm run bench:export   (BENCH_SIZES=1000000; BENCH_DATABASE_SUFFIX to use a copy)
// Writes bench/export-results.json and its table into bench/RESULTS.md between the export markers.
import { readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/database.js'
import type { ExportFormat } from '../src/export/formats.js'
import { projectRoot } from '../src/paths.js'
import {
  adminUrl,
  benchDatabase,
  execFileAsync,
  freePort,
  replaceBetweenMarkers,
  rssMb,
  startAttest,
  stopProcess,
} from './harness.js'

const sizes = (process.env.BENCH_SIZES ?? '1000000').split(',').map(Number)
const every = 200
const targets = { eventsPerSecond: 20_000, rssMb: 300 }
const resultsFile = path.join(projectRoot, 'bench', 'RESULTS.md')
const { exportConcurrency, exportPageRows, statementTimeoutMs } = loadConfig({}).limits
const runs: readonly { name: string; formats: readonly ExportFormat[] }[] = [
  { name: 'CSV', formats: ['csv'] },
  { name: 'GeoJSON', formats: ['geojson'] },
  { name: '4 at once', formats: ['csv', 'geojson', 'csv', 'geojson'] },
]
// Lines that are not an event: CSV's header; GeoJSON's opening line and its closing `]}`.
const framingLines: Record<ExportFormat, number> = { csv: 1, geojson: 2 }
const endings: Record<ExportFormat, string> = { csv: '\n', geojson: '\n]}\n' }

interface Download {
  readonly format: ExportFormat
  readonly status: number
  readonly events: number
  readonly megabytes: number
  readonly seconds: number
  readonly complete: boolean
}

/** Reads a whole download, counting its lines (one per event: the synthetic texts hold none). */
async function download(url: string, format: ExportFormat, expected: number): Promise<Download> {
  const started = performance.now()
  const response = await fetch(url)
  let bytes = 0
  let lines = 0
  let tail = ''
  let failed = false
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      bytes += buffer.length
      for (let at = buffer.indexOf(10); at >= 0; at = buffer.indexOf(10, at + 1)) lines++
      tail = (tail + buffer.toString('latin1', Math.max(0, buffer.length - 8))).slice(-8)
    }
  } catch {
    failed = true
  }
  const events = lines - framingLines[format]
  return {
    format,
    status: response.status,
    events,
    megabytes: bytes / 2 ** 20,
    seconds: (performance.now() - started) / 1000,
    complete: response.ok && !failed && events === expected && tail.endsWith(endings[format]),
  }
}

// CPU time of processes on this machine, in ms (Linux /proc; utime + stime in clock ticks of 10 ms).
async function cpuMs(pids: readonly number[]): Promise<Map<number, number>> {
  const times = new Map<number, number>()
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
    // Fields 14 and 15, counted after the command name's closing parenthesis.
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields) times.set(pid, (Number(fields[11]) + Number(fields[12])) * 10)
  }
  return times
}

/** The server's Postgres backends (the pool's sessions), when Postgres runs on this machine. */
async function backendPids(url: string): Promise<number[]> {
  const db = createDatabase(url, { maxConnections: 1 })
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = 'attest' AND pid <> pg_backend_pid()`.execute(
    db,
  )
  await db.destroy()
  return rows.map((row) => row.pid)
}

interface Row {
  readonly size: number
  readonly run: string
  readonly downloads: readonly Download[]
  /** All the downloads' events over the run's wall time. */
  readonly eventsPerSecond: number
  readonly idleRssMb: number
  readonly peakRssMb: number
  /** CPU time per 1,000 events, whatever else the machine runs: the server's, its backends'. */
  readonly serverCpuMsPer1000: number
  readonly postgresCpuMsPer1000: number
}

console.log('building…')
await execFileAsync('npm', ['run', 'build', '--silent'], { cwd: projectRoot })
const loadBefore = os.loadavg()[0]?.toFixed(1)
const rows: Row[] = []
for (const size of sizes) {
  const { url, db } = await benchDatabase(size)
  const { rows: counted } = await sql<{ live: number }>`
    SELECT count(*)::int AS live FROM event WHERE deleted_at IS NULL`.execute(db)
  await db.destroy()
  const expected = counted[0]?.live ?? 0
  const port = await freePort()
  const server = await startAttest(url, port)
  const pid = server.pid as number
  try {
    // Serving starts before the database is prepared; the exports wait for readiness.
    while ((await fetch(`http://127.0.0.1:${port}/readyz`)).status !== 200)
      await new Promise((resolve) => setTimeout(resolve, 100))
    for (const run of runs) {
      const idleRssMb = await rssMb(pid)
      let peakRssMb = idleRssMb
      const sampler = setInterval(async () => {
        peakRssMb = Math.max(peakRssMb, await rssMb(pid))
      }, every)
      // The backends the run uses: the pool's, opened by the runs before (the first run's are
      // opened by it: counted from zero).
      const cpuBefore = await cpuMs([pid, ...(await backendPids(url))])
      const started = performance.now()
      const downloads = await Promise.all(
        run.formats.map((format) =>
          download(`http://127.0.0.1:${port}/export/events.${format}`, format, expected),
        ),
      ).finally(() => clearInterval(sampler))
      const seconds = (performance.now() - started) / 1000
      const events = downloads.reduce((sum, { events }) => sum + events, 0)
      const cpuAfter = await cpuMs([pid, ...(await backendPids(url))])
      const used = (process: number) => (cpuAfter.get(process) ?? 0) - (cpuBefore.get(process) ?? 0)
      const backendsMs = [...cpuAfter.keys()].filter((process) => process !== pid).map(used)
      const row = {
        size,
        run: run.name,
        downloads,
        eventsPerSecond: events / seconds,
        idleRssMb,
        peakRssMb,
        serverCpuMsPer1000: (used(pid) / events) * 1000,
        postgresCpuMsPer1000: (backendsMs.reduce((sum, ms) => sum + ms, 0) / events) * 1000,
      }
      console.log(JSON.stringify(row))
      rows.push(row)
    }
  } finally {
    await stopProcess(server)
  }
}
const loadAfter = os.loadavg()[0]?.toFixed(1)

const versionDb = createDatabase(adminUrl, { maxConnections: 1 })
const { rows: version } = await sql<{ version: string }>`SELECT version()`.execute(versionDb)
await versionDb.destroy()
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; ${version[0]?.version.split(' on ')[0]}`
await writeFile(
  path.join(projectRoot, 'bench', 'export-results.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, loadBefore, loadAfter, targets, rows }, null, 2)}\n`,
)

const eachDownload = (row: Row) =>
  row.downloads
    .map(
      (one) =>
        `${one.format} ${one.complete ? 'complete' : `**incomplete** (HTTP ${one.status}, ${one.events} events)`}, ${one.megabytes.toFixed(0)} MB in ${one.seconds.toFixed(1)} s`,
    )
    .join('; ')
const lines = rows.map(
  (row) =>
    `| ${row.size.toLocaleString('en')} | ${row.run} | ${Math.round(row.eventsPerSecond).toLocaleString('en')} | ${row.serverCpuMsPer1000.toFixed(0)} / ${row.postgresCpuMsPer1000.toFixed(0)} ms | ${row.idleRssMb.toFixed(0)} / ${row.peakRssMb.toFixed(0)} MB | ${eachDownload(row)} |`,
)
const report = `Measured by \`npm run bench:export\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: every event of the
synthesized database downloaded from \`attest serve\` (built, NODE_ENV=production, default limits
but the rate limit: EXPORT_CONCURRENCY ${exportConcurrency}, EXPORT_PAGE_ROWS ${exportPageRows}, STATEMENT_TIMEOUT_MS ${statementTimeoutMs}) by a
client in the benchmark's process on loopback, each download read to its end and its events
counted; the server's RSS read every ${every} ms. Events/s: all the run's events over its wall time.
CPU: the time the server process and its Postgres backends spent per 1,000 events (from /proc),
which other work on the machine does not change; the wall-time rate falls with the machine's load.
Targets: ${targets.eventsPerSecond.toLocaleString('en')} events/s, RSS under ${targets.rssMb} MB.
Load average (1 min) before / after: ${loadBefore} / ${loadAfter}.

| events | run | events/s | CPU per 1,000 events: server / Postgres | server RSS idle / peak | downloads |
| --- | --- | --- | --- | --- | --- |
${lines.join('\n')}

Machine: ${machine}.`

// The section and its markers, the first time.
const text = await readFile(resultsFile, 'utf8')
if (!text.includes('<!-- export:start -->'))
  await writeFile(
    resultsFile,
    `${text.trimEnd()}\n\n## Exports\n\n<!-- export:start -->\n<!-- export:end -->\n`,
  )
await replaceBetweenMarkers(resultsFile, report, 'export')
console.log(report)
const failed = rows.filter(
  (row) =>
    row.eventsPerSecond < targets.eventsPerSecond ||
    row.peakRssMb >= targets.rssMb ||
    row.downloads.some((one) => !one.complete),
)
if (failed.length) {
  console.error(`under the targets: ${failed.map((row) => `${row.size} ${row.run}`).join(', ')}`)
  process.exitCode = 1
}
