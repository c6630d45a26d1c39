import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../src/auth/api-keys.js'
import { createDatabase } from '../src/db/database.js'
import { exited, freePort, startCli, waitForHttp, waitForReady } from './support/cli.js'
import { createCluster, type PostgresCluster } from './support/postgres-cluster.js'

// The service as it runs for real (the CLI, its own process, signals included) over a Postgres
// this file stops and starts.
let cluster: PostgresCluster
beforeAll(async () => {
  cluster = await createCluster()
})
afterAll(() => cluster?.remove())

async function startService(env: Record<string, string> = {}) {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  // The cluster starts empty: this service migrates it once it can reach it.
  const child = startCli(['serve'], {
    DATABASE_URL: cluster.url(),
    PORT: String(port),
    MIGRATE_ON_START: 'true',
    ...env,
  })
  await waitForHttp(`${base}/healthz`, child)
  return { base, child }
}

async function post(base: string, query: string, key?: string) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key && { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ query }),
  })
  const body = (await response.json()) as {
    data?: Record<string, any> | null
    errors?: { message: string; extensions?: { code?: string } }[]
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body }
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const countEvents = '{ events { totalCount } }'

describe('the database down at start', () => {
  beforeAll(async () => {
    if (cluster.running) await cluster.stop()
  })

  it('serves at once, is not ready, answers SERVICE_UNAVAILABLE, and becomes ready when Postgres comes up', async () => {
    const { base, child } = await startService()
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(503)
      const refused = await post(base, countEvents)
      expect(refused).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) })
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE')

      await cluster.start()
      await waitForReady(base, child)
      expect((await post(base, countEvents)).body).toEqual({ data: { events: { totalCount: 0 } } })
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited(child)).toBe(0)
  }, 120_000)
})

// Past the first describe, each needs Postgres up.
async function startCluster() {
  if (!cluster.running) await cluster.start()
}

describe('a failure that waiting will not fix', () => {
  beforeAll(startCluster)

  it('a database that does not exist stops the service with exit code 1', async () => {
    const port = await freePort()
    const child = startCli(['serve'], {
      DATABASE_URL: cluster.url('no_such_database'),
      PORT: String(port),
    })
    expect(await exited(child)).toBe(1)
  }, 120_000)
})

describe('the database lost under load', () => {
  beforeAll(startCluster)

  it('fails fast with SERVICE_UNAVAILABLE, recovers by itself, and loses no acknowledged write', async () => {
    const { base, child } = await startService()
    const db = createDatabase(cluster.url(), { maxConnections: 1 })
    try {
      await waitForReady(base, child)
      const { key } = await createApiKey(db, 'load writer', 'editor')
      const acknowledged: string[] = []
      const refusals: { status: number; code: string | undefined }[] = []
      let sent = 0
      let loading = true
      const writer = async () => {
        while (loading) {
          const title = `load ${++sent}`
          const { status, body } = await post(
            base,
            `mutation { createEvent(fields: { title: "${title}", dateStart: "2019-01-03" }) { id } }`,
            key,
          )
          if (body.data?.createEvent) acknowledged.push(title)
          else refusals.push({ status, code: body.errors?.[0]?.extensions?.code })
        }
      }
      const writers = Promise.all([writer(), writer(), writer(), writer()])

      await until(() => acknowledged.length >= 20)
      await cluster.stop('immediate') // a crash: what was acknowledged must be in the WAL
      await until(() => refusals.length >= 20)
      expect((await fetch(`${base}/readyz`)).status).toBe(503)
      await cluster.start()
      const before = acknowledged.length
      await until(() => acknowledged.length >= before + 20)
      loading = false
      await writers

      expect(
        refusals.every(({ status, code }) => status === 503 && code === 'SERVICE_UNAVAILABLE'),
      ).toBe(true)
      const stored = await db
        .selectFrom('event')
        .select('title')
        .where('title', 'in', acknowledged)
        .execute()
      expect(stored).toHaveLength(acknowledged.length)
      expect((await fetch(`${base}/readyz`)).status).toBe(200)
    } finally {
      child.kill('SIGTERM')
      await db.destroy()
    }
    expect(await exited(child)).toBe(0)
  }, 120_000)
})

describe('SIGTERM', () => {
  beforeAll(startCluster)

  // A request held in flight by a lock the test takes, so that it is running when the signal comes.
  async function holdRequestInFlight(base: string) {
    const locker = new pg.Client({ connectionString: cluster.url() })
    await locker.connect()
    await locker.query('BEGIN')
    await locker.query('LOCK TABLE event IN ACCESS EXCLUSIVE MODE')
    const response = post(base, countEvents)
    await until(async () => {
      const { rows } = await locker.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'attest' AND wait_event_type = 'Lock'",
      )
      return rows[0].n > 0
    })
    return { response, release: () => locker.query('COMMIT').then(() => locker.end()) }
  }

  async function attestSessions(): Promise<number> {
    const client = new pg.Client({ connectionString: cluster.url() })
    await client.connect()
    try {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'attest'",
      )
      return rows[0].n
    } finally {
      await client.end()
    }
  }

  it('stops accepting, finishes the request in flight, closes the pool and exits 0', async () => {
    const { base, child } = await startService()
    await waitForReady(base, child)
    const inFlight = await holdRequestInFlight(base)
    child.kill('SIGTERM')
    // No longer accepting: a new request is refused (or, on a kept-alive connection, told 503).
    await until(() =>
      fetch(`${base}/healthz`).then(
        (response) => response.status === 503,
        () => true,
      ),
    )
    await inFlight.release()
    const { status, body } = await inFlight.response
    expect(status).toBe(200)
    expect(body.data?.events.totalCount).toEqual(expect.any(Number))
    expect(await exited(child)).toBe(0)
    await until(async () => (await attestSessions()) === 0) // the pool closed its connections
  }, 120_000)

  it('past SHUTDOWN_TIMEOUT_MS cuts the request still running and exits all the same', async () => {
    const { base, child } = await startService({
      SHUTDOWN_TIMEOUT_MS: '200',
      STATEMENT_TIMEOUT_MS: '2000',
    })
    await waitForReady(base, child)
    const inFlight = await holdRequestInFlight(base)
    child.kill('SIGTERM')
    try {
      await expect(inFlight.response).rejects.toThrow()
      expect(await exited(child)).toBe(0)
    } finally {
      await inFlight.release()
    }
    await until(async () => (await attestSessions()) === 0) // the pool closed its connections
  }, 120_000)
})
