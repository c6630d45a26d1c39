// npm run bench:subscriptions: two `attest serve` instances over one database, N subscribers
// (graphql-ws's client, one connection each, spread over both) with different filters, and a
// writer in a third process creating events at a steady rate. Measures commit-to-client latency,
// events missed or repeated per subscriber (against the database afterwards), and each
// instance's RSS and CPU. Results: bench/RESULTS.md, "Subscriptions".
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { createClient } from 'graphql-ws'
import { sql } from 'kysely'
import WebSocket from 'ws'
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

const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1000)
const rate = Number(process.env.BENCH_RATE ?? 1000)
const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const perTransaction = Number(process.env.BENCH_PER_TRANSACTION ?? 50)
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
const { rows: before } = await sql<{
  max: number | null
}>`SELECT max(id) AS max FROM event`.execute(db)
const firstId = (before[0]?.max ?? 0) + 1

const ports = [await freePort(), await freePort()]
const servers = await Promise.all(
  ports.map((port) =>
    startAttest(url, port, {
      SUBSCRIPTIONS_PER_KEY: String(subscribers),
      SUBSCRIPTION_IDLE_SECONDS: '600',
    }),
  ),
)
const loadBefore = os.loadavg()[0]?.toFixed(1)

// Each subscriber: a country and a casualty threshold, so that nearly all filters differ.
interface Subscriber {
  readonly country: { id: number; iso_alpha3: string }
  readonly minKilled: number
  readonly received: number[]
  readonly latencies: number[]
}
const receivedAt = new Map<number, number>()
const document = `subscription ($filter: EventFilter) {
  eventChanges(filter: $filter) { kind eventId event { title dateStart killedBest } }
}`
const all: Subscriber[] = []
const clients = []
for (let n = 0; n < subscribers; n++) {
  const subscriber: Subscriber = {
    country: countries[n % countryCount] as Subscriber['country'],
    minKilled: Math.floor(n / countryCount) % thresholds,
    received: [],
    latencies: [],
  }
  all.push(subscriber)
  const client = createClient({
    url: `ws://127.0.0.1:${ports[n % 2]}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
  })
  clients.push(client)
  client.subscribe<{ eventChanges: { eventId: string } }>(
    {
      query: document,
      variables: {
        filter: { countries: [subscriber.country.iso_alpha3], minKilled: subscriber.minKilled },
      },
    },
    {
      next: ({ data }) => {
        const id = Number(
          Buffer.from(data?.eventChanges.eventId ?? '', 'base64url')
            .toString()
            .split(':')[1],
        )
        subscriber.received.push(id)
        subscriber.latencies.push(Date.now())
        receivedAt.set(id, Date.now())
      },
      error: (error) => console.error('subscription error', error),
      complete: () => {},
    },
  )
}
// Subscribing has no answer: give the instances a moment to hold every subscription.
await new Promise((resolve) => setTimeout(resolve, Math.max(2000, subscribers * 5)))

const cpuBefore = await Promise.all(servers.map((server) => cpuMs(server.pid as number)))
const peaks = [0, 0]
const sampler = setInterval(async () => {
  for (const [index, server] of servers.entries())
    peaks[index] = Math.max(peaks[index] ?? 0, await rssMb(server.pid as number))
}, 200)
console.log(`writing ${rate} events/s for ${seconds} s to ${subscribers} subscribers…`)
const { stdout } = await promisify(execFile)(
  process.execPath,
  [
    '--import',
    'tsx',
    path.join(projectRoot, 'bench', 'subscriptions-writer.ts'),
    url,
    String(rate),
    String(seconds),
    String(perTransaction),
    countries.map((country) => country.id).join(','),
  ],
  { cwd: projectRoot, maxBuffer: 256 * 1024 * 1024 },
)
const committedAt = JSON.parse(stdout) as Record<string, number>
// Let the last changes arrive: until nothing has come for 3 s.
let quietSince = Date.now()
let lastCount = -1
while (Date.now() - quietSince < 3000) {
  const count = all.reduce((sum, subscriber) => sum + subscriber.received.length, 0)
  if (count !== lastCount) quietSince = Date.now()
  lastCount = count
  await new Promise((resolve) => setTimeout(resolve, 250))
}
clearInterval(sampler)
const cpuAfter = await Promise.all(servers.map((server) => cpuMs(server.pid as number)))
const loadAfter = os.loadavg()[0]?.toFixed(1)

// What each subscriber should have received, from the database.
const { rows: written } = await sql<{ id: number; country_id: number; killed_best: number | null }>`
  SELECT id, country_id, killed_best FROM event WHERE id >= ${firstId} ORDER BY id`.execute(db)
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
    if (committed !== undefined) latencies.push((subscriber.latencies[index] as number) - committed)
  })
}
latencies.sort((a, b) => a - b)
const percentile = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN
const deliveries = latencies.length
const cpu = servers.map(
  (_, index) => ((cpuAfter[index] as number) - (cpuBefore[index] as number)) / 1000,
)

for (const client of clients) await client.dispose()
await Promise.all(servers.map(stopProcess))
await db.destroy()

const { rows: version } = await sql<{ version: string }>`SELECT version()`.execute(
  (await migratedDatabase('attest_bench_subscriptions')).db,
)
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; ${version[0]?.version.split(' on ')[0]}`
const result = {
  measuredAt: new Date().toISOString(),
  machine,
  subscribers,
  rate,
  seconds,
  perTransaction,
  events: written.length,
  deliveries,
  p50Ms: percentile(50),
  p99Ms: percentile(99),
  maxMs: latencies.at(-1),
  missed,
  duplicated,
  subscribersWithProblems,
  peakRssMb: peaks.map((peak) => Math.round(peak)),
  cpuSeconds: cpu,
  loadBefore,
  loadAfter,
}
console.log(result)
await writeFile(
  path.join(projectRoot, 'bench', 'subscriptions-results.json'),
  `${JSON.stringify(result, null, 2)}\n`,
)
await replaceBetweenMarkers(
  path.join(projectRoot, 'bench', 'RESULTS.md'),
  `Measured by \`npm run bench:subscriptions\` on ${result.measuredAt.slice(0, 16).replace('T', ' ')} UTC
(BENCH_SUBSCRIBERS=${subscribers} BENCH_RATE=${rate} BENCH_SECONDS=${seconds} BENCH_PER_TRANSACTION=${perTransaction}):
two \`attest serve\` instances (built, NODE_ENV=production) over one database, ${subscribers} subscribers
(graphql-ws's client, one connection each, alternately on each instance; filter: one of ${countryCount}
countries and minKilled 0–6, ${new Set(all.map((s) => `${s.country.id}:${s.minKilled}`)).size} distinct filters), and a third process writing ${rate} events/s
in transactions of ${perTransaction} (a row and its revision each, as an import writes). Latency: from the
writer's COMMIT returning to the subscriber's message, same clock. Missed and repeated: each
subscriber's event ids against the events of the run in the database that match its filter.
Targets: p99 under 500 ms, 0 missed, 0 duplicated, RSS under 300 MB per instance.
Load average (1 min) before / after: ${loadBefore} / ${loadAfter}.

| events written | messages delivered | p50 | p99 | max | missed | repeated | peak RSS per instance | CPU per instance |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| ${written.length} | ${deliveries} | ${result.p50Ms} ms | ${result.p99Ms} ms | ${result.maxMs} ms | ${missed} | ${duplicated} | ${result.peakRssMb.join(' / ')} MB | ${cpu.map((c) => c.toFixed(1)).join(' / ')} s |

Machine: ${machine}.`,
  'subscriptions',
)
process.exit(0)
