// PostGraphile v5 (amber preset) beside Attest, on the same database and the same data, with
// the query shapes of `shapes` below, each written as each server needs it and asking for the
// same values (the run checks that both answers hold as many). Amber orders only by indexed
// columns it can use whole, so the lists order by updated_at (then id), which Attest offers as
// UPDATED_DESC. The by-id shapes take the busiest rows of the database (20 ids, or 20 batches
// of 50), the same for both servers, one after another per request, so neither answers one
// cached row.
//
// PostGraphile needs Node 22: install both in a scratch folder outside the repo
//   mkdir -p /tmp/peer && cd /tmp/peer && npm init -y && npm install node@22 postgraphile@5
//   (cd node_modules/node && node installArchSpecificPackage)   # if npm skipped its install script
// and give the folder:  PEER_DIR=/tmp/peer npm run bench:peer
// BENCH_SIZES=10000 measures one size (default 10,000 and 1,000,000; the million's database takes
// ~6 min to synthesize the first time); BENCH_SHAPES='timeline,event page' some shapes;
// BENCH_ROUNDS (3), BENCH_FIRST_WARMUP (15 s), and BENCH_SECONDS (10), BENCH_WARMUP (3),
// BENCH_CONNECTIONS (10) as in bench/harness.ts.
//
// How it measures (bench/RESULTS.md, "Beside PostGraphile", says why): both servers in
// production mode (NODE_ENV, and GRAPHILE_ENV for Grafast), both with pools of 10 Postgres
// connections; per shape, rounds that alternate which server goes first (A P, P A, A P…), each
// load preceded by the same warm-up; the ratio is taken per round and reported as its median
// and spread, beside the CPU each server and its Postgres sessions spend per request (/proc),
// which the machine's other load moves less than req/s, and the CPU the rest of the machine
// used meanwhile (other work on the 2 cores moves both servers' figures). Writes its table into bench/RESULTS.md
// between the peer markers and every round into bench/peer-results.json.
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { createDatabase, type Database } from '../src/db/database.js'
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
  sizes,
  startAttest,
  startProcess,
  stopProcess,
  warmUp,
} from './harness.js'

const peerDir = process.env.PEER_DIR
if (!peerDir) throw new Error('set PEER_DIR (see the top of bench/peer.ts)')
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
// Before its first round of a shape a server warms up this long instead of BENCH_WARMUP: both
// servers take 10–20 s to reach their pace on a new query (bench/RESULTS.md).
const firstWarmUp = Number(process.env.BENCH_FIRST_WARMUP ?? 15)
const servers = ['attest', 'postgraphile'] as const
type Server = (typeof servers)[number]

/** A database id, or a batch of them; a shape's `pick` returns them as its `key` column. */
type Key = number | number[]
interface Query {
  readonly query: string
  readonly variables?: (key: Key) => Record<string, unknown>
}
interface Shape {
  readonly name: string
  /** SQL returning the keys to go round (a column `key`); none: one request, no variables. */
  readonly pick?: string
  readonly attest: Query
  readonly postgraphile: Query
}

const attestId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64url')
const graphileId = (type: string, id: number) =>
  Buffer.from(JSON.stringify([type, String(id)])).toString('base64')
const one = (key: Key) => key as number
const batch = 50
const batchKeys = (key: Key) => key as number[]
const aliases = Array.from({ length: batch }, (_, index) => index)

// Attest leaves superseded figures out unless asked (sql/0051); PostGraphile lists every row of the
// table: Attest's queries ask for them all, so both answer the same values.
const shapes: Shape[] = [
  {
    name: 'timeline',
    attest: {
      query: `{ events(first: 50, orderBy: UPDATED_DESC) { edges { node {
        id title dateStart datePrecision place { name }
        actors { role attribution group { name aliases { alias } } }
        casualtyFigures(includeSuperseded: true) { category population best report { headline source { name } } }
        citations { report { headline url } } } } pageInfo { hasNextPage endCursor } } }`,
    },
    postgraphile: {
      query: `{ allEvents(first: 50, orderBy: [UPDATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes {
        id title dateStart datePrecision placeByPlaceId { name }
        eventActorsByEventId { nodes { role attribution armedGroupByGroupId { name groupAliasesByGroupId { nodes { alias } } } } }
        casualtyFiguresByEventId { nodes { category population best reportByReportId { headline sourceBySourceId { name } } } }
        eventCitationsByEventId { nodes { reportByReportId { headline url } } } } pageInfo { hasNextPage endCursor } } }`,
    },
  },
  {
    name: 'map page',
    attest: {
      query: `{ events(first: 500, orderBy: UPDATED_DESC) { edges { node { id latitude longitude dateStart killedBest } } } }`,
    },
    postgraphile: {
      query: `{ allEvents(first: 500, orderBy: [UPDATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { id latitude longitude dateStart killedBest } } }`,
    },
  },
  {
    // The explorer's event panel: the events with the most casualty figures and actors.
    name: 'event page',
    pick: `SELECT event_id AS key FROM (
        SELECT event_id FROM casualty_figure UNION ALL SELECT event_id FROM event_actor) rows
      GROUP BY event_id ORDER BY count(*) DESC, event_id LIMIT 20`,
    attest: {
      query: `query EventPage($id: ID!) { event(id: $id) {
        id title summary dateStart dateEnd datePrecision locationText latitude longitude
        place { name }
        classifications { isPrimary eventType { scheme code label } }
        actors { role side attribution group { name aliases { alias } } }
        casualtyFigures(includeSuperseded: true) { category population low best high report { headline source { name } } }
        citations { quote report { headline url source { name } } } } }`,
      variables: (key) => ({ id: attestId('Event', one(key)) }),
    },
    postgraphile: {
      query: `query EventPage($id: BigInt!) { eventByRowId(rowId: $id) {
        id title summary dateStart dateEnd datePrecision locationText latitude longitude
        placeByPlaceId { name }
        eventClassificationsByEventId { nodes { isPrimary eventTypeByEventTypeId { scheme code label } } }
        eventActorsByEventId { nodes { role side attribution armedGroupByGroupId { name groupAliasesByGroupId { nodes { alias } } } } }
        casualtyFiguresByEventId { nodes { category population low best high reportByReportId { headline sourceBySourceId { name } } } }
        eventCitationsByEventId { nodes { quote reportByReportId { headline url sourceBySourceId { name } } } } } }`,
      variables: (key) => ({ id: String(one(key)) }),
    },
  },
  {
    // The groups in most events; PostGraphile reaches the events through event_actor, in the
    // order of its index (group_id, event_date_start desc, event_id desc): Attest's order.
    name: 'group page',
    pick: `SELECT group_id AS key FROM event_actor GROUP BY group_id ORDER BY count(*) DESC, group_id LIMIT 20`,
    attest: {
      query: `query GroupPage($id: ID!) { group(id: $id) {
        name aliases { alias } events(first: 50) { edges { node { id title dateStart } } } } }`,
      variables: (key) => ({ id: attestId('ArmedGroup', one(key)) }),
    },
    postgraphile: {
      query: `query GroupPage($id: BigInt!) { armedGroupByRowId(rowId: $id) {
        name groupAliasesByGroupId { nodes { alias } }
        eventActorsByGroupId(first: 50, orderBy: [EVENT_DATE_START_DESC, EVENT_ID_DESC]) {
          nodes { eventByEventId { id title dateStart } } } } }`,
      variables: (key) => ({ id: String(one(key)) }),
    },
  },
  {
    // The sources with most reports. Attest's Source.reports takes no `first` and a Report
    // offers no events, so both servers answer every report of the source (at 10k, 160–620),
    // by publication date as Attest orders them, instead of the issue's "first 50 reports and
    // the events they support". Change both when the schema has them.
    name: 'source page',
    pick: `SELECT source_id AS key FROM report WHERE source_id IS NOT NULL
      GROUP BY source_id ORDER BY count(*) DESC, source_id LIMIT 20`,
    attest: {
      query: `query SourcePage($id: ID!) { source(id: $id) { name reports { headline publishedOn } } }`,
      variables: (key) => ({ id: attestId('Source', one(key)) }),
    },
    postgraphile: {
      query: `query SourcePage($id: BigInt!) { sourceByRowId(rowId: $id) {
        name reportsBySourceId(orderBy: [PUBLISHED_ON_ASC, PRIMARY_KEY_ASC]) { nodes { headline publishedOn } } } }`,
      variables: (key) => ({ id: String(one(key)) }),
    },
  },
  {
    // 20 batches of 50 events spread over the table. PostGraphile has no `nodes`: a client
    // writes 50 aliased `node(id:)` fields, one variable each.
    name: 'nodes batch',
    pick: `SELECT array_agg(id ORDER BY id) AS key FROM (
        SELECT id, (row_number() OVER (ORDER BY hashint8(id), id) - 1) / ${batch} AS n
        FROM event WHERE deleted_at IS NULL ORDER BY hashint8(id), id LIMIT ${20 * batch}) e
      GROUP BY n ORDER BY n`,
    attest: {
      query: `query NodesBatch($ids: [ID!]!) { nodes(ids: $ids) { id ... on Event {
        title dateStart datePrecision place { name }
        actors { role attribution group { name } } casualtyFigures(includeSuperseded: true) { category population best } } } }`,
      variables: (key) => ({ ids: batchKeys(key).map((id) => attestId('Event', id)) }),
    },
    postgraphile: {
      query: `query NodesBatch(${aliases.map((index) => `$id${index}: ID!`).join(', ')}) {
${aliases
  .map(
    (index) => `  n${index}: node(id: $id${index}) { id ... on Event {
    title dateStart datePrecision placeByPlaceId { name }
    eventActorsByEventId { nodes { role attribution armedGroupByGroupId { name } } }
    casualtyFiguresByEventId { nodes { category population best } } } }`,
  )
  .join('\n')}
}`,
      variables: (key) =>
        Object.fromEntries(
          batchKeys(key).map((id, index) => [`id${index}`, graphileId('Event', id)]),
        ),
    },
  },
]
const only = process.env.BENCH_SHAPES?.split(',')
const chosen = shapes.filter((shape) => !only || only.includes(shape.name))

interface PeerRow {
  readonly size: number
  readonly shape: string
  readonly round: number
  readonly server: Server
  readonly requestsPerSecond: number
  readonly requests: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
  readonly peakRssMb: number
  /** CPU time per request of the server process and of its Postgres sessions, in ms. */
  readonly nodeCpuMs: number
  readonly postgresCpuMs: number
  /** CPU the rest of the machine used meanwhile (load generator included), in cores. */
  readonly otherCores: number
  /** Scalar values in the answer to the first body (the same for both servers when they agree). */
  readonly values: number
}

/** User plus system CPU of a process, in ms (Linux clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return 0 // the process ended (a pool closed an idle session)
  }
}

/** Busy CPU time of the whole machine, in ms (/proc/stat: all but idle and iowait). */
function machineCpuMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] =
    readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).map(Number) ?? []
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 10
  )
}

/** CPU of the Postgres sessions of one server: found by database and application_name. */
async function postgresCpuMs(admin: Database, database: string, server: Server) {
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity
    WHERE datname = ${database} AND application_name = ${server}`.execute(admin)
  return rows.reduce((sum, row) => sum + cpuMs(row.pid), 0)
}

function values(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + values(item), 0)
  if (value && typeof value === 'object') return values(Object.values(value))
  return 1
}

const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}
const loadAverage = () => os.loadavg()[0]?.toFixed(1) ?? '?'

const rows: PeerRow[] = []
const loads: string[] = []
const loadBefore = loadAverage()
await execFileAsync('npm', ['run', 'build', '--silent'], { cwd: projectRoot })
const admin = createDatabase(adminUrl, { maxConnections: 1 })
for (const size of sizes) {
  const { url, db } = await benchDatabase(size)
  const database = new URL(url).pathname.slice(1)
  const keys: Record<string, Key[]> = {}
  for (const shape of chosen) {
    if (!shape.pick) continue
    const { rows: picked } = await sql.raw<{ key: string | string[] }>(shape.pick).execute(db)
    keys[shape.name] = picked.map(({ key }) => (Array.isArray(key) ? key.map(Number) : Number(key)))
  }
  await db.destroy()
  const sizeLoadBefore = loadAverage()
  const [attestPort, peerPort] = [await freePort(), await freePort()]
  const attestUrl = `http://127.0.0.1:${attestPort}/graphql`
  const peerUrl = `http://127.0.0.1:${peerPort}/graphql`
  const children = {
    attest: await startAttest(url, attestPort),
    postgraphile: await startProcess(
      [
        path.join(peerDir, 'node_modules/.bin/postgraphile'),
        '-P',
        'postgraphile/presets/amber',
        '-c',
        url,
        '--port',
        String(peerPort),
      ],
      // Grafast reads GRAPHILE_ENV, else NODE_ENV: "development" or "test" there costs it half
      // its throughput (bench/RESULTS.md). Its pool is pg's default, 10, as Attest's.
      { NODE_ENV: 'production', GRAPHILE_ENV: 'production', PGAPPNAME: 'postgraphile' },
      peerUrl,
      { executable: path.join(peerDir, 'node_modules/.bin/node'), cwd: peerDir },
    ),
  }
  const urls = { attest: attestUrl, postgraphile: peerUrl }
  try {
    for (const shape of chosen) {
      const bodies = Object.fromEntries(
        servers.map((server) => {
          const { query, variables } = shape[server]
          const list = keys[shape.name] ?? [undefined]
          return [
            server,
            list.map((key) =>
              JSON.stringify(
                variables && key !== undefined ? { query, variables: variables(key) } : { query },
              ),
            ),
          ]
        }),
      ) as Record<Server, string[]>
      const counted = {} as Record<Server, number>
      for (const server of servers) {
        for (const [index, body] of bodies[server].entries()) {
          const answer = await post(urls[server], JSON.parse(body))
          const root = Object.values(answer.data ?? {})[0]
          if (answer.errors || root == null) {
            throw new Error(`${shape.name}, ${server}: ${JSON.stringify(answer).slice(0, 1000)}`)
          }
          if (index === 0) counted[server] = values(answer.data)
        }
      }
      if (counted.attest !== counted.postgraphile) {
        console.warn(
          `${shape.name}: Attest answers ${counted.attest} values, PostGraphile ${counted.postgraphile}`,
        )
      }
      for (let round = 0; round < rounds; round++) {
        for (const server of round % 2 ? [...servers].reverse() : servers) {
          const pid = children[server].pid ?? 0
          await load(urls[server], bodies[server], round === 0 ? firstWarmUp : warmUp, pid)
          const cpu0 = [cpuMs(pid), await postgresCpuMs(admin, database, server), machineCpuMs()]
          const start = Date.now()
          const run = await load(urls[server], bodies[server], seconds, pid)
          const elapsed = Date.now() - start
          const cpu1 = [cpuMs(pid), await postgresCpuMs(admin, database, server), machineCpuMs()]
          const [node, postgres, machine] = cpu1.map((ms, index) => ms - (cpu0[index] ?? 0))
          const perRequest = (ms = 0) => ms / Math.max(run.requests, 1)
          rows.push({
            size,
            shape: shape.name,
            round,
            server,
            ...run,
            nodeCpuMs: perRequest(node),
            postgresCpuMs: perRequest(postgres),
            otherCores: ((machine ?? 0) - (node ?? 0) - (postgres ?? 0)) / elapsed,
            values: counted[server],
          })
          console.log(JSON.stringify(rows.at(-1)))
        }
      }
    }
  } finally {
    await stopProcess(children.attest)
    await stopProcess(children.postgraphile)
  }
  loads.push(`${size.toLocaleString('en')} events ${sizeLoadBefore} / ${loadAverage()}`)
}
const { rows: version } = await sql<{ version: string }>`SELECT version()`.execute(admin)
await admin.destroy()
const loadAfter = loadAverage()

const range = (list: number[], digits = 0) =>
  `${median(list).toFixed(digits)} (${Math.min(...list).toFixed(digits)}–${Math.max(...list).toFixed(digits)})`
const lines: string[] = []
for (const size of sizes) {
  for (const shape of chosen) {
    const of = (server: Server) =>
      rows
        .filter((row) => row.size === size && row.shape === shape.name && row.server === server)
        .sort((a, b) => a.round - b.round)
    const [attest, peer] = [of('attest'), of('postgraphile')]
    if (attest.length === 0 || peer.length === 0) continue
    const ratios = attest.map(
      (row, index) => row.requestsPerSecond / (peer[index]?.requestsPerSecond ?? 1),
    )
    const cpu = (list: PeerRow[]) => list.map((row) => row.nodeCpuMs + row.postgresCpuMs)
    const cpuText = (list: PeerRow[]) =>
      `${median(list.map((row) => row.nodeCpuMs)).toFixed(1)} + ${median(list.map((row) => row.postgresCpuMs)).toFixed(1)}`
    const cpuRatios = cpu(peer).map((ms, index) => ms / (cpu(attest)[index] ?? 1))
    const errors = [...attest, ...peer].reduce((sum, row) => sum + row.errors, 0)
    lines.push(
      `| ${size.toLocaleString('en')} | ${shape.name} | ${range(attest.map((row) => row.requestsPerSecond))} | ${range(peer.map((row) => row.requestsPerSecond))} | **${range(ratios, 2)}** | ${cpuText(attest)} / ${cpuText(peer)} ms | ${range(cpuRatios, 2)} | ${median(attest.map((row) => row.p50))} / ${median(peer.map((row) => row.p50))} ms | ${errors} | ${range(
        [...attest, ...peer].map((row) => row.otherCores),
        1,
      )} | ${attest[0]?.values} / ${peer[0]?.values} |`,
    )
  }
}
const versionOf = (name: string) =>
  JSON.parse(readFileSync(path.join(peerDir, 'node_modules', name, 'package.json'), 'utf8')).version
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}`
const report = `Measured by \`npm run bench:peer\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC:
${rounds} interleaved rounds per shape (the first server alternates), each server ${warmUp} s warm-up (${firstWarmUp} s before its first round) then ${seconds} s,
${connections} connections, autocannon in its own process; by-id shapes go round 20 ids (or 20 batches).
Both servers in production mode with 10 Postgres connections each. Medians with (min–max) over the rounds;
the ratio is taken per round. CPU is the server's and its Postgres sessions' per request (Node + Postgres);
"rest of the machine" is the CPU everything else used meanwhile (the load generator and this harness included).
Load average (1 min) before / after: ${loadBefore} / ${loadAfter} (${loads.join(', ')}).
Machine: ${machine}; Node ${process.version} (Attest), ${versionOf('node')} (PostGraphile ${versionOf('postgraphile')},
grafast ${versionOf('grafast')}); ${version[0]?.version.split(' on ')[0]}.

| events | shape | Attest req/s | PostGraphile req/s | Attest / PostGraphile | CPU / request: Attest / PostGraphile | CPU ratio (PostGraphile / Attest) | p50: Attest / PostGraphile | errors | rest of the machine (cores) | values / answer |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}`
await replaceBetweenMarkers(path.join(projectRoot, 'bench', 'RESULTS.md'), report, 'peer')
await writeFile(
  path.join(projectRoot, 'bench', 'peer-results.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, loadBefore, loadAfter, rows }, null, 2)}\n`,
)
console.log(report)
