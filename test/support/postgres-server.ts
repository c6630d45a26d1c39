import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { createDatabase, type Database } from '../../src/db/database.js'
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js'
import { migrateToLatest } from '../../src/db/migrator.js'

/** A Postgres server on which the tests may create and drop databases. */
export interface PostgresServer {
  readonly kind: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded'
  /** Connection string of a database on the server with the right to create databases. */
  readonly adminUrl: string
  /** host:port of the server as other containers reach it, when it runs in a container. */
  readonly addressForContainers?: string
  stop(): Promise<void>
}

/**
 * TEST_DATABASE_URL when set; else a Postgres container when a container runtime answers;
 * else the embedded Postgres in a temporary directory. The same suite runs on each.
 */
export async function startPostgresServer(env = process.env): Promise<PostgresServer> {
  const given = env.TEST_DATABASE_URL?.trim()
  if (given) return { kind: 'TEST_DATABASE_URL', adminUrl: given, stop: async () => {} }
  if (containerRuntimeConfigured(env)) {
    const container = await startContainer(env.ATTEST_POSTGRES_IMAGE || 'postgres:17-alpine')
    if (container) return container
  }
  return startEmbedded()
}

/** Cheap signs of a container runtime, checked before asking testcontainers (which is slow to fail). */
export function containerRuntimeConfigured(
  env: NodeJS.ProcessEnv,
  home: string = os.homedir(),
): boolean {
  const candidates = [
    '/var/run/docker.sock',
    path.join(home, '.docker/run/docker.sock'),
    path.join(home, '.testcontainers.properties'),
    ...(env.XDG_RUNTIME_DIR
      ? [
          path.join(env.XDG_RUNTIME_DIR, 'docker.sock'),
          path.join(env.XDG_RUNTIME_DIR, 'podman/podman.sock'),
        ]
      : []),
  ]
  return Boolean(env.DOCKER_HOST) || candidates.some((candidate) => existsSync(candidate))
}

/** image: ATTEST_POSTGRES_IMAGE where Postgres is built rather than pulled (containers/images.sh). */
async function startContainer(image: string): Promise<PostgresServer | undefined> {
  const { getContainerRuntimeClient } = await import('testcontainers')
  const answered = await Promise.race([
    getContainerRuntimeClient().then(
      () => true,
      () => false,
    ),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000).unref()),
  ])
  if (!answered) return undefined
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
  const container = await new PostgreSqlContainer(image).start()
  return {
    kind: 'testcontainers',
    adminUrl: container.getConnectionUri(),
    addressForContainers: `${container.getIpAddress(container.getNetworkNames()[0] ?? 'bridge')}:5432`,
    stop: async () => {
      await container.stop()
    },
  }
}

async function startEmbedded(): Promise<PostgresServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'attest-test-pg-'))
  await chmod(dataDir, 0o755) // the postgres user (when we are root) must be able to enter it
  const embedded = await startEmbeddedPostgres({ dataDir })
  return {
    kind: 'embedded',
    adminUrl: embedded.url,
    stop: async () => {
      await embedded.stop()
      await rm(dataDir, { recursive: true, force: true })
      if (!embedded.clusterDir.startsWith(dataDir))
        await rm(embedded.clusterDir, { recursive: true, force: true })
    },
  }
}

/** The URL of another database on the same server. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${database}`
  return url.toString()
}

export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
}

async function withAdminClient<T>(
  adminUrl: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export async function createEmptyDatabase(
  adminUrl: string,
  name: string,
  template?: string,
): Promise<string> {
  await withAdminClient(adminUrl, async (client) => {
    const from = template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : ''
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${from}`)
  })
  return databaseUrl(adminUrl, name)
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdminClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
  )
}

/** Marks a database as a template that CREATE DATABASE … TEMPLATE may copy. */
export async function markAsTemplate(adminUrl: string, name: string): Promise<void> {
  await withAdminClient(adminUrl, (client) =>
    client.query(`ALTER DATABASE ${client.escapeIdentifier(name)} WITH IS_TEMPLATE true`),
  )
}

export async function dropTemplate(adminUrl: string, name: string): Promise<void> {
  await withAdminClient(adminUrl, async (client) => {
    await client.query(`ALTER DATABASE ${client.escapeIdentifier(name)} WITH IS_TEMPLATE false`)
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`)
  })
}

/** Runs fn on a freshly migrated scratch database, dropped afterwards (used by tooling). */
export async function withScratchDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const server = await startPostgresServer({
    ...process.env,
    TEST_DATABASE_URL: process.env.DATABASE_URL,
  })
  const name = uniqueDatabaseName('attest_scratch')
  try {
    const db = createDatabase(await createEmptyDatabase(server.adminUrl, name), {
      maxConnections: 2,
    })
    try {
      await migrateToLatest(db)
      return await fn(db)
    } finally {
      await db.destroy()
    }
  } finally {
    await dropDatabase(server.adminUrl, name)
    await server.stop()
  }
}
