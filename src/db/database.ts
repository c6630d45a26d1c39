import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { prepareStatements } from './prepared-statements.js'
import type { DB } from './schema.js'

export type Database = Kysely<DB>

// Postgres `date` columns stay 'YYYY-MM-DD' strings: a JS Date would shift them by time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)
// bigint ids and counts fit in a JS number for any data set this service will hold.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))
// Claim values (numeric) are counts and estimates, well within a double's precision.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value))

export interface DatabaseOptions {
  /** Upper bound on pooled connections. */
  readonly maxConnections?: number
  /** Postgres cancels any statement that runs longer (statement_timeout); unset: no limit. */
  readonly statementTimeoutMs?: number
  /** Called with each SQL statement sent (used to count statements per request). */
  readonly onQuery?: (sql: string) => void
  /** Told when an idle pooled connection dies (e.g. Postgres restarted); the pool replaces it. */
  readonly onConnectionError?: (error: Error) => void
  /** Queries as named prepared statements (default true); false for a pooler that drops them. */
  readonly preparedStatements?: boolean
  /**
   * Prepared statements always run their generic plan (plan_cache_mode): for a pool whose few
   * statements are planned once and run many times with other values (the change feed's).
   */
  readonly genericPlans?: boolean
}

// Kysely does not expose its dialect's pool; kept here so that poolUsage can report on it.
const pools = new WeakMap<Database, pg.Pool>()

/** The pool's connections in use and idle, and the queries waiting for one. */
export function poolUsage(db: Database): { inUse: number; idle: number; waiting: number } {
  const pool = pools.get(db)
  if (!pool) throw new Error('poolUsage needs a database made by createDatabase')
  return {
    inUse: pool.totalCount - pool.idleCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  }
}

// Who listens to the notices (RAISE NOTICE) of a database's connections: a migration tells its
// progress that way (see migration-progress.ts).
const noticeListeners = new WeakMap<Database, Set<(message: string) => void>>()

/** Calls `listener` with each notice any of the database's connections receives, until the returned function is called. */
export function listenToNotices(db: Database, listener: (message: string) => void): () => void {
  const listeners = noticeListeners.get(db)
  if (!listeners) throw new Error('listenToNotices needs a database made by createDatabase')
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** How many connections the pool may hold at once (1 for a database not made by createDatabase). */
export function poolCapacity(db: Database): number {
  return pools.get(db)?.options.max ?? 1
}

/** The pool's settings, for connections of the same server outside the pool. */
function poolOptions(db: Database): pg.PoolConfig {
  const pool = pools.get(db)
  if (!pool) throw new Error('needs a database made by createDatabase')
  return pool.options
}

/**
 * A connection of its own with the pool's settings, outside the pool: for LISTEN, which holds
 * its connection for as long as the process runs (src/subscriptions/hub.ts).
 */
export function dedicatedConnection(db: Database, applicationName: string): pg.Client {
  const client = new pg.Client({ ...poolOptions(db), application_name: applicationName })
  client.on('error', () => {})
  return client
}

/**
 * A small pool of its own to the same server, for background work (reading the change feed)
 * that must neither wait behind the requests' pool nor be counted with its statements.
 */
export function companionDatabase(
  db: Database,
  maxConnections: number,
  options: Pick<DatabaseOptions, 'genericPlans'> = {},
): Database {
  const { connectionString, statement_timeout } = poolOptions(db) as pg.PoolConfig & {
    statement_timeout?: number
  }
  if (!connectionString) throw new Error('companionDatabase needs a connection string')
  return createDatabase(connectionString, {
    ...options,
    maxConnections,
    ...(statement_timeout && { statementTimeoutMs: statement_timeout }),
  })
}

export function createDatabase(connectionString: string, options: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    application_name: 'attest',
    // Fail fast when the host drops packets instead of refusing: a request gets
    // SERVICE_UNAVAILABLE after this, not a hang. Keep-alive notices a silently dead peer.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
    // Sent as a startup parameter: every session of the pool has it, whatever runs on it.
    ...(options.statementTimeoutMs && { statement_timeout: options.statementTimeoutMs }),
    ...(options.genericPlans && { options: '-c plan_cache_mode=force_generic_plan' }),
  })
  // Without a listener, an idle connection's error (a restart, a dropped database) would be
  // an uncaught 'error' event and end the process; the pool already discards that connection.
  pool.on('error', options.onConnectionError ?? (() => {}))
  // The pool listens only to its idle connections. A connection lost while checked out (between
  // the statements of a transaction) would be an uncaught 'error' too; its query fails anyway,
  // and the pool drops the connection when it comes back.
  const listeners = new Set<(message: string) => void>()
  pool.on('connect', (client) => {
    client.on('error', () => {})
    client.on('notice', (notice) => {
      for (const listener of listeners) listener(notice.message ?? '')
    })
    if (options.preparedStatements !== false) prepareStatements(client)
  })
  const onQuery = options.onQuery
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    ...(onQuery && {
      log: (event) => {
        if (event.level === 'query') onQuery(event.query.sql)
      },
    }),
  })
  pools.set(db, pool)
  noticeListeners.set(db, listeners)
  return db
}
