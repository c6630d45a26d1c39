// npm run bench:subscriptions: two `attest serve` instances over one database, N subscribers
// (graphql-ws's client, one connection each, spread over both) with different filters, and a
// writer in a third process creating events at a steady rate. Measures commit-to-client latency,
// events missed or repeated per subscriber (against the database afterwards), and each
// instance's RSS and CPU, and Postgres's CPU; BENCH_RUNS rounds after a warm-up. Results:
// bench/RESULTS.md, "Subscriptions", and bench/subscriptions-results.json.
import { execFile, fork } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { projectRoot } from '../src/paths.js'
import {
  execFileAsync,
  freePort,
  migratedDatabase,
  replaceBetweenMarkers,
  rssMb,
  startAttest,
  stopProcess,
} from './harness.js'
import type { ClientReport, ClientSpec } from './subscriptions-clients.js'

const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1000)
const rate = Number(process.env.BENCH_RATE ?? 1000)
const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const perTransaction = Number(process.env.BENCH_PER_TRANSACTION ?? 50)
const warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 5)
const runs = Number(process.env.BENCH_RUNS ?? 3)
const clientProcessCount = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2)
const countryCount = 30
const thresholds = 7 // killed_best is 0…6: minKilled 0…6

const cpuMs = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

console.log('building…')
await execFileAsync('npm', ['run', 'build', '--silent'], { cwd: projectRoot })
const { url, db } = await migratedDatabase('attest_bench_subscriptions')
// Countries to filter by (made once); the events of earlier runs stay and are not counted.
const codes = Array.from(
  { length: countryCount },
  (_, n) => `B${String.fromCharCode(65 + Math.floor(n / 26))}${String.fromCharCode(65 + (n % 26))}`,
)
for (const code of codes)
  await sql`INSERT INTO place (level, name, iso_alpha3) SELECT 'country', ${`Bench ${code}`}, ${code}
    WHERE NOT EXISTS (SELECT 1 FROM place WHERE iso_alpha3 = ${code})`.execute(db)
const { rows: countries } = await sql<{ id: number; iso_alpha3: string }>`
  SELECT id, iso_alpha3 FROM place WHERE iso_alpha3 = ANY(${codes}) ORDER BY iso_alpha3`.execute(db)
const ports = [await freePort(), await freePort()]
const servers = await Promise.all(
  ports.map((port) =>
    startAttest(url, port, {
      SUBSCRIPTIONS_PER_KEY: String(subscribers),
      SUBSCRIPTION_IDLE_SECONDS: '600',
    }),
  ),
)

// Each subscriber: a country and a casualty threshold, so that nearly all filters differ. The
// clients run in processes of their own (BENCH_CLIENT_PROCESSES): on this machine they compete
// with the instances for its cores, where a dashboard's browsers would not.
interface Subscriber {
  readonly country: { id: number; iso_alpha3: string }
  readonly minKilled: number
  received: number[]
  latencies: number[]
}
const all: Subscriber[] = Array.from({ length: subscribers }, (_, n) => ({
  country: countries[n % countryCount] as Subscriber['country'],
  minKilled: Math.floor(n / countryCount) % thresholds,
  received: [],
  latencies: [],
}))
const clientProcesses = Array.from({ length: clientProcessCount }, () =>
  fork(path.join(projectRoot, 'bench', 'subscriptions-clients.ts'), [], {
    execArgv: ['--import', 'tsx'],
  }),
)
// Subscriber n is on instance n % 2 and in client process n % clientProcessCount.
const ofProcess = (index: number) => all.filter((_, n) => n % clientProcessCount === index)
clientProcesses.forEach((child, index) => {
  child.send({
    start: ofProcess(index).map((subscriber) => ({
      url: `ws://127.0.0.1:${ports[all.indexOf(subscriber) % 2]}/graphql`,
      country: subscriber.country.iso_alpha3,
      minKilled: subscriber.minKilled,
    })) satisfies ClientSpec[],
  })
})

/** The client processes' CPU time, in seconds, as of the last collection. */
let clientCpuSeconds = 0

/** Collects what every subscriber received since the last collection, and the clients' CPU. */
async function collect(): Promise<void> {
  const reports = await Promise.all(
    clientProcesses.map(
      (child) =>
        new Promise<ClientReport>((resolve) => {
          child.once('message', (report) => resolve(report as ClientReport))
          child.send({ report: true })
        }),
    ),
  )
  reports.forEach((report, index) => {
    ofProcess(index).forEach((subscriber, k) => {
      subscriber.received.push(...(report.received[k] ?? []))
      subscriber.latencies.push(...(report.at[k] ?? []))
    })
  })
  clientCpuSeconds += reports.reduce((sum, report) => sum + report.cpuMs, 0) / 1000
}
// Subscribing has no answer: give the instances a moment to hold every subscription.
await new Promise((resolve) => setTimeout(resolve, Math.max(2000, subscribers * 5)))

const received = async () => {
  await collect()
  return all.reduce((sum, subscriber) => sum + subscriber.received.length, 0)
}

/** Writes `forSeconds` of events from the third process; their commit times, by event id. */
async function write(forSeconds: number): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(projectRoot, 'bench', 'subscriptions-writer.ts'),
      url,
      String(rate),
      String(forSeconds),
      String(perTransaction),
      countries.map((country) => country.id).join(','),
    ],
    { cwd: projectRoot, maxBuffer: 256 * 1024 * 1024 },
  )
  // Let the last changes arrive: until nothing has come for 3 s.
  let quietSince = Date.now()
  let lastCount = -1
  while (Date.now() - quietSince < 3000) {
    const count = await received()
    if (count !== lastCount) quietSince = Date.now()
    lastCount = count
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return JSON.parse(stdout) as Record<string, number>
}

/**
 * The CPU time of every Postgres backend of the bench's database, by pid, as last sampled: the
 * instances' pools, their LISTEN connections and the writer's. Sampled every 200 ms, so a
 * backend that lived less long is missed, and one that started mid-round loses its first 200 ms.
 */
async function postgresCpu(): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`.execute(
    db,
  )
  return new Map(await Promise.all(rows.map(async ({ pid }) => [pid, await cpuMs(pid)] as const)))
}

// Warm-up, not counted: the instances prepare their statements (the filters' judgement is
// planned once per connection, src/db/event-feed.ts) and fill their caches, as a running server has.
if (warmUpSeconds > 0) {
  console.log(`warming up: ${rate} events/s for ${warmUpSeconds} s…`)
  await write(warmUpSeconds)
}

interface Round {
  events: number
  deliveries: number
  p50Ms: number
  p99Ms: number
  maxMs: number | undefined
  missed: number
  duplicated: number
  subscribersWithProblems: number
  peakRssMb: number[]
  cpuSeconds: number[]
  postgresCpuSeconds: number
  /** The client processes': the subscribers' graphql-ws clients. */
  clientCpuSeconds: number
  loadBefore: string | undefined
  loadAfter: string | undefined
}

async function round(): Promise<Round> {
  await collect()
  const clientBefore = clientCpuSeconds
  for (const subscriber of all) {
    subscriber.received = []
    subscriber.latencies = []
  }
  const { rows: before } = await sql<{
    max: number | null
  }>`SELECT max(id) AS max FROM event`.execute(db)
  const firstId = (before[0]?.max ?? 0) + 1
  const loadBefore = os.loadavg()[0]?.toFixed(1)
  const cpuBefore = await Promise.all(servers.map((server) => cpuMs(server.pid as number)))
  const peaks = [0, 0]
  const backendsFirst = await postgresCpu()
  const backendsLast = new Map(backendsFirst)
  const sampler = setInterval(async () => {
    for (const [index, server] of servers.entries())
      peaks[index] = Math.max(peaks[index] ?? 0, await rssMb(server.pid as number))
    for (const [pid, cpu] of await postgresCpu()) {
      if (!backendsFirst.has(pid)) backendsFirst.set(pid, cpu)
      if (cpu > 0) backendsLast.set(pid, cpu)
    }
  }, 200)
  console.log(`writing ${rate} events/s for ${seconds} s to ${subscribers} subscribers…`)
  const committedAt = await write(seconds)
  clearInterval(sampler)
  const cpuAfter = await Promise.all(servers.map((server) => cpuMs(server.pid as number)))
  await collect()
  const loadAfter = os.loadavg()[0]?.toFixed(1)

  // What each subscriber should have received, from the database.
  const { rows: written } = await sql<{
    id: number
    country_id: number
    killed_best: number | null
  }>`SELECT id, country_id, killed_best FROM event WHERE id >= ${firstId} ORDER BY id`.execute(db)
  const latencies: number[] = []
  let missed = 0
  let duplicated = 0
  let subscribersWithProblems = 0
  for (const subscriber of all) {
    const expected = written
      .filter(
        (event) =>
          event.country_id === subscriber.country.id &&
          (event.killed_best ?? 0) >= subscriber.minKilled,
      )
      .map((event) => event.id)
    const got = new Set(subscriber.received)
    const mine = expected.filter((id) => !got.has(id)).length
    const twice = subscriber.received.length - got.size
    missed += mine
    duplicated += twice
    if (mine || twice) subscribersWithProblems++
    subscriber.received.forEach((id, index) => {
      const committed = committedAt[id]
      if (committed !== undefined)
        latencies.push((subscriber.latencies[index] as number) - committed)
    })
  }
  latencies.sort((a, b) => a - b)
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN
  let postgresMs = 0
  for (const [pid, last] of backendsLast) postgresMs += last - (backendsFirst.get(pid) ?? last)
  const result = {
    events: written.length,
    deliveries: latencies.length,
    p50Ms: percentile(50),
    p99Ms: percentile(99),
    maxMs: latencies.at(-1),
    missed,
    duplicated,
    subscribersWithProblems,
    peakRssMb: peaks.map((peak) => Math.round(peak)),
    cpuSeconds: servers.map(
      (_, index) => ((cpuAfter[index] as number) - (cpuBefore[index] as number)) / 1000,
    ),
    postgresCpuSeconds: postgresMs / 1000,
    clientCpuSeconds: Math.round((clientCpuSeconds - clientBefore) * 100) / 100,
    loadBefore,
    loadAfter,
  }
  console.log(result)
  return result
}

const rounds: Round[] = []
for (let n = 0; n < runs; n++) rounds.push(await round())

for (const child of clientProcesses) child.kill()
await Promise.all(servers.map(stopProcess))
await db.destroy()

const { rows: version } = await sql<{ version: string }>`SELECT version()`.execute(
  (await migratedDatabase('attest_bench_subscriptions')).db,
)
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; ${version[0]?.version.split(' on ')[0]}`
const spread = (pick: (round: Round) => number | undefined) => {
  const values = rounds.map(pick).filter((value): value is number => value !== undefined)
  return `${Math.min(...values)}–${Math.max(...values)}`
}
const result = {
  measuredAt: new Date().toISOString(),
  machine,
  subscribers,
  rate,
  seconds,
  perTransaction,
  warmUpSeconds,
  distinctFilters: new Set(all.map((s) => `${s.country.id}:${s.minKilled}`)).size,
  rounds,
}
const resultsFile = path.join(projectRoot, 'bench', 'subscriptions-results.json')
await writeFile(resultsFile, `${JSON.stringify(result, null, 2)}\n`)
// As the formatter writes JSON (short arrays on one line), so that format:check passes.
await execFileAsync('npx', ['biome', 'format', '--write', resultsFile], { cwd: projectRoot })
const rows = rounds.map(
  (r, n) =>
    `| ${n + 1} | ${r.events} | ${r.deliveries} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.maxMs} ms | ${r.missed} | ${r.duplicated} | ${r.peakRssMb.join(' / ')} MB | ${r.cpuSeconds.map((c) => c.toFixed(1)).join(' / ')} s | ${r.postgresCpuSeconds.toFixed(1)} s | ${r.clientCpuSeconds.toFixed(1)} s | ${r.loadBefore} / ${r.loadAfter} |`,
)
await replaceBetweenMarkers(
  path.join(projectRoot, 'bench', 'RESULTS.md'),
  `Measured by \`npm run bench:subscriptions\` on ${result.measuredAt.slice(0, 16).replace('T', ' ')} UTC
(BENCH_SUBSCRIBERS=${subscribers} BENCH_RATE=${rate} BENCH_SECONDS=${seconds} BENCH_PER_TRANSACTION=${perTransaction} BENCH_WARMUP_SECONDS=${warmUpSeconds} BENCH_RUNS=${runs}):
two \`attest serve\` instances (built, NODE_ENV=production) over one database, ${subscribers} subscribers
(graphql-ws's client, one connection each, alternately on each instance, in ${clientProcessCount} processes; filter: one of ${countryCount} countries and minKilled 0–6, ${result.distinctFilters} distinct filters), and a third
process writing ${rate} events/s in transactions of ${perTransaction} (a row and its revision each, as an import
writes), for ${seconds} s per round after ${warmUpSeconds} s of warm-up that is not counted. Latency: from the
writer's COMMIT returning to the subscriber's message, same clock. Missed and repeated: each
subscriber's event ids against the events of the round in the database that match its filter.
Postgres CPU: every backend of the benchmark's database (both instances' and the writer's).
Clients' CPU: the ${clientProcessCount} processes that hold the ${subscribers} graphql-ws clients.
Targets: p99 under 500 ms, 0 missed, 0 duplicated, RSS under 300 MB per instance.

| round | events written | messages delivered | p50 | p99 | max | missed | repeated | peak RSS per instance | CPU per instance | Postgres CPU | clients' CPU | load average (1 min) before / after |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Spread over the ${runs} rounds: p50 ${spread((r) => r.p50Ms)} ms, p99 ${spread((r) => r.p99Ms)} ms, peak RSS ${spread((r) => Math.max(...r.peakRssMb))} MB.

Machine: ${machine}.`,
  'subscriptions',
)
process.exit(0)
