// The API benchmark: the query shapes of bench/shapes.ts against the real server (built, run
// as `attest serve` in its own process) and against the hand-written-SQL floor
// (bench/baseline-server.ts), loaded by autocannon from a separate process on loopback, at
// each data-set size. Run: npm run bench   (BENCH_SIZES=10000,1000000 BENCH_SECONDS=10)
// Writes the table into bench/RESULTS.md between its bench markers.
import { writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.js'
import { createDatabase, type Database } from '../src/db/database.js'
import { toGlobalId } from '../src/graphql/ids.js'
import { startHttpServer } from '../src/http/server.js'
import { createLogger } from '../src/logger.js'
import { projectRoot } from '../src/paths.js'
import {
  adminUrl,
  benchDatabase,
  connections,
  execFileAsync,
  freePort,
  load,
  post,
  replaceBetweenMarkers,
  seconds,
  seed,
  sizes,
  startAttest,
  startProcess,
  stopProcess,
  warmUp,
} from './harness.js'
import { type Shape, type ShapeVariables, shapes } from './shapes.js'

const only = process.env.BENCH_SHAPES?.split(',')

interface Row {
  readonly size: number
  readonly shape: string
  readonly target: 'attest' | 'sql'
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
  readonly statements: number
  readonly peakRssMb: number
}

/** Variables that make each shape do real work on this data set (the busiest group, …). */
async function variablesFor(
  db: Database,
  graphqlUrl: string,
): Promise<Record<string, ShapeVariables>> {
  // The armed group with the most affiliates (ties: the lower id), and a date they are valid on.
  const { rows } = await sql<{ id: number }>`
    SELECT to_group_id AS id FROM group_relation GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`.execute(
    db,
  )
  const groupId = rows[0]?.id ?? 1
  const deepPage = shapes.find((shape) => shape.name === 'Q6') as Shape
  // Page 200 of 20 starts after 3,980 events: walk there by cursor, 500 at a time.
  let after: string | undefined
  for (let walked = 0; walked < 3980; walked += 500) {
    const first = Math.min(500, 3980 - walked)
    const page = await post(graphqlUrl, {
      query: deepPage.query
        .replace('$after: String!', '$after: String, $first: Int!')
        .replace('first: 20', 'first: $first'),
      variables: { after, first },
    })
    if (page.errors) throw new Error(`walking to page 200: ${JSON.stringify(page.errors)}`)
    after = page.data?.events.pageInfo.endCursor
  }
  if (!after) throw new Error('the deep page has no cursor: too few events')
  const [, sortValue, id] = JSON.parse(
    Buffer.from(after.split('.')[0] ?? '', 'base64url').toString(),
  ) as [string, string, number]
  return {
    Q1: {
      box: { south: 33, west: 36, north: 37, east: 41 },
      from: '2017-01-01',
      to: '2019-12-31',
    },
    Q2: { first: 50 },
    Q3: { id: toGlobalId('ArmedGroup', groupId), asOf: '2012-06-30' },
    Q4: { from: '2017-01-01', to: '2021-12-31' },
    Q5: { text: 'airstrike market' },
    Q6: { after, position: [sortValue, id] },
  }
}

/** SQL statements one request sends: the same server code in-process, counting its queries. */
async function statementsPerRequest(url: string, bodies: Record<string, unknown>) {
  const statements: string[] = []
  const db = createDatabase(url, { onQuery: (text) => statements.push(text) })
  const config = { ...loadConfig({ RATE_LIMIT_REQUESTS: '0' }), host: '127.0.0.1', port: 0 }
  const app = await startHttpServer({ db, logger: createLogger('silent'), config })
  const { port } = app.server.address() as AddressInfo
  const counts: Record<string, number> = {}
  try {
    for (const [shape, body] of Object.entries(bodies)) {
      statements.length = 0
      const result = await post(`http://127.0.0.1:${port}/graphql`, body)
      if (result.errors) throw new Error(`${shape}: ${JSON.stringify(result.errors)}`)
      counts[shape] = statements.length
    }
  } finally {
    await app.close()
    await db.destroy()
  }
  return counts
}

async function benchSize(size: number): Promise<Row[]> {
  const { url, db } = await benchDatabase(size)
  const [attestPort, sqlPort] = [await freePort(), await freePort()]
  const graphqlUrl = `http://127.0.0.1:${attestPort}/graphql`
  const attest = await startAttest(url, attestPort)
  const floor = await startProcess(
    ['--import', 'tsx', 'bench/baseline-server.ts'],
    { DATABASE_URL: url, PORT: String(sqlPort) },
    // Any answer means it listens (a 404 here: asking a shape without its variables would
    // fetch every event).
    `http://127.0.0.1:${sqlPort}/ready`,
  )
  const rows: Row[] = []
  try {
    const variables = await variablesFor(db, graphqlUrl)
    const chosen = shapes.filter((shape) => !only || only.includes(shape.name))
    const graphqlBodies = Object.fromEntries(
      chosen.map((shape) => [shape.name, { query: shape.query, variables: variables[shape.name] }]),
    )
    const statements = await statementsPerRequest(url, graphqlBodies)
    for (const shape of chosen) {
      const targets = [
        {
          target: 'attest' as const,
          url: graphqlUrl,
          body: graphqlBodies[shape.name],
          pid: attest.pid,
        },
        {
          target: 'sql' as const,
          url: `http://127.0.0.1:${sqlPort}/${shape.name}`,
          body: variables[shape.name],
          pid: floor.pid,
        },
      ]
      for (const { target, url: targetUrl, body, pid } of targets) {
        const text = JSON.stringify(body)
        await load(targetUrl, text, warmUp, pid ?? 0)
        const run = await load(targetUrl, text, seconds, pid ?? 0)
        const row = {
          size,
          shape: shape.name,
          target,
          ...run,
          statements: target === 'sql' ? 1 : (statements[shape.name] ?? 0),
        }
        console.log(JSON.stringify(row))
        rows.push(row)
      }
    }
  } finally {
    await stopProcess(attest)
    await stopProcess(floor)
    await db.destroy()
  }
  return rows
}

function table(rows: Row[]): string {
  const find = (size: number, shape: string, target: string) =>
    rows.find((row) => row.size === size && row.shape === shape && row.target === target)
  const lines = rows
    .filter((row) => row.target === 'attest')
    .map((row) => {
      const floor = find(row.size, row.shape, 'sql')
      const small = find(sizes[0] ?? 0, row.shape, 'attest')
      return `| ${row.size.toLocaleString('en')} | ${row.shape} | ${row.requestsPerSecond.toFixed(0)} | ${row.p50} ms | ${row.p99} ms | ${row.errors} | ${row.statements} | ${row.peakRssMb.toFixed(0)} MB | ${floor ? `${floor.requestsPerSecond.toFixed(0)} / ${floor.p50} ms` : '–'} | ${floor ? (row.p50 / Math.max(floor.p50, 1)).toFixed(1) : '–'}× | ${small && row.size !== small.size ? `${(row.p50 / Math.max(small.p50, 1)).toFixed(1)}×` : '–'} |`
    })
  return [
    '| events | shape | req/s | p50 | p99 | errors | SQL / request | server peak RSS | hand-written SQL: req/s / p50 | p50 vs SQL | p50 vs smallest size |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n')
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
const report = `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC:
autocannon in a separate process, ${connections} connections, ${warmUp} s warm-up then ${seconds} s per row, on loopback; the
server is \`attest serve\` (built) in its own process; "hand-written SQL" is bench/baseline-server.ts (node:http + pg,
one statement returning the JSON). Synthetic data: \`attest synth --seed ${seed}\`. SQL / request counted by the same
server code in-process. Load average (1 min) before / after: ${loadBefore} / ${loadAfter}.

${table(rows)}

Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB,
${os.type()} ${os.release()}; Node ${process.version}; ${version[0]?.version.split(' on ')[0]}.`
await replaceBetweenMarkers(path.join(projectRoot, 'bench', 'RESULTS.md'), report)
await writeFile(
  path.join(projectRoot, 'bench', 'results.json'),
  `${JSON.stringify(rows, null, 2)}\n`,
)
console.log(report)
