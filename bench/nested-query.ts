// A deeply nested query (events → actors → group → events → … three lists deep) from 10
// connections for 30 s against the built server, as a hostile client would send it: the
// server must refuse it by its cost before any SQL, keep its memory and keep answering
// /healthz. Meanwhile /healthz is asked every 200 ms and the server's RSS read as often; then
// the same with `{ __typename }`, a control for what the load alone does on this machine.
// Run: npm run bench:nested   (BENCH_SIZES=10000 BENCH_SECONDS=30 BENCH_CONNECTIONS=10)
// Writes its table into bench/RESULTS.md between the nested markers.
import { readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { createDatabase } from '../src/db/database.js'
import { projectRoot } from '../src/paths.js'
import {
  adminUrl,
  benchDatabase,
  connections,
  execFileAsync,
  freePort,
  replaceBetweenMarkers,
  rssMb,
  startAttest,
  stopProcess,
} from './harness.js'

const sizes = (process.env.BENCH_SIZES ?? '10000').split(',').map(Number)
const seconds = Number(process.env.BENCH_SECONDS ?? 30)
const every = 200
const idleSeconds = 5
const targets = { rssMb: 300, healthMs: 100 }
const query =
  '{ events { edges { node { actors { group { events { edges { node { actors { group { events { edges { node { id } } } } } } } } } } } } } }'
// The same load with the least a request can ask: what the machine and the server's request
// handling alone do to /healthz, to read the nested query's figures against.
const queries = { nested: query, control: '{ __typename }' }
const resultsFile = path.join(projectRoot, 'bench', 'RESULTS.md')

interface Row {
  readonly size: number
  readonly query: keyof typeof queries
  readonly statusCodes: Record<string, number>
  readonly requestsPerSecond: number
  readonly p99: number
  readonly failures: number
  readonly idleRssMb: number
  /** /healthz before the load, for comparison. */
  readonly idle: Awaited<ReturnType<ReturnType<typeof watch>>>['health']
  readonly maxRssMb: number
  readonly health: {
    readonly probes: number
    readonly failed: number
    readonly p50: number
    readonly p99: number
    readonly max: number
  }
}

/** autocannon in its own process; its status codes, which the harness's `load` does not keep. */
async function hammer(url: string, body: string) {
  const autocannon = path.join(projectRoot, 'node_modules', 'autocannon', 'autocannon.js')
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      autocannon,
      ...['-c', String(connections), '-d', String(seconds), '-m', 'POST'],
      ...['-H', 'content-type=application/json', '-b', body, '--json', url],
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  )
  const result = JSON.parse(stdout)
  return {
    requestsPerSecond: result.requests.average as number,
    p99: result.latency.p99 as number,
    failures: (result.errors + result.timeouts) as number,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats as Record<string, { count: number }>).map(
        ([code, { count }]) => [code, count],
      ),
    ),
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.max(0, Math.ceil(sorted.length * p) - 1)] ?? 0

/** Asks /healthz and reads the RSS every 200 ms until stopped; a probe may overlap the next. */
function watch(healthUrl: string, pid: number) {
  const latencies: number[] = []
  let failed = 0
  let maxRss = 0
  const probes: Promise<void>[] = []
  const timer = setInterval(() => {
    const started = performance.now()
    probes.push(
      fetch(healthUrl, { signal: AbortSignal.timeout(10_000) })
        .then(async (response) => {
          await response.arrayBuffer()
          if (response.ok) latencies.push(performance.now() - started)
          else failed++
        })
        .catch(() => {
          failed++
        }),
    )
    probes.push(
      rssMb(pid).then((rss) => {
        maxRss = Math.max(maxRss, rss)
      }),
    )
  }, every)
  return async () => {
    clearInterval(timer)
    await Promise.all(probes)
    const sorted = latencies.sort((a, b) => a - b)
    return {
      maxRssMb: maxRss,
      health: {
        probes: latencies.length + failed,
        failed,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        max: sorted.at(-1) ?? 0,
      },
    }
  }
}

async function benchSize(size: number): Promise<Row[]> {
  const { url, db } = await benchDatabase(size)
  await db.destroy()
  const port = await freePort()
  const graphqlUrl = `http://127.0.0.1:${port}/graphql`
  const server = await startAttest(url, port)
  try {
    const pid = server.pid ?? 0
    // Listening is not ready: until its database answers, the server refuses queries with 503.
    for (let attempt = 0; ; attempt++) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.ok,
        () => false,
      )
      if (ready) break
      if (attempt === 300) throw new Error('the server did not become ready')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const answer = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    })
    console.log(`one nested query: HTTP ${answer.status} ${await answer.text()}`)
    if (answer.status !== 400) throw new Error('the nested query was not refused')
    const rows: Row[] = []
    for (const [name, text] of Object.entries(queries) as [keyof typeof queries, string][]) {
      const idleRssMb = await rssMb(pid)
      const stopIdle = watch(`http://127.0.0.1:${port}/healthz`, pid)
      await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000))
      const { health: idle } = await stopIdle()
      const stop = watch(`http://127.0.0.1:${port}/healthz`, pid)
      const run = await hammer(graphqlUrl, JSON.stringify({ query: text }))
      const watched = await stop()
      rows.push({ size, query: name, idleRssMb, idle, ...run, ...watched })
      console.log(JSON.stringify(rows.at(-1)))
    }
    return rows
  } finally {
    await stopProcess(server)
  }
}

console.log('building…')
await execFileAsync('npm', ['run', 'build', '--silent'], { cwd: projectRoot })
const loadBefore = os.loadavg()[0]?.toFixed(1)
const rows: Row[] = []
for (const size of sizes) rows.push(...(await benchSize(size)))
const loadAfter = os.loadavg()[0]?.toFixed(1)

const versionDb = createDatabase(adminUrl, { maxConnections: 1 })
const { rows: version } = await sql<{ version: string }>`SELECT version()`.execute(versionDb)
await versionDb.destroy()
const codes = (row: Row) =>
  Object.entries(row.statusCodes)
    .map(([code, count]) => `${count.toLocaleString('en')} × ${code}`)
    .join(', ')
const ms = ({ p50, p99, max }: Row['health']) =>
  `${[p50, p99, max].map((value) => value.toFixed(1)).join(' / ')} ms`
const lines = rows.map(
  (row) =>
    `| ${row.size.toLocaleString('en')} | ${row.query === 'nested' ? 'the nested query' : `control: \`${queries.control}\``} | ${codes(row)}${row.failures ? `, ${row.failures} failed` : ''} | ${row.requestsPerSecond.toFixed(0)} | ${row.p99} ms | ${row.idleRssMb.toFixed(0)} / ${row.maxRssMb.toFixed(0)} MB | ${row.health.probes}${row.health.failed ? ` (${row.health.failed} failed)` : ''} | ${ms(row.health)} | ${ms(row.idle)} |`,
)
const report = `Measured by \`npm run bench:nested\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: this query (its
default pages of 100) from autocannon in a separate process, ${connections} connections for ${seconds} s, on loopback,

    ${query}

against \`attest serve\` (built, NODE_ENV=production, default limits, no rate limit); meanwhile /healthz asked and the
server's RSS read every ${every} ms (/healthz idle: the ${idleSeconds} s before). The control row is the same load with
\`${queries.control}\`, on the same server after the nested query. Targets: RSS under ${targets.rssMb} MB,
/healthz within ${targets.healthMs} ms. Load average (1 min) before / after: ${loadBefore} / ${loadAfter}.

| events | query | answers | req/s | p99 | server RSS idle / max | /healthz probes | /healthz p50 / p99 / max | /healthz idle: p50 / p99 / max |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}

Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB,
${os.type()} ${os.release()}; Node ${process.version}; ${version[0]?.version.split(' on ')[0]}.`

// The section and its markers, the first time.
const text = await readFile(resultsFile, 'utf8')
if (!text.includes('<!-- nested:start -->'))
  await writeFile(
    resultsFile,
    `${text.trimEnd()}\n\n## A deeply nested query\n\n<!-- nested:start -->\n<!-- nested:end -->\n`,
  )
await replaceBetweenMarkers(resultsFile, report, 'nested')
console.log(report)
const failed = rows.filter(
  (row) =>
    row.query === 'nested' &&
    (row.maxRssMb >= targets.rssMb || row.health.max > targets.healthMs || row.health.failed),
)
if (failed.length) {
  console.error(`over the targets at ${failed.map((row) => row.size).join(', ')} events`)
  process.exitCode = 1
}
