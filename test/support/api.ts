import type { AddressInfo } from 'node:net'
import { loadConfig } from '../../src/config.js'
import { createDatabase } from '../../src/db/database.js'
import { startHttpServer } from '../../src/http/server.js'
import { createLogger, type Logger } from '../../src/logger.js'

export interface GraphQLResponse<Data = Record<string, unknown>> {
  readonly data?: Data | null
  readonly errors?: readonly {
    readonly message: string
    readonly path?: readonly (string | number)[]
    readonly extensions?: Record<string, unknown>
  }[]
}

export interface TestApi {
  readonly url: string
  /** POSTs a GraphQL request to the real server, as any client would. */
  query<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    /** An API key, sent as `Authorization: Bearer <key>`. */
    key?: string,
  ): Promise<GraphQLResponse<Data>>
  /** SQL statements the server sent since the last reset. */
  readonly statements: string[]
  resetStatements(): void
  stop(): Promise<void>
}

/**
 * The real HTTP server on a free loopback port, over the given database, counting its SQL.
 * `options.env` is the service's environment (READ_REQUIRES_KEY, DATABASE_READ_URL, …): its
 * defaults otherwise, but for the rate limit, which a test sets when it tests it.
 */
export async function startApi(
  databaseUrl: string,
  logger: Logger = createLogger('silent'),
  options: { env?: Record<string, string>; explorerDir?: string } = {},
): Promise<TestApi> {
  const config = {
    ...loadConfig({ RATE_LIMIT_REQUESTS: '0', DATABASE_URL: databaseUrl, ...options.env }),
    host: '127.0.0.1',
    port: 0,
  }
  const statements: string[] = []
  const open = (url: string) =>
    createDatabase(url, {
      onQuery: (sql) => statements.push(sql),
      statementTimeoutMs: config.limits.statementTimeoutMs,
    })
  const db = open(databaseUrl)
  const readDb = config.databaseReadUrl ? open(config.databaseReadUrl) : undefined
  const server = await startHttpServer({
    db,
    ...(readDb && { readDb }),
    logger,
    config,
    ...(options.explorerDir && { explorerDir: options.explorerDir }),
  })
  const { port } = server.server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}/graphql`
  return {
    url,
    statements,
    resetStatements: () => {
      statements.length = 0
    },
    async query(query, variables, key) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key && { authorization: `Bearer ${key}` }),
        },
        body: JSON.stringify({ query, variables }),
      })
      return (await response.json()) as GraphQLResponse<never>
    },
    async stop() {
      await server.close()
      await db.destroy()
      await readDb?.destroy()
    },
  }
}

/** The data of a response that must have no errors. */
export function dataOf<Data>(response: GraphQLResponse<Data>): Data {
  if (response.errors?.length)
    throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`)
  if (!response.data) throw new Error('no data')
  return response.data
}

/** The single error of a response, for asserting its code and argument. */
export function errorOf(response: GraphQLResponse<unknown>) {
  if (response.errors?.length !== 1)
    throw new Error(`expected one error, got ${JSON.stringify(response.errors)}`)
  return response.errors[0] as NonNullable<GraphQLResponse['errors']>[number]
}
