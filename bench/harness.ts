// Pieces the API benchmarks share: the size's database, child servers, autocannon, reports.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { createDatabase, type Database } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'
import { projectRoot } from '../src/paths.js'
import { synthesize } from '../src/synth/synth.js'
import { databaseUrl } from '../test/support/postgres-server.js'

export const execFileAsync = promisify(execFile)
export const sizes = (process.env.BENCH_SIZES ?? '10000,1000000').split(',').map(Number)
export const seconds = Number(process.env.BENCH_SECONDS ?? 10)
export const warmUp = Number(process.env.BENCH_WARMUP ?? 3)
export const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)
export const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const seed = 1

// BENCH_DATABASE_SUFFIX names a copy (attest_bench_1m_mine), to measure a schema change
// without migrating the shared databases.
const databaseSuffix = process.env.BENCH_DATABASE_SUFFIX ?? ''

/** A database of the benchmarks', created when missing and migrated; with its event count. */
export async function migratedDatabase(
  name: string,
): Promise<{ url: string; db: Database; count: number }> {
  const admin = createDatabase(adminUrl, { maxConnections: 1 })
  const { rows } = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`.execute(admin)
  if (rows.length === 0) await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin)
  await admin.destroy()
  const url = databaseUrl(adminUrl, name)
  const db = createDatabase(url, { maxConnections: 2 })
  await migrateToLatest(db)
  const { count } = await db
    .selectFrom('event')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow()
  return { url, db, count: Number(count) }
}

/** The size's database (attest_bench_10k…), migrated and synthesized once, reused after. */
export async function benchDatabase(size: number): Promise<{ url: string; db: Database }> {
  const name = `attest_bench_${size >= 1_000_000 ? `${size / 1_000_000}m` : `${size / 1000}k`}${databaseSuffix}`
  const { url, db, count } = await migratedDatabase(name)
  if (Number(count) === 0) {
    console.log(`synthesizing ${size} events into ${name}…`)
    await synthesize(db, { events: size, seed })
  } else if (Number(count) !== size) {
    throw new Error(`${name} has ${count} events, not ${size}: drop it to start again`)
  }
  // What autovacuum does for a real database after a bulk load: set the visibility map, which
  // index-only scans read instead of the table (the map page's, sql/0044). The CI Postgres this
  // runs on has autovacuum off. Nothing to do on a database vacuumed before.
  await sql`VACUUM event`.execute(db)
  return { url, db }
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * The built `attest serve` on a database and port, as deployed (Dockerfile: NODE_ENV=production,
 * so graphql-js skips its development-mode checks), with the default limits but the rate limit:
 * the load generator is one very busy caller, which it would answer with 429s.
 */
export function startAttest(databaseUrl: string, port: number, env: Record<string, string> = {}) {
  return startProcess(
    ['dist/cli/main.js', 'serve'],
    {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      RATE_LIMIT_REQUESTS: '0',
      ...env,
    },
    `http://127.0.0.1:${port}/graphql`,
  )
}

export async function startProcess(
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
  { executable = process.execPath, cwd = projectRoot } = {},
) {
  const child = spawn(executable, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  for (let attempt = 0; attempt < 300; attempt++) {
    const ok = await fetch(readyUrl, { method: 'POST', body: '{}' }).then(
      (response) => response.status < 500,
      () => false,
    )
    if (ok) return child
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill()
  throw new Error(`${args.join(' ')} did not start`)
}

export async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** The resident set size of a process, in MB (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

export async function post(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  // biome-ignore lint/suspicious/noExplicitAny: the benchmarks read known paths of the data
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] }
}

/**
 * Loads a server with autocannon (bench/load-generator.ts, in its own process) for `duration`
 * seconds, sampling the server's RSS. Several bodies are sent in turn, one per request.
 */
export async function load(
  url: string,
  body: string | readonly string[],
  duration: number,
  pid: number,
  headers: Record<string, string> = {},
) {
  const spec = path.join(await mkdtemp(path.join(os.tmpdir(), 'attest-load-')), 'spec.json')
  await writeFile(
    spec,
    JSON.stringify({
      url,
      bodies: typeof body === 'string' ? [body] : body,
      connections,
      duration,
      headers,
    }),
  )
  let peak = 0
  const sampler = setInterval(async () => {
    peak = Math.max(peak, await rssMb(pid))
  }, 200)
  try {
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'bench', 'load-generator.ts'), spec],
      { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 },
    )
    const result = JSON.parse(stdout)
    return {
      requestsPerSecond: result.requests.average as number,
      /** Requests answered in the run (2xx or not). */
      requests: result.requests.total as number,
      p50: result.latency.p50 as number,
      p99: result.latency.p99 as number,
      errors: (result.errors + result.timeouts + result.non2xx) as number,
      peakRssMb: peak,
    }
  } finally {
    clearInterval(sampler)
    await rm(path.dirname(spec), { recursive: true, force: true })
  }
}

export async function replaceBetweenMarkers(file: string, content: string, marker = 'bench') {
  const text = await readFile(file, 'utf8')
  const start = `<!-- ${marker}:start -->`
  const end = `<!-- ${marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} markers`)
  // Biome leaves Markdown alone (biome.json): the tables are written as they are.
  await writeFile(file, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`)
}
