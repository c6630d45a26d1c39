import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApiKey } from '../src/auth/api-keys.js'
import { loadConfig } from '../src/config.js'
import { createDatabase, type Database } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'
import { createLogger } from '../src/logger.js'
import { type RunningService, startService } from '../src/main.js'
import { dataOf, type GraphQLResponse } from './support/api.js'
import { createCluster, createReplica, type PostgresCluster } from './support/postgres-cluster.js'

// A real primary and a streaming replica of it, on loopback ports of their own.
let primary: PostgresCluster
let replica: PostgresCluster
let primaryDb: Database
let replicaClient: pg.Client
let service: RunningService
beforeAll(async () => {
  primary = await createCluster()
  await primary.start()
  replica = await createReplica(primary)
  await replica.start()
  primaryDb = createDatabase(primary.url(), { maxConnections: 2 })
  await migrateToLatest(primaryDb) // on the primary only: the replica follows
  replicaClient = new pg.Client({ connectionString: replica.url() })
  await replicaClient.connect()
  await until(async () => {
    const { rows } = await replicaClient.query("SELECT to_regclass('public.api_key') AS t")
    return rows[0].t !== null
  })
  // The service as main.ts composes it, from its configuration.
  const env = { DATABASE_URL: primary.url(), DATABASE_READ_URL: replica.url() }
  service = await startService({ ...loadConfig(env), port: 0 }, createLogger('silent'))
  await service.ready
}, 120_000)
afterAll(async () => {
  await service?.stop()
  await replicaClient?.end()
  await primaryDb?.destroy()
  await replica?.remove()
  await primary?.remove()
})

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function query(document: string, key?: string): Promise<GraphQLResponse<any>> {
  const response = await fetch(new URL('/graphql', service.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key && { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ query: document }),
  })
  return (await response.json()) as GraphQLResponse<any>
}

const countEvents = async () => dataOf(await query('{ events { totalCount } }')).events.totalCount

it('queries read from the replica; a mutation and the reads inside it use the primary; writes reach the replica', async () => {
  const { key } = await createApiKey(primaryDb, 'replica test editor', 'editor')
  expect(await countEvents()).toBe(0)

  // With the replica's replay paused, what a query sees is what the replica had before.
  await replicaClient.query('SELECT pg_wal_replay_pause()')
  try {
    const created = await query(
      'mutation { createEvent(fields: { title: "Written on the primary", dateStart: "2019-01-03" }) { id title version } }',
      key,
    )
    // The replica is read-only: this write, and the payload read after it, went to the primary.
    expect(dataOf(created).createEvent).toMatchObject({
      title: 'Written on the primary',
      version: 1,
    })
    expect(await primaryDb.selectFrom('event').select('title').execute()).toEqual([
      { title: 'Written on the primary' },
    ])
    expect(await countEvents()).toBe(0)
  } finally {
    await replicaClient.query('SELECT pg_wal_replay_resume()')
  }
  // Streaming brings the write to the replica, and queries see it there.
  await until(async () => (await countEvents()) === 1)
  expect((await fetch(new URL('/readyz', service.url))).status).toBe(200)
}, 120_000)
