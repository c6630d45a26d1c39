// Fastify or Express 5 under Apollo Server? The same schema, resolvers, database and query,
// behind each integration in turn, loaded by autocannon from a separate process on loopback.
// Run: npm run bench:http   Writes bench/http-framework.md with the machine it ran on.
import { writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { expressMiddleware } from '@as-integrations/express5'
import express from 'express'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.js'
import { createDatabase, type Database } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'
import { loadDemoData } from '../src/demo/load-demo.js'
import { createApolloServer } from '../src/graphql/apollo.js'
import { createContext } from '../src/graphql/context.js'
import { startHttpServer } from '../src/http/server.js'
import { createLogger } from '../src/logger.js'
import { projectRoot } from '../src/paths.js'
import {
  createEmptyDatabase,
  dropDatabase,
  startPostgresServer,
  uniqueDatabaseName,
} from '../test/support/postgres-server.js'
import { load as loadAndSample } from './harness.js'

const logger = createLogger('silent')
// The service's default limits, except the rate limit: a benchmark is one very busy caller.
const config = { ...loadConfig({ RATE_LIMIT_REQUESTS: '0' }), host: '127.0.0.1', port: 0 }
const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const rounds = 2

// The README's timeline query, 20 events deep with actors, groups, figures, reports, sources.
const body = JSON.stringify({
  query: `{ events(first: 20) { edges { node { title dateStart place { name }
    actors { role group { name aliases { alias } } }
    casualtyFigures { category best report { headline source { name } } } } } } }`,
})

async function startFastify(db: Database): Promise<{ url: string; stop(): Promise<void> }> {
  const app = await startHttpServer({ db, logger, config })
  const { port } = app.server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/graphql`, stop: () => app.close() }
}

async function startExpress(db: Database): Promise<{ url: string; stop(): Promise<void> }> {
  const apollo = createApolloServer(config)
  await apollo.start()
  const app = express()
  app.use(
    '/graphql',
    express.json(),
    expressMiddleware(apollo, { context: async () => createContext(db, 'bench', logger) }),
  )
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      await apollo.stop()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** A load run against a server in this process (its RSS is not what this benchmark compares). */
const load = (url: string, duration: number) => loadAndSample(url, body, duration, process.pid)

const server = await startPostgresServer({
  ...process.env,
  TEST_DATABASE_URL: process.env.DATABASE_URL,
})
const name = uniqueDatabaseName('attest_bench')
const db = createDatabase(await createEmptyDatabase(server.adminUrl, name), { maxConnections: 10 })
try {
  await migrateToLatest(db)
  await loadDemoData(db)
  // 500 more events, each with an actor (with an alias) and a figure from its own report.
  await sql`
    INSERT INTO source (name, kind) SELECT 'Bench source ' || n, 'news_outlet' FROM generate_series(1, 500) n;
    INSERT INTO report (source_id, headline) SELECT id, 'Report of ' || name FROM source WHERE name LIKE 'Bench%';
    INSERT INTO armed_group (name) SELECT 'Bench group ' || n FROM generate_series(1, 500) n;
    INSERT INTO group_alias (group_id, alias) SELECT id, 'Alias of ' || name FROM armed_group WHERE name LIKE 'Bench%';
    INSERT INTO event (title, date_start, date_end) SELECT 'Bench event ' || n, date '2019-02-01' + n, date '2019-02-01' + n FROM generate_series(1, 500) n;
    INSERT INTO event_actor (event_id, group_id, role) SELECT e.id, g.id, 'perpetrator'
      FROM event e JOIN armed_group g ON g.name = 'Bench group ' || substr(e.title, 13);
    INSERT INTO casualty_figure (event_id, category, population, best, report_id) SELECT e.id, 'killed', 'all', e.id % 9, r.id
      FROM event e JOIN report r ON r.headline = 'Report of Bench source ' || substr(e.title, 13);
  `.execute(db)

  const contenders = { fastify: startFastify, 'express 5': startExpress }
  const runs: Record<string, Awaited<ReturnType<typeof load>>[]> = { fastify: [], 'express 5': [] }
  for (let round = 0; round < rounds; round++) {
    for (const [label, start] of Object.entries(contenders)) {
      const running = await start(db)
      await load(running.url, 3) // warm-up
      runs[label]?.push(await load(running.url, seconds))
      await running.stop()
      console.log(label, runs[label]?.at(-1))
    }
  }

  const { rows } = await sql<{ version: string }>`SELECT version()`.execute(db)
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  const lines = Object.entries(runs).map(([label, list]) => {
    const rps = mean(list.map((run) => run.requestsPerSecond))
    return `| ${label} | ${rps.toFixed(0)} | ${mean(list.map((r) => r.p50)).toFixed(1)} ms | ${mean(list.map((r) => r.p99)).toFixed(1)} ms | ${list.reduce((s, r) => s + r.errors, 0)} |`
  })
  const report = `# Fastify or Express 5 under Apollo Server

Measured by \`npm run bench:http\` on ${new Date().toISOString().slice(0, 10)}: the same Apollo Server,
schema, resolvers and database behind \`@as-integrations/fastify\` and \`@as-integrations/express5\`;
autocannon in a separate process, 10 connections, ${rounds} interleaved rounds of ${seconds} s after a
3 s warm-up; the query is 20 events with place, actors → group → aliases and figures → report → source.

| integration | req/s | p50 | p99 | errors |
| --- | --- | --- | --- | --- |
${lines.join('\n')}

Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB,
${os.type()} ${os.release()}; Node ${process.version}; ${rows[0]?.version.split(' on ')[0]} (${server.kind}).
`
  await writeFile(path.join(projectRoot, 'bench', 'http-framework.md'), report)
  console.log(report)
} finally {
  await db.destroy()
  await dropDatabase(server.adminUrl, name)
  await server.stop()
}
